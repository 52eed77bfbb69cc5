import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface AccessClaims {
  sub: string;
  roles: string[];
  /**
   * The sign-in it was issued for: the first session of its refresh-token chain (kept through
   * rotation), so signing out or ending the user's sessions refuses it at once. Absent in tokens
   * issued before it was added (they live out their ~15 minutes).
   */
  sid?: string;
}

export function signAccessToken(claims: AccessClaims, secret: string, ttlSeconds: number): string {
  return jwt.sign({ roles: claims.roles, ...(claims.sid ? { sid: claims.sid } : {}) }, secret, { subject: claims.sub, expiresIn: ttlSeconds, algorithm: 'HS256', issuer: 'xianrong' });
}

/** Returns the claims, 'expired', or null for anything else that is wrong with the token. */
export function verifyAccessToken(token: string, secret: string): AccessClaims | 'expired' | null {
  try {
    const payload = jwt.verify(token, secret, { algorithms: ['HS256'], issuer: 'xianrong' }) as jwt.JwtPayload;
    if (typeof payload.sub !== 'string') return null;
    return { sub: payload.sub, roles: Array.isArray(payload.roles) ? payload.roles : [], ...(typeof payload.sid === 'string' ? { sid: payload.sid } : {}) };
  } catch (err) {
    return err instanceof jwt.TokenExpiredError ? 'expired' : null;
  }
}

/** Verified tokens remembered per verifier: about one per signed-in device active in the last 15 minutes. */
const MAX_VERIFIED = 20_000;

/**
 * `verifyAccessToken` with the signature checked once per token: jsonwebtoken spends about 0.4 ms
 * on each check, more than the rest of a cached request. A token whose signature verified stays
 * genuine, so only its expiry is checked again (as jsonwebtoken does: expired from second `exp`).
 * Tokens that fail are not remembered.
 */
export function accessTokenVerifier(secret: string, maxEntries = MAX_VERIFIED) {
  const verified = new Map<string, { claims: AccessClaims; exp: number }>();
  return (token: string): AccessClaims | 'expired' | null => {
    const hit = verified.get(token);
    if (hit) {
      if (Math.floor(Date.now() / 1000) < hit.exp) return hit.claims;
      verified.delete(token);
      return 'expired';
    }
    const claims = verifyAccessToken(token, secret);
    if (claims && claims !== 'expired') {
      const exp = (jwt.decode(token) as jwt.JwtPayload | null)?.exp;
      if (typeof exp === 'number') {
        verified.set(token, { claims, exp });
        // Oldest first: Map keeps insertion order.
        if (verified.size > maxEntries) verified.delete(verified.keys().next().value!);
      }
    }
    return claims;
  };
}

export const newRefreshToken = () => randomBytes(32).toString('base64url');
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
