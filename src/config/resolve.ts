/**
 * Fills and checks the values of a set of options: the caller's value, else the preset's,
 * else the catalogue default, else null (optional options). Parsing and checks are the
 * catalogue's ({@link parseValue} plus the definition's own check), so a library caller and a
 * command get the same errors, as OptionError carrying the key.
 */
import { kebab, OptionError } from '../util/option-error.ts';
import { optionsFor } from './definitions.ts';
import { presetValues, type Preset } from '../util/presets.ts';
import { parseValue } from './value-kinds.ts';

/** Resolved values by key; optional options left out are null. */
export type Values = Record<string, unknown>;

/**
 * @param keys the options to resolve (catalogue keys)
 * @param given values from the command line or a library caller (undefined: not given)
 * @param preset named starting point (or a command's own values) replacing the catalogue defaults
 * @throws OptionError naming the first bad option
 */
export function resolveValues(keys: readonly string[], given: Values, preset?: Preset): Values {
  const fromPreset = presetValues(preset);
  const out: Values = {};
  for (const def of optionsFor(keys)) {
    const flag = def.flag ?? kebab(def.key);
    const raw = given[def.key] ?? fromPreset[def.key] ?? def.default;
    if (raw === undefined || raw === null) {
      out[def.key] = null;
      continue;
    }
    const value = parseValue(def.kind, raw, def.key, flag);
    const problem = def.check?.(value as never);
    if (problem) throw new OptionError(def.key, problem, flag);
    out[def.key] = value;
  }
  for (const k of Object.keys(given)) {
    if (!keys.includes(k) && given[k] !== undefined) throw new OptionError(k, `is not an option here (options: ${keys.join(', ')})`);
  }
  return out;
}
