/** A model of the registry (src/model/models/): a --model value and the network plan it names. */
import type { NetworkPlan } from './plan.ts';

export interface ModelEntry {
  /** The --model value, or its prefix for parametrised entries (e.g. 'mlp:' of mlp:W1,W2,…). */
  name: string;
  /** How --help writes it, e.g. 'mlp:W1,W2,…'. */
  syntax: string;
  summary: string;
  /**
   * The plan `text` names, undefined when `text` is not this entry's, or a string saying what
   * is wrong when it is this entry's but malformed (e.g. 'mlp:0').
   */
  parse(text: string): NetworkPlan | string | undefined;
}
