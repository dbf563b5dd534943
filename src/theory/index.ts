/** Theory of Sec. IV: received-count distribution, decoding probabilities, expected loss. */
export * from './validate.ts';
export * from './received.ts';
export * from './decoding.ts';
export * from './expected-loss.ts';
export * from './setup.ts';
export * from './cxr.ts';
export * from './field-codes.ts';
export * from './product-code.ts';
export * from './conditioning.ts';
