import { createHash, randomBytes } from 'node:crypto';

/**
 * Keys the county issues to machines (an Open311 client, a big screen): 32 random bytes behind a
 * readable prefix, shown once; only the SHA-256 is stored, so a copy of the database opens nothing.
 */
export const newIssuedKey = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

export const hashIssuedKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
