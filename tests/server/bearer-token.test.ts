/**
 * `Authorization: Bearer <token>` parsing (server/auth/authenticate.ts): the usual header is taken
 * without the full pattern's capture, and every header reads as the pattern reads it.
 */
import { bearerToken } from '../../server/auth/authenticate';

/** The pattern the fast path must agree with. */
const byPattern = (h: string) => /^Bearer\s+(\S+)$/i.exec(h)?.[1] ?? null;

test('the fast path reads every header as the Bearer pattern does', () => {
  // Catches a shortcut that accepts what the pattern refuses: a token with a space or a tab inside
  // (two words sent as one token), an empty token, or that loses the pattern's leniency (lower
  // case scheme, several spaces, a tab after the scheme).
  const headers = ['Bearer abc.def-ghi_123', 'Bearer a b', 'Bearer a\tb', 'Bearer ', 'Bearer', 'Bearer  two-spaces', 'bearer lower', 'BEARER upper', 'Bearer\ttab', 'Basic dXNlcjpwYXNz', 'Bearer abc ', 'Bearer \u00a0x', 'Bearerx abc', 'xBearer abc'];
  for (const h of headers) expect([h, bearerToken(h)]).toEqual([h, byPattern(h)]);
  expect(bearerToken('Bearer abc.def')).toBe('abc.def');
});
