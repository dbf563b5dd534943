/**
 * Declares catalogue options on a yargs parser: the flag, its help text with the default (the
 * preset's where one is given), `choices` for --help, and one shared `coerce` that parses and
 * checks the text ({@link parseValue}), so a bad value fails at parse time with an OptionError.
 * Defaults are not given to yargs: src/config/resolve.ts fills them, so an absent flag and a
 * library call behave the same.
 */
import type { Argv } from 'yargs';
import { optionsFor, type OptionDef } from './definitions.ts';
import { kebab, OptionError } from '../util/option-error.ts';
import { presetValues, type Preset } from '../util/presets.ts';
import { parseValue } from './value-kinds.ts';
import type { Values } from './resolve.ts';

function showDefault(def: OptionDef, preset?: Preset): string | undefined {
  const p = presetValues(preset);
  // The preset's value wins over the catalogue's (W = 40 under fig3, not "Table III").
  const v = p[def.key] ?? (def.defaultText ? undefined : def.default);
  if (v === undefined) return def.defaultText;
  const fmt = (x: unknown) => (x === Infinity ? 'inf' : String(x));
  return Array.isArray(v) ? v.map(fmt).join(',') : fmt(v);
}

/**
 * yargs rethrows a coerce error as a plain YError with the same message, losing its type; the
 * errors our coercers threw are kept here by message so {@link asOptionError} can restore them.
 */
const thrownByCoerce = new Map<string, OptionError>();

function coercer(def: OptionDef, flag: string) {
  return (raw: unknown) => {
    try {
      return parseValue(def.kind, raw, def.key, flag);
    } catch (err) {
      if (err instanceof OptionError) {
        if (thrownByCoerce.size > 100) thrownByCoerce.clear();
        thrownByCoerce.set(err.message, err);
      }
      throw err;
    }
  };
}

/** The OptionError behind an error yargs reports from a coerce callback (else `err` itself). */
export function asOptionError(err: unknown): unknown {
  if (err instanceof OptionError || !(err instanceof Error)) return err;
  return thrownByCoerce.get(err.message) ?? err;
}

/** Adds `keys` to the parser `y`. */
export function withOptions<T>(y: Argv<T>, keys: readonly string[], preset?: Preset): Argv<T> {
  let out = y;
  for (const def of optionsFor(keys)) {
    const flag = def.flag ?? kebab(def.key);
    const shown = showDefault(def, preset);
    out = out.option(flag, {
      type: def.kind.type === 'boolean' ? 'boolean' : 'string',
      describe: def.help,
      ...(shown !== undefined ? { defaultDescription: shown } : {}),
      ...(def.kind.type === 'choice' ? { choices: [...def.kind.choices] } : {}),
      ...(def.kind.type === 'boolean' ? {} : { coerce: coercer(def, flag) }),
      requiresArg: def.kind.type !== 'boolean',
    }) as Argv<T>;
  }
  return out;
}

/** The catalogue values of `keys` present in parsed argv (by flag), keyed by option key. */
export function valuesFromArgv(argv: Record<string, unknown>, keys: readonly string[]): Values {
  const out: Values = {};
  for (const def of optionsFor(keys)) {
    const v = argv[def.flag ?? kebab(def.key)];
    if (v !== undefined) out[def.key] = v;
  }
  return out;
}
