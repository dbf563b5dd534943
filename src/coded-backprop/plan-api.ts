/**
 * The engine's plan-level entry point, for callers that run a coded multiplication step by step
 * (the Monte Carlo of Figs. 3–4 grows the received set one arrival at a time): the block layout,
 * padded blocks, each worker's task and coefficient row, the float64 worker product, the worker
 * times and the incremental decoder. Multiply-level callers use ./index.ts instead.
 */
export { coefficientRow } from './codes/code.ts';
// the code registry: a code's Table III worker count and its check of a worker count (figures with per-line W)
export { getCode } from './codes/registry.ts';
export type { WorkerTask, Term } from './codes/code.ts';
export { padBlocks } from './blocks.ts';
export type { PaddedBlocks } from './blocks.ts';
export { IncrementalDecoder } from './decode.ts';
export { codedMatMulF64, F64Results, layoutOf, workerProduct } from './execute-f64.ts';
// the plan-driven executor: batch decoding of a received set, and its incremental variant
export { decodeResults, IncrementalExecution } from './plan-executor.ts';
export type { DecodedBlock, PlanDecoding, ResultSource } from './plan-executor.ts';
export { UNIT_ROUNDOFF } from './precision.ts';
export { workerTimes, receivedBy } from './latency.ts';
export type { BlockLayout } from './partition.ts';
export { resolveCodedOptions } from './options.ts';
export type { ResolvedCodedOptions } from './options.ts';
export type { Granularity, Ordering } from './types.ts';
export { decodePackets } from './cxr/decode.ts';
export type { PacketDecode } from './cxr/decode.ts';
export { innerScores, makePacketLayout, defaultPacketClasses } from './cxr/packets.ts';
export type { PacketLayout, PacketShape } from './cxr/packets.ts';
export { matDotThreshold } from './cxr/matdot.ts';
export { packetLayoutFor, planPackets, packetStats } from './cxr/plan.ts';
export { padPackets, packetWorkerProduct } from './cxr/execute-f64.ts';
// real runtimes (src/runtime): plan a call as sim does, then decode what arrived by the wall clock
export { gridLayout, layoutFor, planCall, statsOf, withhold, withReceived } from './plan.ts';
export type { CallPlan } from './plan.ts';
export { classRelErrors, scatterBlocks, worstBlockError } from './blocks.ts';
