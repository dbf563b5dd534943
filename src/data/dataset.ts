/**
 * A dataset of the registry (src/data/datasets/): image classification data the trainer reads,
 * one split at a time. A split's images are row-major count × (height·width·channels) floats in
 * [0, 1], each image in HWC order (what tfjs's NHWC convolutions expect; for one channel, the
 * plain row-major image); labels are 0..classes−1.
 */
import type { MnistSplit } from './mnist.ts';

export type SplitName = 'train' | 'test';

/** One image's shape. */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

export interface SplitOptions {
  /** The folder given by --data-dir (absolute), else the dataset's own default. */
  dataDir?: string;
  /** Read only the first `limit` examples (file order). */
  limit?: number;
  /** Option key a bad limit is reported under ('limit' or 'testLimit'). */
  limitKey?: string;
}

export interface DatasetEntry {
  /** The --dataset value. */
  name: string;
  /** One line for --help and docs. */
  summary: string;
  shape: ImageShape;
  classes: number;
  /** Where the data comes from without --data-dir (recorded in config.json). */
  defaultSource: string;
  /**
   * Loads one split.
   * @throws OptionError naming `dataset` when the default source is missing (the message says
   *   how to get it), `limit`/`testLimit` for a bad limit; Error naming the file otherwise
   */
  loadSplit(split: SplitName, opts: SplitOptions): MnistSplit;
}

/** Pixels per image: height·width·channels. */
export function imageSize(shape: ImageShape): number {
  return shape.height * shape.width * shape.channels;
}
