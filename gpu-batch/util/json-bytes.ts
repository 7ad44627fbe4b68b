/** @returns UTF-8 bytes of a value's JSON (compact: artifacts are read by machines). */
export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
