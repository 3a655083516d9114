/** The control of test/workflow/replay.test.ts: an interceptor that changes nothing, so the real workflow still replays. */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [{ scheduleActivity: (input, next) => next(input) }],
});
