/**
 * The console progress of a training run: on a terminal one line redrawn at most ten times a
 * second; elsewhere (logs, CI) one line every `every` iterations and at the end (0: never).
 */
import type { Progress } from './run.ts';

/** A progress callback writing to `out`. */
export function progressPrinter(out: NodeJS.WritableStream & { isTTY?: boolean }, every: number): (p: Progress) => void {
  const tty = Boolean(out.isTTY);
  let lastDraw = 0;
  const line = (p: Progress) =>
    `iteration ${p.iteration}/${p.total}  epoch ${p.epoch}  train acc (last 50) ${p.recentTrainAcc.toFixed(3)}` +
    `${Number.isNaN(p.lastTestAcc) ? '' : `  test acc ${p.lastTestAcc.toFixed(4)}`}  ${p.itsPerSec.toFixed(1)} it/s`;
  return (p) => {
    if (tty) {
      const now = performance.now();
      if (now - lastDraw > 100 || p.iteration === p.total) {
        lastDraw = now;
        out.write(`\r${line(p)}\x1b[K`);
        if (p.iteration === p.total) out.write('\n');
      }
    } else if (every > 0 && (p.iteration % every === 0 || p.iteration === p.total)) {
      out.write(`${line(p)}\n`);
    }
  };
}
