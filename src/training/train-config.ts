/**
 * The configuration of one training run, resolved once: the catalogue's options
 * (src/config) from the `dnn` preset, the engine's coded options (for every product site, each
 * of which may carry its own Γ, T_max or W), and the data location. Everything downstream
 * (data loading, the trainer, the run writer, the sweep) takes this object and trusts it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { getCode, resolveCodedOptions, type CodedMatMulOptions, type ResolvedCodedOptions } from '../coded-backprop/index.ts';
import { latencySpecOf, OptionError, resolveValues, type PresetName } from '../config/index.ts';
import { maxGridLevels } from '../util/class-table.ts';
import { PRODUCT_SITES, siteKey, type SiteKey } from '../model/backprop.ts';
import type { TrainingScheme } from '../coded-backprop/index.ts';
import type { BackendChoice } from '../util/backend.ts';
import { streamSeed } from '../util/rng.ts';
import { datasetByName } from '../data/registry.ts';
import type { DatasetEntry } from '../data/dataset.ts';
import { parseModel } from '../model/registry.ts';
import { hasConvolutions, type NetworkPlan } from '../model/plan.ts';
import { TRAIN_KEYS } from './train-keys.ts';

/**
 * The block grid of a coded training run (coded options to spread in; none for the default):
 * the code's default grid (Code.defaultGrid: the paper's 3×3; BACC's 1-D 9×1, A's rows, B whole). Either
 * count may be given; at most 3 levels, as many as the grid admits.
 */
export function trainingGrid(scheme: string, rowBlocks: number | null = null, colBlocks: number | null = null): Pick<CodedMatMulOptions, 'rowBlocks' | 'colBlocks' | 'levels'> {
  const grid = getCode(scheme).defaultGrid ?? { N: 3, P: 3 };
  const N = rowBlocks ?? grid.N;
  const P = colBlocks ?? grid.P;
  return N !== 3 || P !== 3 ? { rowBlocks: N, colBlocks: P, levels: Math.min(3, maxGridLevels(N, P)) } : {};
}

export { TRAIN_KEYS };

/** Per-site changes to the coded options (library only; e.g. a designed Γ per product). */
export type SiteOverrides = Partial<Record<SiteKey, Pick<CodedMatMulOptions, 'gamma' | 'tmax' | 'workers'>>>;

/** What a caller may give: any catalogue value (typed or as command-line text), plus per-site overrides. */
export type TrainConfigInput = Partial<Record<(typeof TRAIN_KEYS)[number], unknown>> & { sites?: SiteOverrides };

/** Every option filled in and checked. */
export interface TrainConfig {
  scheme: TrainingScheme;
  /** null for the baseline (and the other coded fields too). */
  tmax: number | null;
  lambda: number | null;
  granularity: string | null;
  gamma: number[] | null;
  workers: number | null;
  /** Time scaling K of F(K·t) (N·P/W). */
  K: number | null;
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  limit: number | null;
  testLimit: number | null;
  evalEvery: number;
  shuffle: boolean;
  /** Absolute folder of the data files, null for the dataset's own source. */
  dataDir: string | null;
  /** The dataset's registry name (src/data/registry.ts). */
  dataset: string;
  /** The --model value (src/model/registry.ts) and the network it names. */
  model: string;
  plan: NetworkPlan;
  /** Code the convolutions' backward products too (models with convolutions only). */
  codeConv: boolean;
  backend: BackendChoice;
  /** The engine's options of every product site ('baseline': exact products). */
  coded: ResolvedCodedOptions | 'baseline';
  /** The sites whose coded options differ from `coded`. */
  sites: Partial<Record<SiteKey, ResolvedCodedOptions>>;
  /** `--design auto`: Γ of each site designed from measured energies (src/training/auto-design.ts); null: off. */
  design: { warmup: number; every: number } | null;
  /** 'real' (the engine) or 'surrogate' (the authors' shortcut, src/training/surrogate.ts). */
  decoder: 'real' | 'surrogate';
}

/**
 * Fills defaults (the preset's, then the catalogue's) and checks every option, without I/O
 * beyond checking that `dataDir` exists.
 * @throws OptionError naming the option
 */
