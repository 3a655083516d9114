/**
 * Message personalization: `[[fieldName]]` placeholders (spaces inside the brackets allowed) filled
 * from a contact's profile fields. `{{fieldName}}`, the first syntax, is still read: it collides with
 * n8n's expressions, so the nodes refuse it where n8n has already evaluated it (see
 * `findSwallowedPlaceholders`). Pure, importable from the workflow sandbox.
 */

export class TemplateError extends Error {
  readonly field = 'message';

  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** A field name: a letter or `_`, then letters, digits, `_`, `-` or `.` (e.g. `firstName`, `address.city`). */
export const FIELD_NAME = /^[A-Za-z_][\w.-]*$/;
const PLACEHOLDER = /\[\[\s*([A-Za-z_][\w.-]*)\s*\]\]|\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;
/** Anything between double brackets or braces, to find the ones that are not a valid placeholder. */
const BRACKETED = /\[\[([^[\]]*)\]\]|\{\{([^{}]*)\}\}/g;

/** Field names used by the text, each once, in order of first use. */
export function listPlaceholders(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1] ?? match[2]);
  return [...names];
}

/**
 * Double-bracket or double-brace groups that are not valid placeholders (e.g. `[[first name]]`,
 * `{{}}`): they would be sent as typed, so callers can report them.
 */
export function listMalformedPlaceholders(text: string): string[] {
  const malformed = new Set<string>();
  for (const match of text.matchAll(BRACKETED)) {
    if (!/^\s*[A-Za-z_][\w.-]*\s*$/.test(match[1] ?? match[2])) malformed.add(match[0]);
  }
  return [...malformed];
}

/**
 * Fills the placeholders. A field that is missing, empty or only whitespace renders as an empty
 * string and is listed (once) in `missing`.
 */
export function renderMessage(text: string, fields: Record<string, string>): { body: string; missing: string[] } {
  const missing = new Set<string>();
  const body = text.replace(PLACEHOLDER, (_placeholder, bracketed: string | undefined, braced: string | undefined) => {
    const name = (bracketed ?? braced)!;
    const raw: unknown = Object.prototype.hasOwnProperty.call(fields, name) ? fields[name] : undefined;
    const value = raw === undefined || raw === null ? '' : String(raw);
    if (value.trim() === '') missing.add(name);
    return value.trim() === '' ? '' : value;
  });
  return { body, missing: [...missing] };
}

/** Throws a {@link TemplateError} naming the field `message` when the text is empty or only whitespace. */
export function validateMessageText(text: unknown): asserts text is string {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new TemplateError('"message" is empty: write the text of the SMS (personalization fields such as [[firstName]] are allowed).');
  }
}
