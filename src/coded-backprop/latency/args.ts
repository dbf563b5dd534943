/**
 * The `key=value,…` argument of the latency models that take named parameters
 * (`markov:a=0.05,b=0.2,s=5`). Errors are OptionErrors on `latency` naming the model, the key and
 * the valid keys.
 */
import { OptionError } from '../../util/option-error.ts';

/** `a=0.1,b=0.2` → { a: '0.1', b: '0.2' }; unknown or repeated keys and items without `=` are errors. */
export function parseKeyValues(model: string, arg: string, valid: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const form = `${model}:${valid.map((k) => `${k}=…`).join(',')}`;
  if (arg.trim() === '') throw new OptionError('latency', `${model} needs its parameters: ${form}`);
  for (const item of arg.split(',')) {
    const m = /^\s*([a-zA-Z-]+)\s*=\s*(.*?)\s*$/.exec(item);
    if (!m) throw new OptionError('latency', `${model}: '${item}' is not key=value (valid keys: ${valid.join(', ')})`);
    const key = m[1].toLowerCase();
    if (!valid.includes(key)) throw new OptionError('latency', `${model}: unknown parameter '${m[1]}' (valid keys: ${valid.join(', ')})`);
    if (key in out) throw new OptionError('latency', `${model}: ${key} is given twice`);
    out[key] = m[2];
  }
  return out;
}

/** A number from the argument, checked against [lo, hi] (inclusive unless `open`). */
export function numberArg(model: string, key: string, text: string | undefined, lo: number, hi: number, what: string, fallback?: number): number {
  if (text === undefined) {
    if (fallback !== undefined) return fallback;
    throw new OptionError('latency', `${model} needs ${key}= (${what})`);
  }
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new OptionError('latency', `${model}: ${key} must be ${what} (got "${text}")`);
  }
  return v;
}
