/** `npm run matmul -- --partition cxr` in-process: the c×r Monte Carlo beside its formula, and clear errors. */
import test from 'ava';
import { matmul } from '../experiments/matmul.ts';
import { OptionError } from '../src/config/index.ts';

async function captured(args: string[]): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    await matmul(args);
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

test.serial('matmul --partition cxr: Monte Carlo within reach of the c×r formula, packets per class printed', async (t) => {
  for (const scheme of ['ew', 'mds', 'uncoded']) {
    const out = await captured(['--partition', 'cxr', '--scheme', scheme, '--trials', '400', '--tmax', '2', '--seed', '4', '--M', '45', ...(scheme === 'ew' ? ['--workers', '15'] : [])]);
    const m = /normalised loss: ([\d.]+) +\(95% CI ([\d.]+) … ([\d.]+)\)/.exec(out);
    const theory = Number(/theory \(c×r[^)]*\)\): +([\d.]+)/.exec(out)?.[1]);
    t.truthy(m, out);
    const [lo, hi] = [Number(m?.[2]), Number(m?.[3])];
    const slack = (hi - lo) / 2; // 95% CI half-width: allow a second one against the formula
    t.true(theory >= lo - slack && theory <= hi + slack, `${scheme}: formula ${theory} vs CI ${lo} … ${hi}`);
    t.regex(out, /9 packets in classes \(3, 3, 3\)/);
    t.regex(out, /class 1: [\d.]+\/3, class 2: [\d.]+\/3, class 3: [\d.]+\/3/);
  }
});

test.serial('matmul --partition cxr: bad options name the option', async (t) => {
  const e1 = await t.throwsAsync<OptionError>(captured(['--partition', 'cxr', '--granularity', 'product', '--trials', '2']), { instanceOf: OptionError });
  t.is(e1?.key, 'granularity');
  const e2 = await t.throwsAsync<OptionError>(captured(['--partition', 'cxr', '--packet-classes', '0,1', '--trials', '2']), { instanceOf: OptionError });
  t.is(e2?.key, 'packetClasses');
  const e3 = await t.throwsAsync<OptionError>(captured(['--partition', 'cxr', '--packets', '20', '--M', '10', '--trials', '2']), { instanceOf: OptionError });
  t.is(e3?.flagMessage, '--packets: K = 20 packets need --M ≥ K (got 10)');
  const e4 = await t.throwsAsync<OptionError>(captured(['--partition', 'cxr', '--executor', 'tensor', '--trials', '2']), { instanceOf: OptionError });
  t.is(e4?.flagMessage, '--executor: partition cxr runs the float64 executor only (got tensor)');
  const e5 = await t.throwsAsync<OptionError>(captured(['--partition', 'cxr', '--variances', '1,2', '--trials', '2']), { instanceOf: OptionError });
  t.regex(e5?.flagMessage ?? '', /^--variances: partition cxr needs one variance per packet class \(3\), got 2/);
});
