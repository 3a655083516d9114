/** A generated audience: `count` active contacts with distinct valid Canadian mobile numbers, the same for every benchmark. */
import type { ContactInput, Directory } from '../../worker/directory/directory';
import { renderMessage } from '../../domain/template';

export const MESSAGE = 'Flash sale {{firstName}}: 20% off today only. STOP to opt out';
export const SENDER = '+15145550000';

export function audienceNumber(i: number): string {
  return `+1514${String(2_000_000 + i).padStart(7, '0')}`;
}

function fields(i: number): Record<string, string> {
  return { firstName: `N${i}`, mobile: audienceNumber(i) };
}

/** What recipient `i` (0-based; snapshot seq i + 1) receives. */
export function audienceBody(message: string, i: number): string {
  return renderMessage(message, fields(i)).body;
}

export async function seedAudience(directory: Directory, projectId: string, count: number): Promise<void> {
  await directory.upsertProject({
    id: projectId,
    name: projectId,
    smsEnabled: true,
    numberField: 'mobile',
    defaultCountry: 'CA',
    timeZone: 'America/Toronto',
    senderId: SENDER,
    compliance: { quietHours: { enabled: false } },
  });
  for (let start = 0; start < count; start += 5000) {
    const batch: ContactInput[] = [];
    for (let i = start; i < Math.min(count, start + 5000); i++) batch.push({ externalId: `c${i}`, fields: fields(i) });
    await directory.upsertContacts(projectId, batch);
  }
}
