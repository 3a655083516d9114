/** A deliberate replay break (test/workflow/replay.test.ts): the real workflow starts a timer before each activity. */
import { sleep, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      async scheduleActivity(input, next) {
        await sleep(1000);
        return next(input);
      },
    },
  ],
});
