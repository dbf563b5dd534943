import test from 'ava';
import { productEnergies } from '../src/design/index.ts';
import { frob2, gaussian, matmul } from '../src/util/matrix.ts';
import { Rng } from '../src/util/rng.ts';

test('class energies of a product sum to ‖C‖² of the exact product, and the norm ordering puts the big rows in class 0', (t) => {
  const rng = new Rng(11);
  // A 9×20 whose rows 4 and 7 are 10× larger; B 20×6 whose column 2 is 10× larger.
  const A = gaussian(9, 20, rng, (r) => (r === 4 || r === 7 ? 10 : 1));
  const B = gaussian(20, 6, rng, (_r, c) => (c === 2 ? 10 : 1));
  const e = productEnergies(A, B);
  const exact = frob2(matmul(A, B));
  t.true(Math.abs(e.total - exact) <= 1e-12 * exact, `${e.total} vs ${exact}`);
  t.true(Math.abs(e.block.reduce((a, b) => a + b, 0) - exact) <= 1e-12 * exact);
  t.deepEqual(e.layout.classSizes, [1, 2, 6]);
  t.true(Math.abs(e.fractions.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  // Block (0,0) holds rows {4, 7, x} and the top columns: ≈ (2·100 + 1)·(100 + 1) of (9+198)·(5+100) per entry scale.
  t.true(e.fractions[0] > 0.5, `class 0 carries ${e.fractions[0]}`);
  // Without ordering, the big rows are not gathered: class 0 carries less.
  const none = productEnergies(A, B, { ordering: 'none' });
  t.true(Math.abs(none.total - exact) <= 1e-12 * exact);
  t.true(none.fractions[0] < e.fractions[0]);
});

test('a zero product has zero energies and zero fractions', (t) => {
  const rng = new Rng(2);
  const A = gaussian(6, 4, rng, () => 0);
  const B = gaussian(4, 6, rng, () => 1);
  const e = productEnergies(A, B);
  t.is(e.total, 0);
  t.deepEqual(e.fractions, [0, 0, 0]);
});
