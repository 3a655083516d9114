/**
 * Bad input to the directory (unknown project or group, invalid setting or number): retrying
 * cannot help, the caller has to change what it sends. Activities make it non-retryable.
 */
export class DirectoryInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectoryInputError';
  }
}

/** `a, b, c` or `(none)`, for messages that list what exists. */
export function listForMessage(names: readonly string[], limit = 20): string {
  if (names.length === 0) return '(none)';
  const shown = names.slice(0, limit).join(', ');
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown;
}
