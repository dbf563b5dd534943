/** The `--executor` choices of `npm run matmul` (without tfjs: the option catalogue lists them). */
export type Executor = 'f64' | 'tensor';
export const EXECUTORS: readonly Executor[] = ['f64', 'tensor'];
