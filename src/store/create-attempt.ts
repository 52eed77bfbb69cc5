// A create's idempotency key on a weak network, for every form that creates (an appeal, an article,
// a notice): a retry of the same body reuses the key, so the server answers with the first record;
// a body changed before an answer arrived gets a new key, since the server refuses a key reused
// with another body (409 on body.idempotencyKey).
import { ApiError } from '../api/request';
import { newIdempotencyKey } from './appeal-draft';

/** A short hash of what a create sends (compared, never sent). */
export function bodyFingerprint(body: unknown): string {
  const text = JSON.stringify(body);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${(h2 >>> 0).toString(36)}${(h1 >>> 0).toString(36)}`;
}

/**
 * The first save of a new draft, kept with the device's copy: the key of the create and what was
 * sent with it. A retry of the same text reuses the key (the server answers with the first draft);
 * text changed before an answer arrived gets a new key, so the server never answers a changed
 * text with the old draft (it would refuse the old key with 409 anyway).
 */
export interface CreateAttempt {
  createKey: string;
  /** bodyFingerprint of what was last sent with createKey and not answered; null before a send. */
  sentFingerprint: string | null;
}

export function nextCreate(attempt: CreateAttempt, body: unknown): CreateAttempt {
  const fingerprint = bodyFingerprint(body);
  if (attempt.sentFingerprint !== null && attempt.sentFingerprint !== fingerprint) return { createKey: newIdempotencyKey(), sentFingerprint: fingerprint };
  return { createKey: attempt.createKey, sentFingerprint: fingerprint };
}

/** 409 for a create key already used with another text (a copy of the form on another device, storage lost). */
export const isKeyReused = (e: unknown) => e instanceof ApiError && e.status === 409 && (e.details ?? []).some((d) => d.path === 'body.idempotencyKey');

/**
 * Sends a create with the attempt's key. `remember` keeps the attempt with the device's draft
 * before the request leaves, so a closed app or a lost answer resumes with the same key; a key the
 * server refuses as reused (another device's copy of the form, storage lost) is replaced once.
 */
export async function sendCreate<T>(current: CreateAttempt, body: unknown, remember: (a: CreateAttempt) => void, send: (key: string) => Promise<T>): Promise<T> {
  const attempt = nextCreate(current, body);
  remember(attempt);
  try {
    return await send(attempt.createKey);
  } catch (e) {
    if (!isKeyReused(e)) throw e;
    const fresh = { createKey: newIdempotencyKey(), sentFingerprint: bodyFingerprint(body) };
    remember(fresh);
    return send(fresh.createKey);
  }
}
