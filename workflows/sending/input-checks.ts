/**
 * The shape of every update's input, checked in the validators before anything else (synchronous, no
 * state): known fields only, the right types, sizes within domain/input-limits.ts, no prototype keys.
 * A refusal names the field and the fix, and the update changes nothing.
 */
import { INPUT_LIMITS } from '../../domain/input-limits';
import { findPrototypeKey } from '../../domain/prototype-keys';
import type { IdentityEstablished } from '../messages';
import { refuse } from './context';

type Input = Record<string, unknown>;

export const ESTABLISHED: readonly IdentityEstablished[] = ['signedLink', 'nodeParameter', 'operator', 'selfDeclared'];

const invalid = (message: string) => refuse(message, 'InvalidInput');
// Line breaks and other control characters in a name would let it forge lines of the audit log as printed.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** The input is an object with only `fields` (plus `established`), and no `__proto__`, `constructor` or `prototype` key anywhere. */
export function checkInputObject(input: unknown, update: string, fields: readonly string[]): Input {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalid(`The ${update} request must be an object with ${fields.join(', ')}.`);
  const prototypeKey = findPrototypeKey(input);
  if (prototypeKey) throw invalid(`"${prototypeKey}": a key named __proto__, constructor or prototype is refused: remove it.`);
  const allowed = [...fields, 'established'];
  const extra = Object.keys(input).find((key) => !allowed.includes(key));
  if (extra !== undefined) throw invalid(`"${extra}" is not a field of the ${update} request; its fields are ${allowed.join(', ')}.`);
  checkEstablished((input as Input).established);
  return input as Input;
}

export function checkEstablished(value: unknown): void {
  if (value !== undefined && !ESTABLISHED.includes(value as IdentityEstablished)) {
    throw invalid(
      `"established" ${JSON.stringify(value)} is not one of ${ESTABLISHED.join(', ')}: say how the actor's identity was established, or leave it out.`,
    );
  }
}

const characters = (text: string): number => [...text].length;

/** A name the audit log can show as it is: text on one line, not blank, within the actor limit. */
export const isPlainName = (value: unknown): value is string =>
  typeof value === 'string' && value.trim() !== '' && characters(value) <= INPUT_LIMITS.actor && !CONTROL.test(value);

/** A text field: a string within `max` characters; `required` ones not blank. Names may not hold control characters. */
export function checkText(
  input: Input,
  field: string,
  options: { max: number; required?: boolean; name?: boolean; anyCharacter?: boolean; hint?: string },
): void {
  const value = input[field];
  if (value === undefined || value === null) {
    if (options.required) throw invalid(`"${field}" is required: ${options.hint ?? 'give a value'}.`);
    return;
  }
  if (typeof value !== 'string') throw invalid(`"${field}" must be text, got ${Array.isArray(value) ? 'a list' : typeof value}.`);
  if (options.required && value.trim() === '') throw invalid(`"${field}" is required: ${options.hint ?? 'give a value'}.`);
  const length = characters(value);
  if (length > options.max) throw invalid(`"${field}" is ${length} characters long; at most ${options.max} are accepted: shorten it.`);
  if (!options.anyCharacter && (options.name ? CONTROL : CONTROL_BUT_LINES).test(value)) {
    throw invalid(`"${field}" contains a control character${options.name ? ' or a line break' : ''}: remove it.`);
  }
}

export function checkActor(input: Input, field = 'actor'): void {
  checkText(input, field, { max: INPUT_LIMITS.actor, required: true, name: true, hint: 'say who does this (a name or an e-mail)' });
}

export function checkReason(input: Input, action: string): void {
  const reason = input.reason;
  if (reason === undefined || reason === null || (typeof reason === 'string' && reason.trim() === ''))
    throw invalid(`"reason" is required to ${action} a sending: say why.`);
  checkText(input, 'reason', { max: INPUT_LIMITS.reason });
}

export function checkOptionalBoolean(input: Input, field: string): void {
  const value = input[field];
  if (value !== undefined && typeof value !== 'boolean') throw invalid(`"${field}" must be true or false, got ${JSON.stringify(value)}.`);
}

/** A schedule: `{"mode": "now"}` or `{"mode": "later", "localDateTime", "timeZone", "allowBeyondOneYear"?}` (values are checked by resolveSendAt). */
export function checkScheduleShape(value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(
      '"schedule" must be {"mode": "now"} or {"mode": "later", "localDateTime": "2026-12-01T09:00", "timeZone": "America/Toronto"}.',
    );
  }
  const schedule = value as Input;
  const fields = schedule.mode === 'later' ? ['mode', 'localDateTime', 'timeZone', 'allowBeyondOneYear'] : ['mode'];
  const extra = Object.keys(schedule).find((key) => !fields.includes(key));
  if (extra !== undefined)
    throw invalid(
      `"schedule.${extra}" is not a field of a ${schedule.mode === 'later' ? 'later' : '"now"'} schedule; its fields are ${fields.join(', ')}.`,
    );
  for (const field of ['localDateTime', 'timeZone']) {
    const text = schedule[field];
    if (typeof text === 'string' && characters(text) > INPUT_LIMITS.scheduleField)
      throw invalid(
        `"schedule.${field}" is longer than ${INPUT_LIMITS.scheduleField} characters: give YYYY-MM-DDTHH:mm and an IANA time zone name (docs/bad-input.md, "Send time").`,
      );
  }
}

/** Group names of a selection: a list of at most INPUT_LIMITS.groups names, each text within the name limit. */
export function checkGroups(value: unknown): void {
  if (!Array.isArray(value)) throw invalid(`"groups" must be a list of group names, got ${typeof value}.`);
  if (value.length > INPUT_LIMITS.groups)
    throw invalid(`"groups" lists ${value.length} groups; at most ${INPUT_LIMITS.groups} are accepted in one selection.`);
  value.forEach((group, i) => {
    if (typeof group !== 'string' || group.trim() === '')
      throw invalid(`"groups[${i}]" must be a group name, got ${JSON.stringify(group)}.`);
    if (characters(group) > INPUT_LIMITS.name)
      throw invalid(`"groups[${i}]" is longer than ${INPUT_LIMITS.name} characters: no group has such a name.`);
  });
}
