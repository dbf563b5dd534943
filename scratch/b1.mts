import { codedMatMulF64, codedMatMul, resolveCodedOptions } from '../src/coded-backprop/index.ts';
import { matmul, gaussian } from '../src/util/matrix.ts';
import { Rng } from '../src/util/rng.ts';
import { initBackend } from '../src/util/backend.ts';
import * as tf from '@tensorflow/tfjs';
await initBackend();
const rng = new Rng(1);
const A = gaussian(90, 30, rng, () => 1), B = gaussian(30, 7, rng, () => 1);
const C = matmul(A, B);
const fro = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));
for (const tmax of [Infinity, 4, 2, 1, 0.5]) {
  const o = resolveCodedOptions({ scheme: 'bacc', tmax, rowBlocks: 9, colBlocks: 1, levels: 1, ordering: 'none' });
  const r = codedMatMulF64(A, B, o, new Rng(3));
  const d = r.C.data.map((v, e) => v - C.data[e]);
  const t = codedMatMul(tf.tensor2d(Float32Array.from(A.data), [90, 30]), tf.tensor2d(Float32Array.from(B.data), [30, 7]), o, new Rng(3));
  const dt = (t.C.dataSync() as Float32Array).map((v, e) => v - r.C.data[e]);
  console.log(tmax, r.stats.workersReceived, r.stats.blocksEstimated, r.stats.blocksRecovered, r.stats.blocksWithheld, (fro(d) ** 2 / fro(C.data) ** 2).toFixed(4), 'tensor vs f64', (fro(dt)/fro(r.C.data)).toExponential(2), t.stats.blocksEstimated);
}
