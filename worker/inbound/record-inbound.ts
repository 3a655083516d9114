/**
 * What an inbound message changes on a project's kill list: STOP adds the sender, START removes an
 * entry that an inbound STOP made (never an operator's or a quarantine), each message id once and a
 * START only when it is later than the number's latest STOP (the directory's applyInboundKeyword).
 */
import { classifyInboundMessage, type InboundIntent } from '../../domain/opt-out-keywords';
import { normalizeNumber } from '../../domain/phone';
import type { Directory, InboundApplied } from '../directory/directory';
import { sourceKind } from '../directory/opt-outs';
import { InboundRequestError, type InboundMessage } from './parse-inbound';

/** `kept`: a START that left an operator's or quarantine entry in place; `outOfOrder`: a START older than the latest STOP. */
export type InboundOutcome = InboundIntent | 'ignored' | 'duplicate' | 'outOfOrder' | 'kept';

export interface InboundResult {
  recorded: InboundOutcome;
  /** The keyword behind the change, e.g. STOP (also the kill-list source `inbound:STOP`). */
  keyword?: string;
  /** With `kept`: who made the entry that stays (`cli`, `quarantine`, …), without names. */
  keptSource?: string;
}

export type InboundDirectory = Pick<Directory, 'getProject' | 'applyInboundKeyword'>;

const OUTCOMES: Record<InboundApplied, InboundOutcome> = {
  added: 'optOut',
  alreadyOptedOut: 'optOut',
  removed: 'optIn',
  notOptedOut: 'optIn',
  kept: 'kept',
  outOfOrder: 'outOfOrder',
  duplicate: 'duplicate',
};

/**
 * Applies one inbound message to the project's kill list. The sender's number is read like every
 * number of the directory: E.164, or the local format of the project's default country.
 */
export async function recordInboundMessage(
  directory: InboundDirectory,
  projectId: string,
  message: InboundMessage,
): Promise<InboundResult> {
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
  const outcome = await directory.applyInboundKeyword(projectId, {
    number: number.e164,
    intent: decision.intent,
    keyword: decision.keyword,
    ...(message.messageId ? { messageId: message.messageId } : {}),
    ...(message.sentAt === undefined ? {} : { sentAt: message.sentAt }),
  });
  return {
    recorded: OUTCOMES[outcome.applied],
    keyword: decision.keyword,
    ...(outcome.keptSource ? { keptSource: sourceKind(outcome.keptSource) } : {}),
  };
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
