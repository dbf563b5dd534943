import test from 'ava';
import { Rng } from '../src/util/rng.ts';

test('fillNormal gives the values of normal() × scale, bit for bit, and leaves the stream where normal() would', (t) => {
  for (const seed of [1, 2, 12345]) {
    for (const [skip, n, scale] of [[0, 0, 1], [0, 1, 1], [0, 7, 0.5], [1, 6, 0.05], [3, 1001, 2.5]] as const) {
      const a = new Rng(seed);
      const b = new Rng(seed);
      for (let k = 0; k < skip; k++) t.is(b.normal(), a.normal()); // an odd skip leaves a spare normal
      const want = new Float32Array(n);
      for (let i = 0; i < n; i++) want[i] = a.normal() * scale;
      const got = new Float32Array(n);
      b.fillNormal(got, scale);
      t.deepEqual(Buffer.from(got.buffer), Buffer.from(want.buffer), `seed ${seed}, skip ${skip}, n ${n}`);
      const w64 = new Float64Array(3);
      b.fillNormal(w64);
      t.deepEqual([...w64], [a.normal(), a.normal(), a.normal()]);
      t.is(b.nextUint32(), a.nextUint32());
    }
  }
});
