/**
 * The engine's multiply-level entry point: one coded multiplication C ≈ A·B (tensor executor for
 * training, float64 executor for reference and small shapes), its options, the registered codes
 * and latency models, and the training adapter (a backward-product hook). Code outside
 * src/coded-backprop imports the engine from here or, to drive plans step by step (the Monte
 * Carlo), from ./plan-api.ts; never from the other files.
 */
export { codedMatMul } from './execute-tensor.ts';
export { codedMatMulF64 } from './execute-f64.ts';
export { resolveCodedOptions, checkGamma, DNN_GAMMA, GRANULARITIES, ORDERINGS } from './options.ts';
export type { CodedMatMulOptions, ResolvedCodedOptions } from './options.ts';
export { CODES, SCHEME_NAMES, getCode } from './codes/registry.ts';
export { LATENCY_CHOICES, LATENCY_DEFS, LATENCY_MODELS, getLatencyModel, latencyChoiceProblem, latencyFilePath, makeLatency, normaliseLatencyChoice } from './latency.ts';
export type { LatencyChoice, LatencyModel, LatencyModelDef, LatencyName, LatencySpec } from './latency.ts';
export { DEFAULT_TRACE_TIME_UNIT_MS, FITTED_MODELS, bestFit, fitLatencyModels, ksDistance, readTraceTimes, traceTaskCount, tracePool, burstTraceTimes, isBurstFile } from './latency.ts';
export type { FittedModel, LatencyFit, TraceReadOptions, TraceTimes } from './latency.ts';
export { blockLevels, paperClassTable, classSizesOf } from './partition.ts';
export type { CodedMatMulStats, Granularity, Ordering, Partition, SchemeName } from './types.ts';
export { PARTITIONS, DEFAULT_PACKETS } from './cxr/options.ts';
export { emptyStepStats, makeCodedMultiply } from './coded-multiply.ts';
export type { CodedMultiply, StepStats, TrainingScheme } from './coded-multiply.ts';
export { TraceReplay, traceReplayPath, traceReplayProblem } from './trace-replay.ts';
export { ADAPTIVE_WEIGHT, ASSIGNMENTS, makeAssigner, rankTasks, taskImportance, type Assigner, type AssignmentName, type InTimeReply } from './assignment.ts';
export { DEFAULT_ESTIMATE_FLOOR, ESTIMATES } from './unbiased.ts';
export type { Estimate, UnbiasedScaling } from './unbiased.ts';
