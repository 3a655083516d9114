/** Peak resident memory of this process while a piece of work runs, sampled every few milliseconds. */
export interface Measured<T> {
  result: T;
  seconds: number;
  /** Highest RSS seen during the work, MiB. */
  peakRssMiB: number;
  /** RSS growth over the RSS just before the work, MiB. */
  peakGrowthMiB: number;
}

const MiB = 2 ** 20;

export async function measure<T>(work: () => Promise<T>, sampleMs = 5): Promise<Measured<T>> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, sampleMs);
  const started = performance.now();
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, seconds: (performance.now() - started) / 1000, peakRssMiB: peak / MiB, peakGrowthMiB: (peak - before) / MiB };
  } finally {
    clearInterval(timer);
  }
}