export function resolveTrainConfig(given: TrainConfigInput = {}, preset: PresetName = 'dnn'): TrainConfig {
  const { sites: siteInput, ...rest } = given;
  const v = resolveValues(TRAIN_KEYS, rest, preset);
  let dataDir: string | null = null;
  if (v.dataDir !== null) {
    dataDir = resolve(v.dataDir as string);
    if (!existsSync(dataDir)) throw new OptionError('dataDir', `${String(v.dataDir)} does not exist`);
  }
  const scheme = v.scheme as TrainingScheme;
  const plan = parseModel(v.model as string);
  if (typeof plan === 'string') throw new OptionError('model', plan);
  if ((v.codeConv as boolean) && !hasConvolutions(plan)) {
    throw new OptionError('codeConv', `--model ${String(v.model)} has no convolutions to code; use it with a model that has some (cnn, cnn-authors)`);
  }
  if (plan.kind === 'layers' && v.trainDesign === 'auto') throw new OptionError('trainDesign', `auto designs the six products of the paper's MLP; use --model mlp (got ${String(v.model)})`, 'design');
  if (plan.kind === 'layers' && v.decoder === 'surrogate') throw new OptionError('decoder', `surrogate runs on the paper's MLP only (--model mlp or mlp:W1,W2; got ${String(v.model)})`);
  const base = {
    scheme,
    epochs: v.epochs as number,
    batch: v.batch as number,
    lr: v.lr as number,
    seed: v.seed as number,
    limit: v.limit as number | null,
    testLimit: v.testLimit as number | null,
    evalEvery: v.evalEvery as number,
    shuffle: v.shuffle as boolean,
    dataDir,
    dataset: v.dataset as string,
    model: v.model as string,
    plan,
    codeConv: v.codeConv as boolean,
    backend: v.backend as BackendChoice,
  };
  if (scheme === 'baseline') {
    if (siteInput && Object.keys(siteInput).length) throw new OptionError('sites', 'the baseline has no coded products to configure');
    if (v.trainDesign === 'auto') throw new OptionError('trainDesign', 'the baseline has no code to design; use --scheme now or ew', 'design');
    if (v.decoder === 'surrogate') throw new OptionError('decoder', 'the baseline has exact products: nothing to erase');
    return { ...base, tmax: null, lambda: null, granularity: null, gamma: null, workers: null, K: null, coded: 'baseline', sites: {}, design: null, decoder: 'real' };
  }
  const codedInput: CodedMatMulOptions = {
    scheme,
    ...trainingGrid(scheme, v.rowBlocks as number | null, v.colBlocks as number | null),
    estimate: v.estimate as string,
    estimateFloor: v.estimateFloor as number,
    tmax: v.tmax as number,
    granularity: v.granularity as string,
    workers: (v.workers as number | null) ?? undefined,
    gamma: scheme === 'now' || scheme === 'ew' ? (v.gamma as number[]) : undefined,
    // the latency state's own stream (models with memory read it; the others ignore it)
    latency: { ...latencySpecOf(v), seed: streamSeed(v.seed as number, 'latency') },
    partition: v.partition as string,
    packets: v.packets as number,
    assign: v.assign as string,
  };
  const coded = resolveCodedOptions(codedInput);
  const sites: Partial<Record<SiteKey, ResolvedCodedOptions>> = {};
  const known = PRODUCT_SITES.map(siteKey) as string[];
  for (const [key, patch] of Object.entries(siteInput ?? {})) {
    if (!known.includes(key)) throw new OptionError('sites', `'${key}' is not a product site (${known.join(', ')})`);
    if (patch) sites[key as SiteKey] = resolveCodedOptions({ ...codedInput, ...patch });
  }
  if (v.trainDesign === 'auto') {
    const where = [coded, ...Object.values(sites)];
    // the designed Γ changes P(recovered), which unbiased decoding's scales were computed from
    if (coded.unbiased) throw new OptionError('estimate', 'unbiased is not combined with --design auto (each designed Γ would change P(recovered)); use plain');
    if (!(scheme === 'now' || scheme === 'ew')) throw new OptionError('trainDesign', `auto designs the Γ of now or ew (got --scheme ${scheme})`, 'design');
    if (where.some((o) => o.partition !== 'rxc' || o.granularity !== 'class')) {
      throw new OptionError('trainDesign', 'auto needs the r×c partition with class granularity (the exact loss formula it optimises)', 'design');
    }
  }
  if (v.decoder === 'surrogate') {
    const where = [coded, ...Object.values(sites)];
    if (!['uncoded', 'rep', 'mds', 'now', 'ew'].includes(scheme) || coded.unbiased) {
      throw new OptionError('decoder', 'surrogate has the decoding formulas of uncoded, rep, mds, now and ew with plain estimates only (use --decoder real)');
    }
    if (where.some((o) => o.partition !== 'rxc' || (o.code.usesWindows && o.granularity !== 'class') || o.replay)) {
      throw new OptionError('decoder', 'surrogate needs the r×c partition, class granularity for now/ew (the decoding-probability formulas) and no trace replay');
    }
    if (v.trainDesign === 'auto') throw new OptionError('decoder', 'surrogate and --design auto are not combined');
  }
  return {
    ...base,
    decoder: v.decoder as 'real' | 'surrogate',
    design: v.trainDesign === 'auto' ? { warmup: v.designWarmup as number, every: v.designEvery as number } : null,
    tmax: coded.tmax,
    lambda: coded.latencySpec.lambda,
    granularity: coded.granularity,
    gamma: coded.code.usesWindows ? coded.gamma : null,
    workers: coded.workers,
    K: coded.K,
    coded,
    sites,
  };
}

/**
 * Refuses a real (asynchronous) runtime for a layer-stack model, whose backward pass runs
 * inside tfjs's synchronous autodiff.
 * @throws OptionError naming `model`
 */
export function checkModelRuntime(cfg: Pick<TrainConfig, 'plan' | 'model'>, runtime: string): void {
  if (runtime !== 'sim' && cfg.plan.kind === 'layers') {
    throw new OptionError('model', `${cfg.model} runs its backward pass inside tfjs's synchronous autodiff: simulator only (--runtime sim), got --runtime ${runtime}`);
  }
}

/** The dataset entry of a resolved configuration. */
export function datasetOf(cfg: Pick<TrainConfig, 'dataset'>): DatasetEntry {
  const d = datasetByName(cfg.dataset);
  if (!d) throw new OptionError('dataset', `unknown dataset '${cfg.dataset}'`);
  return d;
}

/** The coded options of `site` under `cfg` (its own, else the run's). */
export function codedOptionsAt(cfg: TrainConfig, key: SiteKey): ResolvedCodedOptions | 'baseline' {
  return cfg.sites[key] ?? cfg.coded;
}
