/** A deliberate replay break (test/workflow/replay.test.ts): the real workflow schedules every activity under another name. */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [{ scheduleActivity: (input, next) => next({ ...input, activityType: `${input.activityType}Renamed` }) }],
});
