/**
 * WeChat contact ids are personal data: the bot's logs carry a short, stable hash of them
 * instead (`c:1a2b3c4d`), enough to tell two speakers apart or to find one again by hashing a
 * known id, and nothing more. Use `maskContactId` wherever a contact id goes into a log line.
 */
import { createHash } from 'node:crypto';

export function maskContactId(contactId: string | null | undefined): string | undefined {
  if (!contactId) return undefined;
  return `c:${createHash('sha256').update(contactId).digest('hex').slice(0, 8)}`;
}
