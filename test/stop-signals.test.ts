import test from 'ava';
import { onStopSignals } from '../src/util/stop-signals.ts';

test('stop signals: the first calls first, copies within the window are ignored, a later one calls again', async (t) => {
  const calls: string[] = [];
  const dispose = onStopSignals(
    (sig) => calls.push(`first ${sig}`),
    (sig) => calls.push(`again ${sig}`),
    100,
  );
  try {
    process.emit('SIGINT', 'SIGINT');
    // npm's forwarded copy of a terminal's Ctrl-C, milliseconds later
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGTERM', 'SIGTERM');
    t.deepEqual(calls, ['first SIGINT']);
    await new Promise((r) => setTimeout(r, 150));
    process.emit('SIGINT', 'SIGINT');
    t.deepEqual(calls, ['first SIGINT', 'again SIGINT']);
  } finally {
    dispose();
  }
  process.emit('SIGTERM', 'SIGTERM');
  t.is(calls.length, 2, 'disposed: no more calls');
});
