/**
 * Every activity heartbeats once a second while it runs, so a worker that dies in the middle of one is
 * noticed within the activity's heartbeat timeout (30 s for the short ones) instead of its start-to-close
 * timeout, and the activity runs again on another worker.
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

const EVERY_MS = 1000;

export const heartbeatWhileRunning: ActivityInterceptorsFactory = (context) => ({
  inbound: {
    async execute(input, next) {
      const timer = setInterval(() => context.heartbeat(), EVERY_MS);
      try {
        return await next(input);
      } finally {
        clearInterval(timer);
      }
    },
  },
});
