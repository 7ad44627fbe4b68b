/**
 * `obj[key]` when `key` is the object's own property, else undefined. Records parsed from JSON
 * are plain objects, so a request naming `constructor`, `toString` or `__proto__` would otherwise
 * find `Object.prototype`'s members instead of "no such key".
 */
export function ownValue<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
