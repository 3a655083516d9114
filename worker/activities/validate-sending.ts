import parsePhoneNumber from 'libphonenumber-js/max';
import { renderMessage } from '../../domain/template';
import { addRecipient, emptyStats } from '../../domain/validation/message-stats';
import { evaluateSending } from '../../domain/validation/evaluate';
import type { ValidationReport } from '../../domain/validation/report';
import type { Directory } from '../directory/directory';
import { DirectoryInputError } from '../directory/errors';

const PAGE = 5000;

/** Reads the snapshot page by page, personalizes each message, and evaluates the validation points. */
export async function validateSending(directory: Directory, request: { sendingId: string; projectId: string; message: string; senderId: string | null }): Promise<ValidationReport> {
  const project = await directory.getProject(request.projectId);
  if (!project) throw new DirectoryInputError(`Unknown project "${request.projectId}".`);
  const stats = emptyStats();
  for (let after = 0; ; ) {
    const rows = await directory.readSnapshot(request.sendingId, after, PAGE);
    for (const row of rows) {
      if (row.state === 'skipped') continue;
      const { body, missing } = renderMessage(request.message, row.fields);
      addRecipient(stats, { contactId: row.externalId ?? row.contactId, body, missing, country: parsePhoneNumber(row.e164)?.country ?? 'unknown' });
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1].seq;
  }
  return evaluateSending({ message: request.message, senderId: request.senderId ?? project.senderId, stats });
}
