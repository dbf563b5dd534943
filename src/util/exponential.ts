/** The exponential distribution's CDF, the one definition (latency models and the theory use it). */

/** F(t) = 1 − e^{−rate·t} for t > 0, else 0 (computed as −expm1 for accuracy at small rate·t). */
export function exponentialCdf(rate: number, t: number): number {
  return t <= 0 ? 0 : -Math.expm1(-rate * t);
}
