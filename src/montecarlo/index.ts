/** Monte Carlo of the real codes (Figs. 3–4): setup and formulas, trial engine, statistics. */
export * from './setup.js';
export * from './engine.js';
export * from './stats.js';
export * from './parallel.js';
