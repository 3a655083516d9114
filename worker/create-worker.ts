import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { connectionOptions } from '../client/temporal-connection';
import { createActivities, type ActivityDeps } from './activities';
import { heartbeatWhileRunning } from './activities/heartbeat-interceptor';
import type { TemporalSettings } from './config';

export function connectWorker(settings: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(settings));
}

export interface SmsWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Tests bundle the workflow code once and pass it here; otherwise it is bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export function createSmsWorker(options: SmsWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, workflowBundle, ...deps } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    maxConcurrentActivityTaskExecutions: 20,
    interceptors: { activity: [heartbeatWhileRunning] },
    // Heartbeats reach the server within a second, so a batch learns of a cancellation within a second.
    maxHeartbeatThrottleInterval: '1 second',
  });
}
