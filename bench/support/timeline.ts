/** Seconds since the benchmark's process started at which each step ended (notes.timeline): where the run's time goes. */
export function startTimeline(benchmark: string): { steps: Record<string, number>; mark(step: string): void } {
  const steps: Record<string, number> = {};
  return {
    steps,
    mark(step) {
      steps[step] = Number((performance.now() / 1000).toFixed(1));
      console.log(`[${benchmark}] ${steps[step]} s: ${step}`);
    },
  };
}
