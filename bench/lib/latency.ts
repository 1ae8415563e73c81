/** Latency percentiles in milliseconds (`max` null when a driver does not report it). */
export interface LatencySummary {
  count: number;
  p50: number;
  p90?: number;
  p99: number;
  max: number | null;
  mean?: number;
}

/** Beyond this many samples a recorder keeps a uniform random sample (memory stays bounded). */
const MAX_SAMPLES = 2_000_000;

/**
 * Records latencies (ms, sub-millisecond precision) and summarises them exactly: sorting a
 * few hundred thousand doubles costs milliseconds, so no histogram approximation is needed.
 */
export class LatencyRecorder {
  private samples = new Float64Array(4096);
  private size = 0;
  private seen = 0;

  record(ms: number): void {
    this.seen += 1;
    if (this.size >= MAX_SAMPLES) {
      // Reservoir sampling: every sample so far had the same chance to stay.
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < MAX_SAMPLES) this.samples[slot] = ms;
      return;
    }
    if (this.size === this.samples.length) {
      const grown = new Float64Array(Math.min(this.samples.length * 2, MAX_SAMPLES));
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.size++] = ms;
  }

  get count(): number {
    return this.seen;
  }

  summary(): Required<LatencySummary> & { max: number } {
    const sorted = this.samples.slice(0, this.size).sort();
    const at = (q: number): number =>
      sorted.length === 0
        ? 0
        : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0);
    let total = 0;
    for (const v of sorted) total += v;
    return {
      count: this.seen,
      p50: round(at(0.5)),
      p90: round(at(0.9)),
      p99: round(at(0.99)),
      max: round(sorted.length === 0 ? 0 : (sorted[sorted.length - 1] ?? 0)),
      mean: round(sorted.length === 0 ? 0 : total / sorted.length),
    };
  }
}

/** Two decimals: enough for milliseconds, short in JSON. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
