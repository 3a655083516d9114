/** Keys that reach an object's prototype when a settings object or a payload is merged or copied. Pure. */
export const PROTOTYPE_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/**
 * The path of the first own key named `__proto__`, `constructor` or `prototype` at any depth of a
 * JSON-like value (`JSON.parse` makes `__proto__` an own key), e.g. `approval.approvers[0].__proto__`;
 * null when there is none.
 */
export function findPrototypeKey(value: unknown, path = ''): string | null {
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findPrototypeKey(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const keyPath = path ? `${path}.${key}` : key;
    if (PROTOTYPE_KEYS.includes(key)) return keyPath;
    const found = findPrototypeKey((value as Record<string, unknown>)[key], keyPath);
    if (found) return found;
  }
  return null;
}
