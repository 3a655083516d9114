/** Turns a uniform draw into a latency of the scenario's distribution. */
import type { Latency } from './scenario';

/** `u` in [0, 1); whole milliseconds. */
export function sampleLatency(latency: Latency, u: number): number {
  switch (latency.kind) {
    case 'fixed':
      return Math.round(latency.ms);
    case 'uniform':
      return Math.round(latency.minMs + u * (latency.maxMs - latency.minMs));
    case 'percentiles': {
      const percentile = u * 100;
      const { points } = latency;
      let i = 1;
      while (i < points.length - 1 && points[i][0] <= percentile) i++;
      const [[p0, ms0], [p1, ms1]] = [points[i - 1], points[i]];
      return Math.round(ms0 + ((percentile - p0) / (p1 - p0)) * (ms1 - ms0));
    }
  }
}
