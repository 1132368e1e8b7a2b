/**
 * Stream ids and tenants as subject tokens. A token is the id itself when it is short and made of
 * letters, digits, `-` and `_` (readable with the `nats` CLI); anything else (dots, spaces,
 * wildcards, NUL, unicode, 10 kB) becomes `~` and the SHA-256 of its UTF-16 code units (exact even
 * for lone surrogates), base64url. The real ids
 * travel in the payload, and reads keep only commits whose ids match exactly.
 */
const PLAIN = /^[A-Za-z0-9_-]{1,64}$/;
const cache = new Map<string, string>();
// longer ids are hashed each time: the cache holds at most 10 000 × 256 units, not whole megabytes
const CACHED_UNITS = 256;

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The UTF-16 code units of `text`, little-endian, as bytes. */
function units(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes[2 * i] = c & 0xff;
    bytes[2 * i + 1] = c >> 8;
  }
  return bytes;
}

/** The token of an id when it is known without hashing (plain, or hashed before). */
export function tokenNow(id: string): string | undefined {
  return PLAIN.test(id) ? id : cache.get(id);
}

/** The subject token of an id or tenant (cached: appends to one stream ask again and again). */
export async function token(id: string): Promise<string> {
  if (PLAIN.test(id)) return id;
  const known = cache.get(id);
  if (known !== undefined) return known;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', units(id)));
  const result = `~${base64url(digest)}`;
  if (id.length > CACHED_UNITS) return result;
  if (cache.size >= 10_000) cache.clear();
  cache.set(id, result);
  return result;
}
