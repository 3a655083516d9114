import { DateTime } from 'luxon';
import type { IExecuteFunctions } from 'n8n-workflow';
import type { SendingClient } from '../../client/sending-client';
import type { Schedule } from '../../domain/schedule';

/** Time Zone's default: the zone of the sending's project, looked up when the node runs. */
export const PROJECT_TIME_ZONE = 'project';

const WITH_OFFSET = /T.*(?:[zZ]|[+-]\d{2}:?\d{2})$/;

/**
 * Local Date and Time as wall-clock text in `timeZone`. The date-time picker gives wall time
 * (`YYYY-MM-DDTHH:mm:ss`), kept as it is; an instant (a Date, a luxon DateTime such as `$now.plus(…)`,
 * or ISO text with an offset) is the wall time it shows in `timeZone`.
 */
export function localDateTimeOf(value: unknown, timeZone: string): string {
  const instant =
    value instanceof Date
      ? DateTime.fromJSDate(value)
      : DateTime.isDateTime(value)
        ? value
        : typeof value === 'string' && WITH_OFFSET.test(value.trim())
          ? DateTime.fromISO(value.trim(), { setZone: true })
          : null;
  if (instant === null || !instant.isValid) return String(value ?? '').trim();
  const local = instant.setZone(timeZone);
  return local.isValid ? local.toFormat(local.second === 0 ? "yyyy-MM-dd'T'HH:mm" : "yyyy-MM-dd'T'HH:mm:ss") : String(value).trim();
}

/** The schedule chosen with `scheduleProperties`; "the project's time zone" (or none) is the project's IANA zone. */
export async function scheduleFromParameters(
  context: IExecuteFunctions,
  i: number,
  sendings: SendingClient,
  sendingId: string,
): Promise<Schedule> {
  if (context.getNodeParameter('when', i) === 'now') return { mode: 'now' };
  const chosen = String(context.getNodeParameter('timeZone', i, PROJECT_TIME_ZONE) ?? '').trim();
  const timeZone = chosen === '' || chosen === PROJECT_TIME_ZONE ? await sendings.projectTimeZone(sendingId) : chosen;
  const allowBeyondOneYear = context.getNodeParameter('allowBeyondOneYear', i, false) === true;
  return {
    mode: 'later',
    localDateTime: localDateTimeOf(context.getNodeParameter('localDateTime', i), timeZone),
    timeZone,
    ...(allowBeyondOneYear ? { allowBeyondOneYear } : {}),
  };
}
