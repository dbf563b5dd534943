/**
 * A small simplex-constrained minimiser of our own (npm has no well-kept one):
 *   1. exhaustive grid with step 1/n on Δ_L (n chosen so the grid has ≤ `gridPoints` points);
 *   2. from the best `starts` grid points, projected gradient descent with Armijo backtracking,
 *      the gradient by finite differences of f̃(x) = f(x / Σx) (defined on the whole positive
 *      orthant, so every difference stays feasible; one-sided at the boundary);
 *   3. a polish by pairwise transfers (γ_i += s, γ_j −= s, s shrinking to `tolerance`), which also
 *      handles kinks and optima on faces of the simplex.
 * f is only ever called on points of Δ_L (entries ≥ 0, summing to 1).
 */
import { gridResolutionFor, projectToSimplex, simplexGrid } from './simplex.ts';

/** Options of {@link minimiseOnSimplex}. */
export interface SimplexOptions {
  /** Most grid points of stage 1 (default 300). */
  gridPoints?: number;
  /** Grid points that start a local descent (default 3). */
  starts?: number;
  /** Most gradient iterations per start (default 60). */
  maxIterations?: number;
  /** Smallest transfer step of the polish (default 1e-7). */
  tolerance?: number;
  /** Run the gradient stage (default true); off for piecewise-constant objectives such as a Monte Carlo with common random numbers. */
  gradient?: boolean;
  /** Extra starting points (each projected onto Δ_L), e.g. the previous deadline's optimum. */
  extraStarts?: readonly (readonly number[])[];
}

/** Result of {@link minimiseOnSimplex}. */
export interface SimplexMinimum {
  /** The minimiser, length L. */
  x: number[];
  /** f(x). */
  value: number;
  /** Grid step 1/n of stage 1. */
  gridResolution: number;
  /** Best grid point and its value. */
  gridBest: { x: number[]; value: number };
  /** Calls of f. */
  evaluations: number;
}

/**
 * Minimises f over the simplex Δ_L.
 * @param f objective, called with arrays of length L on the simplex
 * @param L dimension ≥ 1
 */
export function minimiseOnSimplex(f: (x: readonly number[]) => number, L: number, opts: SimplexOptions = {}): SimplexMinimum {
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`L: must be an integer ≥ 1, got ${L}`);
  const gridPoints = opts.gridPoints ?? 300;
  const starts = opts.starts ?? 3;
  const maxIterations = opts.maxIterations ?? 60;
  const tolerance = opts.tolerance ?? 1e-7;
  const useGradient = opts.gradient ?? true;
  let evaluations = 0;
  const F = (x: readonly number[]): number => {
    evaluations++;
    const v = f(x);
    if (!Number.isFinite(v)) throw new RangeError(`objective: returned ${v} at (${x.join(', ')})`);
    return v;
  };
  if (L === 1) {
    const v = F([1]);
    return { x: [1], value: v, gridResolution: 1, gridBest: { x: [1], value: v }, evaluations };
  }

  // 1. Grid.
  const n = gridResolutionFor(L, gridPoints);
  const evaluated: { x: number[]; value: number }[] = [];
  for (const x of simplexGrid(L, n)) evaluated.push({ x, value: F(x) });
  evaluated.sort((a, b) => a.value - b.value);
  const gridBest = evaluated[0];
  const seeds = evaluated.slice(0, starts);
  for (const x of opts.extraStarts ?? []) {
    if (x.length !== L) throw new RangeError(`extraStarts: each start must have ${L} entries, got ${x.length}`);
    const p = projectToSimplex(x);
    seeds.push({ x: p, value: F(p) });
  }

  // 2–3. Local descent from each seed.
  let best = gridBest;
  for (const seed of seeds) {
    const local = polish(F, useGradient ? descend(F, seed, maxIterations) : seed, 1 / n, tolerance);
    if (local.value < best.value) best = local;
  }
  return { x: best.x, value: best.value, gridResolution: 1 / n, gridBest, evaluations };
}

type Point = { x: number[]; value: number };

function normalise(x: number[]): number[] {
  const s = x.reduce((a, b) => a + b, 0);
  return x.map((v) => Math.max(0, v) / s);
}

/** ∂f̃/∂x_i at x ∈ Δ_L, f̃(x) = f(x/Σx), by central (interior) or forward (boundary) differences. */
function gradient(F: (x: readonly number[]) => number, p: Point): number[] {
  const h = 1e-6;
  return p.x.map((xi, i) => {
    const up = [...p.x];
    up[i] = xi + h;
    const fUp = F(normalise(up));
    if (xi < h) return (fUp - p.value) / h;
    const down = [...p.x];
    down[i] = xi - h;
    return (fUp - F(normalise(down))) / (2 * h);
  });
}

/** Projected gradient descent with Armijo backtracking and an adaptive step. */
function descend(F: (x: readonly number[]) => number, start: Point, maxIterations: number): Point {
  let p = start;
  let eta = 0.1;
  for (let it = 0; it < maxIterations; it++) {
    const g = gradient(F, p);
    let moved = false;
    for (let tries = 0; tries < 30; tries++) {
      const x = projectToSimplex(p.x.map((v, i) => v - eta * g[i]));
      const decrease = x.reduce((s, v, i) => s + g[i] * (p.x[i] - v), 0);
      const step = Math.max(...x.map((v, i) => Math.abs(v - p.x[i])));
      if (step < 1e-12) break;
      const value = F(x);
      if (value <= p.value - 1e-4 * decrease && value < p.value) {
        const converged = p.value - value <= 1e-12 * Math.max(Math.abs(p.value), 1e-300) || step < 1e-9;
        p = { x, value };
        if (converged) return p;
        eta *= 2;
        moved = true;
        break;
      }
      eta /= 4;
    }
    if (!moved) break;
  }
  return p;
}

/** Pairwise transfers γ_i += s, γ_j −= s, s from `step` down to `tolerance`. */
function polish(F: (x: readonly number[]) => number, start: Point, step: number, tolerance: number): Point {
  let p = start;
  const L = p.x.length;
  for (let s = step; s >= tolerance; ) {
    let improved = false;
    for (let i = 0; i < L; i++) {
      for (let j = 0; j < L; j++) {
        if (i === j || p.x[j] <= 0) continue;
        const d = Math.min(s, p.x[j]);
        const x = [...p.x];
        x[i] += d;
        x[j] -= d;
        const q = normalise(x);
        const value = F(q);
        if (value < p.value) {
          p = { x: q, value };
          improved = true;
        }
      }
    }
    if (!improved) s /= 4;
  }
  return p;
}
