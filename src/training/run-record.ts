/**
 * What a run's config.json records: the resolved options (JSON-safe), the engine's coded
 * options of every product site, and the versions of what ran.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { ResolvedCodedOptions } from '../coded-backprop/index.ts';
import type { TrainConfig } from './train-config.ts';

/** The options of a resolved run as stored in config.json (Infinity as "Infinity"). */
export function optionsRecord(r: TrainConfig): Record<string, unknown> {
  const { coded: _coded, sites, ...rest } = r;
  const siteGammas = Object.fromEntries(Object.entries(sites).map(([k, o]) => [k, codedRecord(o)]));
  return { ...rest, tmax: r.tmax === Infinity ? 'Infinity' : r.tmax, sites: Object.keys(siteGammas).length ? siteGammas : null };
}

/** The engine's options, as config.json records them. */
export function codedRecord(c: ResolvedCodedOptions): Record<string, unknown> {
  return {
    scheme: c.scheme,
    summary: c.code.summary,
    workers: c.workers,
    K: c.K,
    tmax: c.tmax === Infinity ? 'Infinity' : c.tmax,
    granularity: c.granularity,
    gamma: c.gamma,
    ordering: c.ordering,
    latency: c.latencySpec,
    // models with memory: their seeded state as drawn by the end of the run (e.g. hetero's rates)
    ...(c.latency.stateRecord ? { latencyState: c.latency.stateRecord() } : {}),
    assign: c.assign,
    ...(c.assigner ? { assignState: c.assigner.record() } : {}),
    ...(c.replay ? { replay: { trace: c.replay.path, calls: c.replay.callCount, timeUnitMs: c.replay.timeUnitMs } } : {}),
    partition: c.partition,
    grid: c.cxr ? { packets: c.cxr.shape.K, classOf: c.cxr.shape.classOf, classSizes: c.cxr.shape.classSizes } : { N: c.grid.N, P: c.grid.P, levels: c.grid.levels, classSizes: c.grid.classSizes },
    tolerance: c.tolerance,
    // recorded only when not the default, so earlier runs' records stay as they were
    ...(c.estimate !== 'plain' && c.unbiased ? { estimate: c.estimate, unbiased: { floor: c.unbiased.floor, source: c.unbiased.source, plans: c.unbiased.plans, probability: c.unbiased.probability } } : {}),
  };
}

let versionsCache: Record<string, string | null> | null = null;

/** Package version, git commit, node and tfjs versions (the commit is null outside a checkout). */
export function versions(): Record<string, string | null> {
  if (versionsCache) return versionsCache;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  let pkg: string | null = null;
  try {
    pkg = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    /* not found */
  }
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
      .toString()
      .trim();
  } catch {
    /* not a git checkout */
  }
  versionsCache = { package: pkg, gitCommit: commit, node: process.version, tfjs: tf.version.tfjs };
  return versionsCache;
}
