/** What approvals record and use: the audit log and proof sends. */
import type { AuditEntry } from '../directory/directory';
import type { AuditLog } from '../directory/roles';
import { proofSend, type ProofSendDeps, type ProofSendRequest } from './proof-send';

export type GovernanceDeps = ProofSendDeps & { directory: ProofSendDeps['directory'] & AuditLog };

export function governanceActivities(deps: GovernanceDeps) {
  const { directory } = deps;
  return {
    async proofSend(request: ProofSendRequest): Promise<{ sentTo: string; sampleSeq: number }> {
      return proofSend(deps, request);
    },

    async recordAudit(entry: AuditEntry): Promise<void> {
      await directory.audit(entry);
    },
  };
}
