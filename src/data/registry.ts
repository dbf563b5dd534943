/**
 * The datasets (--dataset): one file each under src/data/datasets/, one line each here.
 * The conformance suite (test/datasets-conformance.test.ts) runs over this list.
 */
import type { DatasetEntry } from './dataset.ts';
import { mnist } from './datasets/mnist.ts';
import { fashionMnist } from './datasets/fashion-mnist.ts';
import { cifar10 } from './datasets/cifar10.ts';

export const DATASETS: readonly DatasetEntry[] = [
  mnist,
  fashionMnist,
  cifar10,
];

export const DATASET_NAMES: readonly string[] = DATASETS.map((d) => d.name);

/** The entry named `name`, or undefined. */
export function datasetByName(name: string): DatasetEntry | undefined {
  return DATASETS.find((d) => d.name === name);
}
