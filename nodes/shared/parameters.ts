import type { IExecuteFunctions } from 'n8n-workflow';
import type { Schedule } from '../../domain/schedule';

/** The schedule chosen with `scheduleProperties`. */
export function scheduleFromParameters(context: IExecuteFunctions, i: number): Schedule {
  if (context.getNodeParameter('when', i) === 'now') return { mode: 'now' };
  const allowBeyondOneYear = context.getNodeParameter('allowBeyondOneYear', i, false) === true;
  return {
    mode: 'later',
    localDateTime: String(context.getNodeParameter('localDateTime', i)).trim(),
    timeZone: String(context.getNodeParameter('timeZone', i)).trim(),
    ...(allowBeyondOneYear ? { allowBeyondOneYear } : {}),
  };
}
