/**
 * Timing of several cases measured in one run, interleaved round-robin so that machine noise
 * (other processes, thermal drift) hits every case alike and ratios between them stay meaningful.
 */
export interface BenchCase {
  name: string;
  /** One call of the thing measured; must finish its work before returning (e.g. dataSync). */
  run: () => void;
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

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
