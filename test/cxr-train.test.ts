/** Training with --partition cxr: the run's coded options carry the c×r packets, and config.json records them. */
import test from 'ava';
import { resolveTrainConfig } from '../src/training/index.ts';
import { codedRecord } from '../src/training/run-record.ts';

test('train --partition cxr resolves c×r coded options (K = 9 packets, 3 classes of 3) and records them', (t) => {
  const cfg = resolveTrainConfig({ scheme: 'ew', tmax: 0.5, partition: 'cxr' });
  if (cfg.coded === 'baseline') return t.fail('coded run expected');
  t.is(cfg.coded.partition, 'cxr');
  t.deepEqual(cfg.coded.cxr?.shape.classSizes, [3, 3, 3]);
  t.is(cfg.coded.workers, 15);
  const rec = codedRecord(cfg.coded);
  t.is(rec.partition, 'cxr');
  t.deepEqual(rec.grid, { packets: 9, classOf: [0, 0, 0, 1, 1, 1, 2, 2, 2], classSizes: [3, 3, 3] });
  const rxc = resolveTrainConfig({ scheme: 'ew', tmax: 0.5 });
  t.is(rxc.coded !== 'baseline' && rxc.coded.partition, 'rxc');
  t.throws(() => resolveTrainConfig({ scheme: 'ew', tmax: 0.5, partition: 'cxr', granularity: 'product' }), { message: /product granularity/ });
});
