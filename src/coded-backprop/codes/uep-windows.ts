/**
 * The random linear UEP codes of Vukobratović & Stanković, realised on matrix blocks.
 * Non-overlapping windows (NOW) cover one importance class; expanding windows (EW) cover that
 * class and every more important one. Every worker draws its window from Γ and i.i.d. N(0, 1)
 * coefficients for the blocks inside it.
 *
 * class granularity: window l ~ Γ over the L classes of C blocks; the worker returns
 *   Σ_{(i,j) in window} c_ij A_i B_j, computed as one product of inner dimension stacked over the
 *   distinct column blocks j of the window: W_A = [Σ_i c_ij A_i]_j, W_B = [B_j]_j.
 * product granularity (paper eq. 5): an A level a ~ Γ and a B level b ~ Γ, independently;
 *   W_A = Σ α_n A_n over A blocks in the window of a, W_B = Σ β_p B_p over B blocks in the window of b.
 */
import type { Rng } from '../../util/rng.ts';
import type { BlockLayout } from '../partition.ts';
import type { Code, CodeParams, GridShape, Term, WorkerTask } from './code.ts';
import { OptionError } from '../../util/option-error.ts';
import { cxrEw, cxrNow } from '../cxr/codes.ts';

type WindowKind = 'now' | 'ew';

function inWindow(kind: WindowKind, itemLevel: number, window: number): boolean {
  return kind === 'now' ? itemLevel === window : itemLevel <= window;
}

function classTask(kind: WindowKind, layout: BlockLayout, gamma: number[], rng: Rng): WorkerTask {
  const { N, P, blockClass } = layout;
  const window = rng.categorical(gamma);
  const terms: Term[] = [];
  for (let j = 0; j < P; j++) {
    let a: Float64Array | null = null;
    for (let i = 0; i < N; i++) {
      if (!inWindow(kind, blockClass[i * P + j], window)) continue;
      a ??= new Float64Array(N);
      a[i] = rng.normal();
    }
    if (a) {
      const b = new Float64Array(P);
      b[j] = 1;
      terms.push({ a, b });
    }
  }
  return { terms };
}

function productTask(kind: WindowKind, layout: BlockLayout, gamma: number[], rng: Rng): WorkerTask {
  const levelA = rng.categorical(gamma);
  const levelB = rng.categorical(gamma);
  const a = Float64Array.from(layout.levelA, (lv) => (inWindow(kind, lv, levelA) ? rng.normal() : 0));
  const b = Float64Array.from(layout.levelB, (lv) => (inWindow(kind, lv, levelB) ? rng.normal() : 0));
  return { terms: [{ a, b }] };
}

function checkUep(name: string, { workers, granularity, gamma }: CodeParams, grid: GridShape): void {
  if (workers < 1) throw new OptionError('workers', `${name} needs at least 1 worker (got ${workers})`);
  if (granularity === 'product' && (grid.N === 1 || grid.P === 1) && grid.levels > 1) {
    // B (or A) is one block at level 0: a window on its levels 1.. would hold nothing
    throw new OptionError('granularity', `product windows pair an A level with a B level; on the 1-D ${grid.N}×${grid.P} grid only one side has levels: use class`);
  }
  const expected = granularity === 'class' ? grid.classSizes.length : grid.levels;
  const what = granularity === 'class' ? 'classes' : 'importance levels';
  if (gamma.length !== expected) {
    throw new OptionError('gamma', `with ${granularity} granularity Γ needs one probability for each of the ${expected} ${what}, got ${gamma.length}`);
  }
}

function uepCode(kind: WindowKind): Code {
  const name = kind === 'now' ? 'NOW-UEP' : 'EW-UEP';
  return {
    name: kind,
    summary:
      kind === 'now'
        ? 'non-overlapping-window UEP random linear code: a window covers one class'
        : 'expanding-window UEP random linear code: a window covers a class and all more important ones',
    usesWindows: true,
    packets: kind === 'now' ? cxrNow : cxrEw,
    defaultWorkers: () => 15,
    check: (params, grid) => checkUep(name, params, grid),
    encode(layout, { workers, granularity, gamma }, rng) {
      const task = granularity === 'class' ? classTask : productTask;
      return Array.from({ length: workers }, () => task(kind, layout, gamma, rng));
    },
  };
}

export const nowUep: Code = uepCode('now');
export const ewUep: Code = uepCode('ew');
