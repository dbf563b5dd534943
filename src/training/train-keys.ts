/**
 * The catalogue keys (src/config) of a training run, in a module of their own that loads nothing
 * else, so a command can parse and check its flags before it loads the engine (tfjs, seconds).
 */
/** The catalogue options a training run takes. */
export const TRAIN_KEYS = [
  'scheme', 'tmax', 'lambda', 'workers', 'gamma', 'granularity', 'epochs', 'batch', 'lr', 'seed',
  'limit', 'testLimit', 'evalEvery', 'shuffle', 'dataDir', 'backend', 'partition', 'packets',
  'trainDesign', 'designWarmup', 'designEvery', 'decoder', 'latency', 'shift', 'paretoScale', 'paretoShape', 'gammaShape', 'assign',
  'dataset', 'model', 'codeConv',
  'estimate', 'estimateFloor', 'rowBlocks', 'colBlocks',
] as const;
