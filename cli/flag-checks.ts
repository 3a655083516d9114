/** What each flag's value must look like; each check returns the problem and its fix, or undefined. */
import { INPUT_LIMITS } from '../domain/input-limits';
import { isValidTimeZone } from '../domain/schedule';
import { SENDING_STATES } from '../domain/types';
import { CSV_ENCODINGS, knownCsvEncoding } from '../worker/directory/csv-decode';
import { MAX_PARALLEL_BATCHES } from '../workflows/tuning';

type Check = (value: string) => string | undefined;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const length = (value: string): number => [...value].length;

export const text =
  (max: number): Check =>
  (value) =>
    length(value) > max ? `is ${length(value)} characters long; at most ${max} are accepted: shorten it` : undefined;

/** A name recorded or shown on one line (who acts, a project's name): no control characters or line breaks. */
export const name =
  (max: number = INPUT_LIMITS.name): Check =>
  (value) =>
    text(max)(value) ?? (CONTROL.test(value) ? 'contains a control character or a line break: remove it' : undefined);

/** A project id: it goes into Temporal's visibility query (list), so no quotes or backslashes. */
export const projectId: Check = (value) =>
  name()(value) ??
  (/['"`\\]/.test(value) ? 'a project id cannot contain quotes or backslashes: use letters, digits, "-", "_" or "."' : undefined);

export const boolean: Check = (value) => (value === 'true' || value === 'false' ? undefined : 'must be true or false');

export const country: Check = (value) =>
  /^[A-Za-z]{2}$/.test(value) ? undefined : 'must be a two-letter ISO 3166-1 country code such as CA, US or FR';

export const timeZone: Check = (value) =>
  isValidTimeZone(value) ? undefined : 'is not an IANA time zone: use a name such as America/Toronto or Europe/Paris';

export const localDateTime: Check = (value) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)
    ? undefined
    : 'must be a local date and time YYYY-MM-DDTHH:mm, e.g. 2026-12-01T09:00';

export const approvalHash: Check = (value) =>
  /^[0-9a-f]{64}$/.test(value) ? undefined : 'must be the 64 hexadecimal characters of the approval hash that status shows';

export const sendingState: Check = (value) =>
  (SENDING_STATES as readonly string[]).includes(value) ? undefined : `is not a sending state; the states are ${SENDING_STATES.join(', ')}`;

export const groupList: Check = (value) => {
  const groups = value.split(',').map((group) => group.trim());
  if (groups.some((group) => group === '')) return 'lists an empty group name: separate group names with single commas, e.g. customers,vip';
  if (groups.length > INPUT_LIMITS.groups) return `lists ${groups.length} groups; at most ${INPUT_LIMITS.groups} are accepted`;
  return groups.map((group) => name()(group)).find(Boolean);
};

/** Batches of one sending in flight at once (workflows/tuning.ts). */
export const parallelBatches: Check = (value) =>
  /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_PARALLEL_BATCHES
    ? undefined
    : `must be a whole number from 1 to ${MAX_PARALLEL_BATCHES}: the batches of the sending in flight at once`;

export const csvEncoding: Check = (value) =>
  knownCsvEncoding(value)
    ? undefined
    : `is not an encoding the import reads: use one of ${CSV_ENCODINGS.join(', ')} (or save the file as UTF-8)`;
