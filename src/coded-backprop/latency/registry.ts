/** The registered latency models (one file each); the name list is derived from them. */
import { OptionError } from '../../util/option-error.ts';
import { exponentialModel } from './exponential.ts';
import { gammaModel } from './gamma.ts';
import type { LatencyModel, LatencyModelDef, LatencyParams } from './model.ts';
import { paretoModel } from './pareto.ts';
import { shiftedExponentialModel } from './shifted-exponential.ts';
import { tracePoolModel } from './trace-pool.ts';
import { markovModel } from './markov.ts';
import { heteroModel } from './hetero.ts';
import { correlatedModel } from './correlated.ts';
import { burstsModel } from './bursts.ts';

/** Every model, in the order help texts list them. */
export const LATENCY_DEFS = [exponentialModel, shiftedExponentialModel, paretoModel, gammaModel, tracePoolModel, markovModel, heteroModel, correlatedModel, burstsModel] as const;

export type LatencyName = (typeof LATENCY_DEFS)[number]['name'];

/** The model names. */
export const LATENCY_MODELS: readonly LatencyName[] = LATENCY_DEFS.map((d) => d.name);

/** What `--latency` accepts: a model name, or `name:ARG` for a model that takes one (`trace-pool:FILE`). */
export type LatencyChoice = LatencyName | `${LatencyName}:${string}`;

/** The accepted forms, for help texts and errors: `exponential, …, trace-pool:FILE`. */
export const LATENCY_CHOICES: readonly string[] = (LATENCY_DEFS as readonly LatencyModelDef[]).map((d) => (d.arg ? `${d.name}:${d.arg.placeholder}` : d.name));

/** A model and its parameters, as the options give them. */
export interface LatencySpec extends LatencyParams {
  model: LatencyChoice;
}

/**
 * The registered model of a `--latency` value (`name`, or `name:ARG`; the name in any case) and
 * its argument. OptionError (key 'latency') naming the valid forms otherwise. Does not read ARG.
 */
export function parseLatencyChoice(text: string): { def: LatencyModelDef; arg?: string } {
  const s = String(text);
  const colon = s.indexOf(':');
  const name = (colon < 0 ? s : s.slice(0, colon)).trim().toLowerCase();
  const def = (LATENCY_DEFS as readonly LatencyModelDef[]).find((d) => d.name === name);
  if (!def) throw new OptionError('latency', `must be one of ${LATENCY_CHOICES.join(', ')} (got ${JSON.stringify(s)})`);
  if (def.arg && colon < 0) throw new OptionError('latency', `${def.name} needs its ${def.arg.placeholder}: ${def.name}:${def.arg.placeholder} (valid: ${LATENCY_CHOICES.join(', ')})`);
  if (!def.arg && colon >= 0) throw new OptionError('latency', `${def.name} takes no argument (got ${JSON.stringify(s)}; valid: ${LATENCY_CHOICES.join(', ')})`);
  return def.arg ? { def, arg: s.slice(colon + 1) } : { def };
}

/** The canonical form of a `--latency` value: the name in lower case, the argument as given. */
export function normaliseLatencyChoice(text: string): LatencyChoice {
  const { def, arg } = parseLatencyChoice(text);
  return (arg === undefined ? def.name : `${def.name}:${arg}`) as LatencyChoice;
}

/**
 * What is wrong with a `--latency` value (unknown name, or an argument its model rejects, e.g. a
 * missing trace file), with the valid forms; undefined when it is usable.
 */
export function latencyChoiceProblem(text: string): string | undefined {
  try {
    const { def, arg } = parseLatencyChoice(text);
    if (def.arg && arg !== undefined) {
      try {
        def.arg.validate(arg);
      } catch (err) {
        if (err instanceof OptionError) return `${err.detail} (valid: ${LATENCY_CHOICES.join(', ')})`;
        throw err;
      }
    }
    return undefined;
  } catch (err) {
    if (err instanceof OptionError) return err.detail.startsWith('must be one of') ? `'${text}' is not one of ${LATENCY_CHOICES.join(', ')}` : err.detail;
    throw err;
  }
}

/** The file on this machine a `--latency` value names (`trace-pool:FILE,…` → FILE), without reading it; null for none. */
export function latencyFilePath(text: string): string | null {
  const { def, arg } = parseLatencyChoice(text);
  return def.arg?.file && arg !== undefined ? def.arg.file(arg) : null;
}

/** The registered model of `name` (a `--latency` value); OptionError (key 'latency') naming the valid ones otherwise. */
export function getLatencyModel(name: string): LatencyModelDef {
  return parseLatencyChoice(name).def;
}

/** The model of `spec`, its parameters checked. */
export function makeLatency(spec: LatencySpec): LatencyModel {
  const { def, arg } = parseLatencyChoice(spec.model);
  def.check(spec, arg);
  return def.create(spec, arg);
}
