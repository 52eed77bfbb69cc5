import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals a successor's refresh token under a key only the holder of the previous refresh token can
 * derive: AES-256-GCM with key = HKDF-SHA-256(previous token). The database keeps the sealed form
 * and the previous token's SHA-256 hash, neither of which yields a usable token. `bindTo` (the
 * successor's id) is authenticated with it, so a sealed value cannot be moved to another session.
 */
const INFO = Buffer.from('xianrong refresh successor v1');

const keyFrom = (previousToken: string) => Buffer.from(hkdfSync('sha256', Buffer.from(previousToken), Buffer.alloc(0), INFO, 32));

export function sealToken(token: string, previousToken: string, bindTo: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(previousToken), iv);
  cipher.setAAD(Buffer.from(bindTo));
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** The sealed token, or null when the key, the binding or the value is wrong. */
export function openToken(sealed: string, previousToken: string, bindTo: string): string | null {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(previousToken), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(bindTo));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
