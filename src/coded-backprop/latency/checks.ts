/** Parameter checks the latency models share (errors carry the parameter's key). */
import { OptionError } from '../../util/option-error.ts';

/** A finite number > 0. */
export function checkPositive(key: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new OptionError(key, `must be a finite number > 0 (got ${String(v)})`);
}

/** A finite number ≥ 0. */
export function checkNonNegative(key: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new OptionError(key, `must be a finite number ≥ 0 (got ${String(v)})`);
}
