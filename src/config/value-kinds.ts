/**
 * The kinds of option values and their one parser each. A value arrives either as command-line
 * text (yargs hands it over untouched; `coerce` calls {@link parseValue}) or as a typed value
 * from a library caller; both go through the same checks. Lists are comma-separated and, where
 * the kind allows it, take `inf` (so `--tmax 0.25,0.5,inf` works, which yargs' plain
 * `number`/`array` types would reject).
 */
import { OptionError } from '../util/option-error.ts';

export type ValueKind =
  | { type: 'number'; min?: number; max?: number; positive?: boolean; allowInf?: boolean }
  /** `auto`: the value the text "auto" stands for (e.g. the number of cores). */
  | { type: 'integer'; min?: number; max?: number; auto?: number }
  | { type: 'numbers'; min?: number; max?: number; positive?: boolean; integer?: boolean; allowInf?: boolean; length?: number; unique?: boolean; ranges?: boolean }
  | { type: 'choice'; choices: readonly string[] }
  | { type: 'choices'; choices: readonly string[] }
  | { type: 'boolean' }
  | { type: 'string' };

/** The TypeScript type a kind parses to. */
export type ValueOf<K extends ValueKind> = K extends { type: 'number' | 'integer' }
  ? number
  : K extends { type: 'numbers' }
    ? number[]
    : K extends { type: 'choices' }
      ? string[]
      : K extends { type: 'boolean' }
        ? boolean
        : string;

const INF = /^\s*(inf|infinity)\s*$/i;

function oneText(raw: unknown, fail: (d: string) => never): string | number {
  if (Array.isArray(raw)) fail('given more than once; give it once');
  if (typeof raw === 'number' || typeof raw === 'string') return raw;
  return fail(`expected a value (got ${String(raw)})`);
}

function toNumber(token: string | number, allowInf: boolean, fail: (d: string) => never): number {
  if (typeof token === 'number') {
    if (Number.isNaN(token) || (!allowInf && !Number.isFinite(token))) fail(`expected a finite number (got ${token})`);
    return token;
  }
  if (allowInf && INF.test(token)) return Infinity;
  const s = token.trim();
  const v = s === '' ? NaN : Number(s);
  if (!Number.isFinite(v)) fail(s === '' ? 'expected a number, got nothing' : `"${token}" is not a number${allowInf ? ' (or inf)' : ''}`);
  return v;
}

function checkRange(v: number, k: { min?: number; max?: number; positive?: boolean; integer?: boolean }, fail: (d: string) => never): void {
  if (k.integer && !Number.isInteger(v)) fail(`must be an integer (got ${v})`);
  if (k.positive && !(v > 0)) fail(`must be > 0 (got ${v})`);
  if (k.min !== undefined && v < k.min) fail(`must be ≥ ${k.min} (got ${v})`);
  if (k.max !== undefined && v > k.max) fail(`must be ≤ ${k.max} (got ${v})`);
}

/** Digits after the decimal point of a number's text (1e-3 → 3). */
function decimalsOf(token: string): number {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(token.trim());
  if (!m) return 0;
  return Math.max(0, (m[2]?.length ?? 0) - (m[3] ? Number(m[3]) : 0));
}

/** Most points a `start:stop:step` range may expand to. */
export const MAX_RANGE_POINTS = 1_000_000;

/** `start:stop:step`, inclusive, in scaled integers so the points are exact decimals. */
function expandRange(item: string, fail: (d: string) => never): number[] {
  const parts = item.split(':');
  if (parts.length !== 3) fail(`range "${item}" must be start:stop:step`);
  const [start, stop, step] = parts.map((p) => toNumber(p, false, fail));
  if (!(step > 0)) fail(`range "${item}" needs a step > 0`);
  if (stop < start) fail(`range "${item}" needs stop ≥ start`);
  const scale = 10 ** Math.min(15, Math.max(...parts.map(decimalsOf)));
  const s = Math.round(start * scale);
  const st = Math.round(step * scale);
  if (st === 0) fail(`range "${item}" has a step too small to represent`);
  const count = Math.floor((Math.round(stop * scale) - s) / st) + 1;
  if (count > MAX_RANGE_POINTS) fail(`range "${item}" has ${count} points (at most ${MAX_RANGE_POINTS})`);
  return Array.from({ length: count }, (_, i) => (s + i * st) / scale);
}

/**
 * Parses and checks one option value of kind `kind`.
 * @throws OptionError naming `key` (and `flag`) with what is wrong and the valid values
 */
export function parseValue(kind: ValueKind, raw: unknown, key: string, flag?: string): unknown {
  const fail = (detail: string): never => {
    throw new OptionError(key, detail, flag);
  };
  switch (kind.type) {
    case 'number': {
      const v = toNumber(oneText(raw, fail), kind.allowInf ?? false, fail);
      checkRange(v, kind, fail);
      return v;
    }
    case 'integer': {
      const text = oneText(raw, fail);
      if (kind.auto !== undefined && typeof text === 'string') {
        if (/^\s*auto\s*$/i.test(text)) return kind.auto;
        if (text.trim() === '' || !Number.isFinite(Number(text))) fail(`"${text}" is not a number (or auto)`);
      }
      const v = toNumber(text, false, fail);
      checkRange(v, { ...kind, integer: true }, fail);
      return v;
    }
    case 'numbers': {
      let values: number[];
      if (Array.isArray(raw) && raw.every((x) => typeof x === 'number')) values = [...(raw as number[])];
      else {
        const text = String(oneText(raw, fail));
        if (text.trim() === '') fail('expected one or more numbers separated by commas, got nothing');
        values = text.split(',').flatMap((tok) => (kind.ranges && tok.includes(':') ? expandRange(tok, fail) : [toNumber(tok, kind.allowInf ?? false, fail)]));
      }
      if (values.length === 0) fail('expected at least one number');
      for (const v of values) {
        if (!kind.allowInf && !Number.isFinite(v)) fail(`expected finite numbers (got ${v})`);
        checkRange(v, kind, fail);
      }
      if (kind.length !== undefined && values.length !== kind.length) fail(`expected ${kind.length} values, got ${values.length}`);
      if (kind.unique && new Set(values).size !== values.length) fail(`a value is listed twice (${values.join(',')})`);
      return values;
    }
    case 'choice': {
      const v = String(oneText(raw, fail)).trim().toLowerCase();
      if (!kind.choices.includes(v)) fail(`'${v}' is not one of ${kind.choices.join(', ')}`);
      return v;
    }
    case 'choices': {
      const items = Array.isArray(raw) ? raw.map(String) : String(oneText(raw, fail)).split(',');
      const out: string[] = [];
      for (const it of items.map((s) => s.trim().toLowerCase())) {
        if (!kind.choices.includes(it)) fail(`'${it}' is not one of ${kind.choices.join(', ')}`);
        if (out.includes(it)) fail(`'${it}' is listed twice`);
        out.push(it);
      }
      if (out.length === 0) fail(`expected one or more of ${kind.choices.join(', ')}`);
      return out;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      return fail(`expected true or false (got ${String(raw)})`);
    }
    case 'string': {
      const v = String(oneText(raw, fail));
      if (v.trim() === '') fail('expected a value, got an empty string');
      return v;
    }
  }
}
