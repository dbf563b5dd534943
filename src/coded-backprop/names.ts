/**
 * The engine's second entry point: its option names and checks (schemes, granularities,
 * orderings, partitions, latency forms, trace replay), without tfjs, so the option catalogue
 * (src/config) can list and check them without loading tfjs; index.ts is the whole engine.
 */
export { GRANULARITIES, ORDERINGS } from './options.ts';
export { DEFAULT_PACKETS, PARTITIONS } from './cxr/options.ts';
export { SCHEME_NAMES } from './codes/registry.ts';
export { LATENCY_CHOICES, latencyChoiceProblem, latencyFilePath } from './latency.ts';
export { normaliseLatencyChoice } from './latency/registry.ts';
export { traceReplayPath, traceReplayProblem } from './trace-replay.ts';
export { ASSIGNMENTS } from './assignment.ts';
export { DEFAULT_ESTIMATE_FLOOR, ESTIMATES } from './unbiased.ts';
