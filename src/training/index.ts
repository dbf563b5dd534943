/** Training runs and sweeps: the surface the commands use. */
export { resolveTrainConfig, codedOptionsAt, checkModelRuntime, datasetOf, TRAIN_KEYS, type TrainConfig, type TrainConfigInput, type SiteOverrides } from './train-config.ts';
export { loadTrainData, totalIterations, type TrainData } from './train-data.ts';
export { prepareRun, runTraining, simulatedMultiply, RunAbortedError, type PreparedRun, type Progress, type RunHooks, type RunMultiply, type RunResult, type RunTiming } from './run.ts';
export { partialDirOf, removeStalePartials, isRunComplete, runName } from './run-dir.ts';
export { METRICS_COLUMNS } from './metrics-file.ts';
export { optionsRecord } from './run-record.ts';
export { progressPrinter } from './progress-printer.ts';
