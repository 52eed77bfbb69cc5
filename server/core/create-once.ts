import { AppError, isDuplicateKeyError } from './errors';

/**
 * Create a document once per (owner, client key): a retry of the same submission (the network
 * dropped the answer, the user pressed again) gets the first document instead of a second one.
 * `findFirst` looks the key up; `insert` writes the new document, and a unique index on (owner,
 * key) decides between copies of one retry that both missed the lookup: the loser reads the winner.
 * `created` tells the route to answer 201 or 200.
 */
export async function createOnce<T>(steps: {
  findFirst: () => Promise<T | null>;
  /** Between the lookup and the insert (tests hold two retries here so both insert). */
  afterLookup?: () => Promise<void>;
  /** Checks that may refuse the request; run only for a new key, so a retry never fails on them. */
  admit?: () => Promise<void>;
  insert: () => Promise<T>;
}): Promise<{ doc: T; created: boolean }> {
  const first = await steps.findFirst();
  await steps.afterLookup?.();
  if (first) return { doc: first, created: false };
  await steps.admit?.();
  try {
    return { doc: await steps.insert(), created: true };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const winner = await steps.findFirst();
    if (!winner) throw new AppError(409, 'CONFLICT', '提交冲突，请重试');
    return { doc: winner, created: false };
  }
}
