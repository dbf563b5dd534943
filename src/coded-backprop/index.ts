/** The engine's public surface: the rest of the project imports from here. */
export { codedMatMul } from './execute-tensor.ts';
export { codedMatMulF64 } from './execute-f64.ts';
export { resolveCodedOptions, checkGamma, DNN_GAMMA, GRANULARITIES, ORDERINGS } from './options.ts';
export type { CodedMatMulOptions, ResolvedCodedOptions } from './options.ts';
export { CODES, SCHEME_NAMES, getCode } from './codes/registry.ts';
export { LATENCY_MODELS } from './latency.ts';
export type { CodedMatMulStats, Granularity, Ordering, SchemeName } from './types.ts';
