/** Theory of Sec. IV: received-count distribution, decoding probabilities, expected loss. */
export * from './validate.js';
export * from './received.js';
export * from './decoding.js';
export * from './expected-loss.js';
export * from './setup.js';
