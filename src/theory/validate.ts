/**
 * Input checks shared by the theory functions. Each check runs once, at the boundary of a
 * public function, and throws a `RangeError` whose message starts with the option's name
 * (`name`, overridable so a command can report its flag, e.g. "--gamma") and states the
 * valid values.
 */

/** Tolerance on Σ Γ = 1. */
export const GAMMA_SUM_TOLERANCE = 1e-9;

function show(values: readonly number[]): string {
  return `(${values.join(', ')})`;
}

/** A finite number. */
export function checkFinite(value: number, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${name}: must be a finite number, got ${String(value)}`);
  }
}

/** An integer ≥ `min`. */
export function checkInteger(value: number, name: string, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${name}: must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

/** A finite number ≥ 0. */
export function checkNonNegative(value: number, name: string): void {
  checkFinite(value, name);
  if (value < 0) throw new RangeError(`${name}: must be ≥ 0, got ${value}`);
}

/** A probability in [0, 1]. */
export function checkProbability(value: number, name: string): void {
  checkFinite(value, name);
  if (value < 0 || value > 1) {
    throw new RangeError(`${name}: must be a probability in [0, 1], got ${value}`);
  }
}

/** Class sizes k: a non-empty list of non-negative integers (number of blocks per class). */
export function checkClassSizes(k: readonly number[], name = 'k'): void {
  if (!Array.isArray(k) || k.length === 0) {
    throw new RangeError(`${name}: must be a non-empty list of class sizes (non-negative integers)`);
  }
  for (const [i, v] of k.entries()) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new RangeError(
        `${name}: class sizes must be non-negative integers, got ${String(v)} at position ${i + 1} of ${show(k)}`,
      );
    }
  }
}

/**
 * Window-selection distribution Γ: `length` entries, each finite and ≥ 0, summing to 1
 * within `GAMMA_SUM_TOLERANCE`.
 */
export function checkGamma(
  gamma: readonly number[],
  length: number,
  name = 'gamma',
  lengthHint = 'one entry per class',
): void {
  if (!Array.isArray(gamma) || gamma.length !== length) {
    throw new RangeError(
      `${name}: must have ${length} entries (${lengthHint}), got ${Array.isArray(gamma) ? gamma.length : typeof gamma}`,
    );
  }
  let sum = 0;
  for (const [i, g] of gamma.entries()) {
    if (typeof g !== 'number' || !Number.isFinite(g) || g < 0) {
      throw new RangeError(
        `${name}: entries must be finite and ≥ 0, got ${String(g)} at position ${i + 1} of ${show(gamma)}`,
      );
    }
    sum += g;
  }
  if (Math.abs(sum - 1) > GAMMA_SUM_TOLERANCE) {
    throw new RangeError(`${name}: entries must sum to 1 (±${GAMMA_SUM_TOLERANCE}), got ${show(gamma)} summing to ${sum}`);
  }
}
