/**
 * A fresh clientMsgId: 128 random bits in hex. getRandomValues, unlike randomUUID, also works
 * on pages served over plain HTTP from another host than localhost.
 */
export function newClientMsgId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
