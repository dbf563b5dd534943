/** The registered latency models (one file each); the name list is derived from them. */
import { OptionError } from '../../util/option-error.ts';
import { exponentialModel } from './exponential.ts';
import type { LatencyModel, LatencyModelDef, LatencyParams } from './model.ts';
import { paretoModel } from './pareto.ts';
import { shiftedExponentialModel } from './shifted-exponential.ts';

/** Every model, in the order help texts list them. */
export const LATENCY_DEFS = [exponentialModel, shiftedExponentialModel, paretoModel] as const;

export type LatencyName = (typeof LATENCY_DEFS)[number]['name'];

/** The model names. */
export const LATENCY_MODELS: readonly LatencyName[] = LATENCY_DEFS.map((d) => d.name);

/** A model and its parameters, as the options give them. */
export interface LatencySpec extends LatencyParams {
  model: LatencyName;
}

/** The registered model called `name`; OptionError (key 'latency') naming the valid ones otherwise. */
export function getLatencyModel(name: string): LatencyModelDef {
  const def = (LATENCY_DEFS as readonly LatencyModelDef[]).find((d) => d.name === name);
  if (!def) throw new OptionError('latency', `must be one of ${LATENCY_MODELS.join(', ')} (got ${JSON.stringify(name)})`);
  return def;
}

/** The model of `spec`, its parameters checked. */
export function makeLatency(spec: LatencySpec): LatencyModel {
  const def = getLatencyModel(spec.model);
  def.check(spec);
  return def.create(spec);
}
