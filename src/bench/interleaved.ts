/**
 * Timing of several cases measured in one run, interleaved round-robin so that machine noise
 * (other processes, thermal drift) hits every case alike and ratios between them stay meaningful.
 */
export interface BenchCase {
  name: string;
  /** One call of the thing measured; must finish its work before returning (e.g. dataSync). */
  run: () => void;
}

/** A case whose call is asynchronous (real workers): the call is over when its promise settles. */
export interface AsyncBenchCase {
  name: string;
  run: () => void | Promise<void>;
}

/** Milliseconds per call of each case: median over `rounds` rounds of `perRound` calls each. */
export function timeInterleaved(cases: BenchCase[], rounds: number, perRound: number, warmupRounds = 2): Map<string, number> {
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < warmupRounds + rounds; round++) {
    for (const c of cases) {
      const t0 = performance.now();
      for (let k = 0; k < perRound; k++) c.run();
      const ms = (performance.now() - t0) / perRound;
      if (round >= warmupRounds) samples.get(c.name)!.push(ms);
    }
  }
  return new Map([...samples].map(([name, xs]) => [name, median(xs)]));
}

/**
 * {@link timeInterleaved} for asynchronous cases: each call is awaited before the next starts.
 * `onRound(round)` runs before each round (round < warmupRounds: warm-up), e.g. to reset counters.
 */
export async function timeInterleavedAsync(
  cases: AsyncBenchCase[],
  rounds: number,
  perRound: number,
  warmupRounds = 2,
  onRound: (round: number) => void = () => {},
): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = 0; round < warmupRounds + rounds; round++) {
    onRound(round);
    for (const c of cases) {
      const t0 = performance.now();
      for (let k = 0; k < perRound; k++) await c.run();
      const ms = (performance.now() - t0) / perRound;
      if (round >= warmupRounds) samples.get(c.name)!.push(ms);
    }
  }
  return new Map([...samples].map(([name, xs]) => [name, median(xs)]));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The q-quantile (0 ≤ q ≤ 1) of xs, nearest rank; NaN when xs is empty. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
