/**
 * domain/hash.ts inside a real workflow on the dev server (the sandbox the approval hash runs in) gives
 * the published SHA-256 answers and the same digests as node:crypto.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { PADDING_BOUNDARY_INPUTS, PUBLISHED_SHA256_VECTORS, UTF8_SHA256_INPUTS, textOf } from '../support/sha256-vectors';
import { TEMPORAL_ADDRESS } from '../support/temporal';

const nodeSha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never;

test('the workflow sandbox computes the published SHA-256 digests and agrees with node:crypto on UTF-8 text', async () => {
  const taskQueue = `hash-${randomUUID()}`;
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../support/sandbox/hash.workflow'), logger: silent });
  const workerConnection = await NativeConnection.connect({ address: TEMPORAL_ADDRESS });
  const worker = await Worker.create({ connection: workerConnection, taskQueue, workflowBundle });
  const connection = await Connection.connect({ address: TEMPORAL_ADDRESS });
  const inputs = [...PUBLISHED_SHA256_VECTORS, ...UTF8_SHA256_INPUTS, ...PADDING_BOUNDARY_INPUTS].map(({ name, text, repeat }) => ({
    name,
    text,
    repeat,
  }));
  try {
    const digests = await worker.runUntil(
      new Client({ connection }).workflow.execute('sha256InSandboxWorkflow', { taskQueue, workflowId: taskQueue, args: [inputs] }),
    );
    const expected = [
      ...PUBLISHED_SHA256_VECTORS.map((vector) => vector.digest),
      ...[...UTF8_SHA256_INPUTS, ...PADDING_BOUNDARY_INPUTS].map((input) => nodeSha256(textOf(input))),
    ];
    expect(Object.fromEntries(inputs.map((input, i) => [input.name, digests[i]]))).toEqual(
      Object.fromEntries(inputs.map((input, i) => [input.name, expected[i]])),
    );
  } finally {
    await connection.close();
    await workerConnection.close();
  }
});
