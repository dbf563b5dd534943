/** Monte Carlo of the real codes (Figs. 3–4): setup and formulas, trial engine, statistics. */
export * from './setup.ts';
export * from './diagnostics.ts';
export * from './chunks.ts';
export * from './trial.ts';
export * from './run.ts';
export * from '../util/stats.ts';
export * from './parallel.ts';
export * from './cxr.ts';
export * from './batch-means.ts';
