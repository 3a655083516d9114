/** What an inbound message changes on a project's kill list: STOP adds the sender, START removes it. */
import { classifyInboundMessage, type InboundIntent } from '../../domain/opt-out-keywords';
import { normalizeNumber } from '../../domain/phone';
import type { Directory } from '../directory/directory';
import { InboundRequestError, type InboundMessage } from './parse-inbound';

export type InboundOutcome = InboundIntent | 'ignored';

export interface InboundResult {
  recorded: InboundOutcome;
  /** The keyword behind the change, e.g. STOP (also the kill-list source `inbound:STOP`). */
  keyword?: string;
}

export type InboundDirectory = Pick<Directory, 'getProject' | 'addOptOut' | 'removeOptOut'>;

/**
 * Applies one inbound message to the project's kill list. The sender's number is read like every
 * number of the directory: E.164, or the local format of the project's default country.
 * Repeating a message changes nothing more (adding keeps the first entry, removing is idempotent).
 */
export async function recordInboundMessage(directory: InboundDirectory, projectId: string, message: InboundMessage): Promise<InboundResult> {
  const project = await directory.getProject(projectId);
  if (!project) {
    throw new InboundRequestError(
      404,
      `Unknown project "${projectId.slice(0, 100)}": post to /inbound/<projectId> with the id of an existing project (npm run sms -- project --id <id> … creates one).`,
    );
  }
  const field = message.format === 'form' ? 'From' : 'from';
  const number = normalizeNumber(message.from, project.defaultCountry);
  if (number.status !== 'valid') {
    const why = number.status === 'missing' ? 'it is empty.' : number.reason;
    throw new InboundRequestError(
      400,
      `"${field}" is not a usable phone number: ${why} Give the sender's number in E.164 (e.g. +15145551234) or in the local format of ${project.defaultCountry}.`,
    );
  }
  const decision = intentOf(message);
  if (!decision) return { recorded: 'ignored' };
  if (decision.intent === 'optOut') await directory.addOptOut(projectId, number.e164, `inbound:${decision.keyword}`);
  else await directory.removeOptOut(projectId, number.e164);
  return { recorded: decision.intent, keyword: decision.keyword };
}

/**
 * The keyword table decides; Twilio's OptOutType (Advanced Opt-Out, which may have custom keywords)
 * can add a decision. When the two disagree, opting out wins: a missed STOP is the costly mistake.
 */
function intentOf(message: InboundMessage): { intent: InboundIntent; keyword: string } | null {
  const match = classifyInboundMessage(message.body);
  const twilio = message.optOutType?.toUpperCase();
  const byTwilio: InboundIntent | undefined = twilio === 'STOP' ? 'optOut' : twilio === 'START' ? 'optIn' : undefined;
  if (match.intent === 'optOut') return match;
  if (byTwilio === 'optOut') return { intent: 'optOut', keyword: 'OptOutType=STOP' };
  if (match.intent === 'optIn') return match;
  if (byTwilio === 'optIn') return { intent: 'optIn', keyword: 'OptOutType=START' };
  return null;
}
