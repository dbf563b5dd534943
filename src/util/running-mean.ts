/** Streaming mean and variance (Welford) with a normal-approximation confidence interval. */
export class RunningMean {
  private n = 0;
  private mean_ = 0;
  private m2 = 0;

  add(x: number): void {
    this.n++;
    const d = x - this.mean_;
    this.mean_ += d / this.n;
    this.m2 += d * (x - this.mean_);
  }

  get count(): number {
    return this.n;
  }

  get mean(): number {
    return this.mean_;
  }

  /** Sample standard deviation (0 with fewer than two values). */
  get sd(): number {
    return this.n > 1 ? Math.sqrt(this.m2 / (this.n - 1)) : 0;
  }

  /** Half-width of the confidence interval mean ± z·sd/√n (z = 1.96 for 95%). */
  halfWidth(z = 1.96): number {
    return this.n > 0 ? (z * this.sd) / Math.sqrt(this.n) : Infinity;
  }
}
