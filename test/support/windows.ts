/** The most events in any window [t, t + windowMs) of the given times (ms). */
export function maxInWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let first = 0, last = 0; first < sorted.length; first++) {
    while (last < sorted.length && sorted[last] < sorted[first] + windowMs) last++;
    max = Math.max(max, last - first);
  }
  return max;
}
