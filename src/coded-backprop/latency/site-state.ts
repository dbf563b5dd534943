/**
 * The per-site state of the latency models with memory (markov, hetero, correlated, bursts): one
 * seeded stream and one state per product site, created on the site's first call and kept for the
 * rest of the run. The stream of site s is streamSeed(seed, 'latency-site', s), so a site's
 * sequence of times depends only on the seed, the site and the W of its calls, not on the code's
 * draws or on the other sites (the same seed gives every code the same latency sequence).
 */
import { Rng, streamSeed } from '../../util/rng.ts';

/** Seed of the state when none is given (library callers; a training run gives its own). */
export const DEFAULT_LATENCY_SEED = 1;

/** A site's stream and state. */
export interface SiteState<S> {
  rng: Rng;
  state: S;
}

/** Per-site states, created lazily by `init` from the site's own stream. */
export class SiteStates<S> {
  private readonly sites = new Map<number, SiteState<S>>();

  constructor(
    readonly seed: number,
    private readonly init: (rng: Rng, site: number) => S,
  ) {}

  /** The state of `site` (created on first use). */
  at(site: number): SiteState<S> {
    let s = this.sites.get(site);
    if (!s) {
      const rng = new Rng(streamSeed(this.seed, 'latency-site', site));
      s = { rng, state: this.init(rng, site) };
      this.sites.set(site, s);
    }
    return s;
  }

  /** The sites used so far, ascending, with their states. */
  entries(): [number, S][] {
    return [...this.sites.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => [k, v.state]);
  }
}
