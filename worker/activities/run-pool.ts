/** Runs `work` over the items `next` hands out with at most `lanes` in flight; after a failure no new item starts, and the first failure is thrown. */
export async function runLanes<T>(next: () => Promise<T | undefined>, lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let failure: { error: unknown } | null = null;
  const running = Array.from({ length: Math.max(1, lanes) }, async () => {
    while (failure === null) {
      try {
        const item = await next();
        // Another lane failed while this one waited for its item (a page being read): the item is left undone.
        if (item === undefined || failure !== null) return;
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(running);
  if (failure !== null) throw (failure as { error: unknown }).error;
}

/** `runLanes` over an array. */
export async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let index = 0;
  await runLanes(async () => (index < items.length ? items[index++] : undefined), Math.min(concurrency, items.length), work);
}
