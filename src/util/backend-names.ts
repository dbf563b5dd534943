/** The `--backend` choices (without tfjs: the option catalogue lists them; src/util/backend.ts picks one). */
export const BACKENDS = ['auto', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];
