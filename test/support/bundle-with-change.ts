/** The real workflows bundled with one interceptor module of test/support/replay-changes/: a deliberate change to their commands. */
import { bundleWorkflowCode } from '@temporalio/worker';

export async function bundleWithChange(change: string): Promise<{ code: string }> {
  const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never;
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: [require.resolve(`./replay-changes/${change}`)],
    logger: silent,
  });
}
