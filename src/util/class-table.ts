/**
 * The class table of a block grid: which importance class each C block (i, j) belongs to. One
 * rule, level-based (DESIGN.md §2): block i of A has level levelA[i] and block j of B has level
 * levelB[j] (0 = most important); class(i, j) = min(levelA[i] + levelB[j], L − 1). With
 * N = P = L = 3 (one block per level): class 0 = HH (1 block), class 1 = HM, MH (2), class 2 =
 * the other 6. Callers may instead give an explicit table.
 *
 * Tables are stored flat, row-major: table[i·P + j] = class of C block (i, j), length N·P.
 */
import { OptionError } from './option-error.ts';

/** Level of block i among `blocks` blocks split into `levels` equal groups (N = S gives level = i). */
export function blockLevels(blocks: number, levels: number): number[] {
  return Array.from({ length: blocks }, (_, i) => Math.floor((i * levels) / blocks));
}

/** The level-based class table: flat, length levelA.length · levelB.length, classes 0..L−1. */
export function levelClassTable(levelA: readonly number[], levelB: readonly number[], L: number): number[] {
  const table: number[] = [];
  for (const a of levelA) for (const b of levelB) table.push(Math.min(a + b, L - 1));
  return table;
}

/**
 * Most importance levels an N×P grid can carry: min(N, P) when both A and B are cut (each level
 * needs a block on both axes), and the cut axis's count on a 1-D grid (N×1: levels from A's rows
 * alone; 1×P: from B's columns), where the uncut side is one block at level 0.
 */
export function maxGridLevels(N: number, P: number): number {
  return N === 1 || P === 1 ? Math.max(N, P) : Math.min(N, P);
}

/** The level-based table of an N×P grid with S levels per axis and L classes (default L = S). */
export function gridClassTable(N: number, P: number, S: number, L = S): number[] {
  return levelClassTable(blockLevels(N, S), blockLevels(P, S), L);
}

/** A flat table as rows: rows[i][j] = table[i·P + j]. */
export function classTableRows(table: readonly number[], P: number): number[][] {
  return Array.from({ length: table.length / P }, (_, i) => table.slice(i * P, (i + 1) * P));
}

/** Number of blocks in each class 0..L−1 of a flat table (L = max class + 1). */
export function classSizesOf(blockClass: readonly number[]): number[] {
  const L = Math.max(...blockClass) + 1;
  const sizes = new Array<number>(L).fill(0);
  for (const c of blockClass) sizes[c]++;
  return sizes;
}

/**
 * A class table written as N rows of P classes, rows separated by '/' (e.g. the journal's
 * 0,0,1/0,1,2/1,2,2). Throws OptionError (key 'classTable') when an entry is not an integer ≥ 0,
 * rows differ in length, or a class 0..L−1 is unused.
 */
export function parseClassTableText(text: string): number[][] {
  const table = String(text)
    .split('/')
    .map((r) =>
      r.split(',').map((x) => {
        const t = x.trim();
        const c = Number(t);
        if (t === '' || !Number.isInteger(c) || c < 0) throw new OptionError('classTable', `classes must be integers ≥ 0, got ${JSON.stringify(t)} in ${JSON.stringify(String(text))}`);
        return c;
      }),
    );
  if (new Set(table.map((r) => r.length)).size > 1) throw new OptionError('classTable', `rows must have the same number of classes, got ${table.map((r) => r.length).join('/')}`);
  if (classSizesOf(table.flat()).some((k) => k === 0)) throw new OptionError('classTable', 'classes must be 0..L−1 with every class used');
  return table;
}
