import { createHash } from 'node:crypto';
import { AppError, isDuplicateKeyError } from './errors';

/** JSON with object keys sorted and undefined left out: equal values give equal text. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableJson(v))).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * A stable hash of a create's normalised body (validated, trimmed, defaults applied, the key left
 * out), stored with the record so a retry can be told from a different body sent with the same key.
 */
export const requestHash = (body: unknown): string => createHash('sha256').update(stableJson(body)).digest('base64url');

/** 409 for a key reused with another body: the first record is not what this request asks for. */
export const keyReused = () =>
  new AppError(409, 'CONFLICT', '同一提交标识已用于内容不同的另一次提交，请刷新后重新保存', [{ path: 'body.idempotencyKey', message: '已用于不同的内容' }]);

/**
 * Create a document once per (owner, client key): a retry of the same submission (the network
 * dropped the answer, the user pressed again) gets the first document instead of a second one.
 * `findFirst` looks the key up; `insert` writes the new document, and a unique index on (owner,
 * key) decides between copies of one retry that both missed the lookup: the loser reads the winner.
 * `created` tells the route to answer 201 or 200.
 *
 * With `hash` (requestHash of the body) and `hashOf` (the hash stored with a record), the same key
 * with a different body is a 409 instead of the first record: a writer who changed the text after a
 * lost answer never gets the old draft back as if it were the new one. A record stored without a
 * hash (written before hashes were kept) is taken as the same body.
 *
 * With `insertFirst`, for a create on the hot path (filing an appeal): no lookup before the insert,
 * since nearly every submission is new and the unique index catches the retries anyway. What a
 * retry must not meet is then undone or answered from the first record instead: `admit`'s counts
 * are given back (`giveBack`) when the index caught a retry, and an error of a new record's checks
 * that a retry may meet (`spares`: a limit a retry never spends, reference data retired since the
 * first) is answered by the first record when there is one. One command less per new record; a
 * retry costs the refused insert and a read.
 */
export async function createOnce<T>(steps: {
  findFirst: () => Promise<T | null>;
  /** Between the lookup and the insert; with `insertFirst`, right before the insert (tests hold two retries here so both insert). */
  afterLookup?: () => Promise<void>;
  /** Checks that may refuse the request; run only for a new key, so a retry never fails on them. */
  admit?: () => Promise<void>;
  insert: () => Promise<T>;
  hash?: string;
  hashOf?: (doc: T) => string | null | undefined;
  insertFirst?: {
    /** Gives back what `admit` counted, for a retry found after it was admitted. */
    giveBack: () => Promise<void>;
    /** Whether an error of `admit` or `insert` is one a retry must not get: the first record answers it, when there is one. */
    spares: (err: unknown) => boolean;
  };
}): Promise<{ doc: T; created: boolean }> {
  const same = (doc: T) => {
    if (steps.hash === undefined || !steps.hashOf) return doc;
    const stored = steps.hashOf(doc);
    if (stored && stored !== steps.hash) throw keyReused();
    return doc;
  };
  if (steps.insertFirst) return insertFirst(steps, steps.insertFirst, same);
  const first = await steps.findFirst();
  await steps.afterLookup?.();
  if (first) return { doc: same(first), created: false };
  await steps.admit?.();
  try {
    return { doc: await steps.insert(), created: true };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const winner = await steps.findFirst();
    if (!winner) throw new AppError(409, 'CONFLICT', '提交冲突，请重试');
    return { doc: same(winner), created: false };
  }
}

async function insertFirst<T>(
  steps: Parameters<typeof createOnce<T>>[0],
  opts: NonNullable<Parameters<typeof createOnce<T>>[0]['insertFirst']>,
  same: (doc: T) => T,
): Promise<{ doc: T; created: boolean }> {
  try {
    await steps.admit?.();
  } catch (err) {
    // Refused before anything was counted for it: a retry gets its first record instead.
    if (!opts.spares(err)) throw err;
    const first = await steps.findFirst();
    if (!first) throw err;
    return { doc: same(first), created: false };
  }
  try {
    await steps.afterLookup?.();
    return { doc: await steps.insert(), created: true };
  } catch (err) {
    const duplicate = isDuplicateKeyError(err);
    if (!duplicate && !opts.spares(err)) throw err;
    const first = await steps.findFirst();
    if (!first) throw duplicate ? new AppError(409, 'CONFLICT', '提交冲突，请重试') : err;
    // A retry: what its admission counted is given back, so it spends nothing.
    await opts.giveBack();
    return { doc: same(first), created: false };
  }
}
