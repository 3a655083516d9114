/** Every payload of a workflow history, decoded: what Temporal stores about a sending, as text. */
export function historyText(history: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'data' && typeof value === 'string') parts.push(Buffer.from(value, 'base64').toString('utf8'));
        else if (key === 'data' && value instanceof Uint8Array) parts.push(Buffer.from(value).toString('utf8'));
        else walk(value);
      }
    }
  };
  walk(history);
  return parts.join('\n');
}

/** One payload's value: the default data converter stores JSON as UTF-8 bytes. */
export const payloadJson = (payload: { data?: Uint8Array | null }): unknown => JSON.parse(Buffer.from(payload.data ?? []).toString('utf8'));
