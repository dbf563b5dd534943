/** Per-chunk statistics of the Monte Carlo and their serialisable form (to pass between threads). */
import { MeanAccumulator, type AccumulatorState } from '../util/stats.ts';
import type { LineDiagnostics } from './diagnostics.ts';

/** Statistics of one chunk. */
export interface ChunkStats {
  energy: MeanAccumulator;
  byReceived: MeanAccumulator[];
  byTime: MeanAccumulator[];
  diagnostics: LineDiagnostics[];
}

/** Serialisable form of {@link ChunkStats} (to pass between threads). */
export interface ChunkState {
  energy: AccumulatorState;
  byReceived: AccumulatorState[];
  byTime: AccumulatorState[];
  diagnostics: LineDiagnostics[];
}

export function chunkState(s: ChunkStats): ChunkState {
  return {
    energy: s.energy.state(),
    byReceived: s.byReceived.map((a) => a.state()),
    byTime: s.byTime.map((a) => a.state()),
    diagnostics: s.diagnostics,
  };
}

export function chunkFromState(s: ChunkState): ChunkStats {
  return {
    energy: MeanAccumulator.fromState(s.energy),
    byReceived: s.byReceived.map((a) => MeanAccumulator.fromState(a)),
    byTime: s.byTime.map((a) => MeanAccumulator.fromState(a)),
    diagnostics: s.diagnostics,
  };
}
