/**
 * SIGINT/SIGTERM as a stop request, delivered once. A terminal's Ctrl-C signals the whole
 * foreground process group: under `npm run` (whose scripts exec node, so that a SIGTERM sent to
 * npm reaches the command) node receives it directly *and* again as npm's forwarded copy a few
 * milliseconds later. Signals within {@link DUPLICATE_SIGNAL_MS} of the first are that same
 * stop; a later one is a second, deliberate request.
 */

/** Signals this soon after the first count as the same stop (forwarded copies arrive within milliseconds). */
export const DUPLICATE_SIGNAL_MS = 1000;

/**
 * Calls `first` on the first SIGINT/SIGTERM and `again` (if given) on each later one that comes
 * at least `windowMs` after it; copies in between are ignored. Returns the function that removes
 * the handlers.
 */
export function onStopSignals(first: (sig: NodeJS.Signals) => void, again?: (sig: NodeJS.Signals) => void, windowMs = DUPLICATE_SIGNAL_MS): () => void {
  let firstAt: number | undefined;
  const handler = (sig: NodeJS.Signals) => {
    const now = performance.now();
    if (firstAt === undefined) {
      firstAt = now;
      first(sig);
    } else if (now - firstAt >= windowMs) {
      again?.(sig);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
