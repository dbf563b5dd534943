/**
 * Picks the tfjs backend once per process: tfjs-node when it loads, else wasm, else cpu.
 * Commands pass `--backend` through `requested` to override the automatic choice.
 */
import * as tf from '@tensorflow/tfjs';

import { BACKENDS, type BackendChoice } from './backend-names.ts';
import { UserError } from './user-error.ts';

export { BACKENDS, type BackendChoice };

/** Name of the tfjs backend that actually runs ('tensorflow', 'wasm' or 'cpu'). */
export type ActiveBackend = string;

async function tryNode(): Promise<boolean> {
  try {
    // tfjs-node is an optional dependency; it registers the 'tensorflow' backend on import.
    const name = '@tensorflow/tfjs-node';
    await import(name);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

let active: Promise<ActiveBackend> | null = null;
let activeChoice: BackendChoice | null = null;

/**
 * Initialise tfjs with the requested backend and return the name of the one that runs.
 * `auto` tries node → wasm → cpu; a named backend that cannot load is an error.
 * Calling again with the same choice returns the same backend.
 */
export function initBackend(requested: BackendChoice = 'auto'): Promise<ActiveBackend> {
  if (!BACKENDS.includes(requested)) {
    throw new RangeError(`backend: '${String(requested)}' is not one of ${BACKENDS.join(', ')}`);
  }
  if (active && activeChoice === requested) return active;
  activeChoice = requested;
  active = (async () => {
    const order: Array<'node' | 'wasm' | 'cpu'> = requested === 'auto' ? ['node', 'wasm', 'cpu'] : [requested];
    for (const b of order) {
      const ok = b === 'node' ? await tryNode() : b === 'wasm' ? await tryWasm() : await tf.setBackend('cpu');
      if (ok) {
        await tf.ready();
        return tf.getBackend();
      }
    }
    // a user's choice this machine cannot serve: one line, no stack
    throw new UserError(`--backend: '${requested}' could not be loaded on this machine (try --backend auto)`);
  })();
  return active;
}
