/**
 * A worker process that runs workflow tasks only (no activities), so a test can SIGKILL it while its
 * workflows' activities go on elsewhere: its sticky queue is left with nobody polling it.
 * Env: TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, WORKER_WORKFLOW_BUNDLE.
 */
import { NativeConnection, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE!;
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue,
    workflowBundle: { codePath: process.env.WORKER_WORKFLOW_BUNDLE! },
  });
  const running = worker.run();
  process.stdout.write(`[worker] task queue ${taskQueue} (workflows only)\n`);
  await running;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
