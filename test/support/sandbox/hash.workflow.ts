/** Test-only workflow: domain/hash.ts computed inside the workflow sandbox (no node:crypto there). */
import { sha256Hex } from '../../../domain/hash';
import type { Sha256Input } from '../sha256-vectors';

export async function sha256InSandboxWorkflow(inputs: Sha256Input[]): Promise<string[]> {
  return inputs.map((input) => sha256Hex(input.text.repeat(input.repeat)));
}
