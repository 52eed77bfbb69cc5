/**
 * The API's route groups are walked by the request path's first segment (server/app.ts,
 * groupsBySegment): the same routes answer as when every group was walked in turn.
 */
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ seed: false });
});
afterAll(() => s?.stop());

test('a group is found whatever the case of its prefix, as Express matched prefixes', async () => {
  // Catches a lookup by the exact segment: `/News/feed` answered 404 where it used to answer the feed.
  const lower = await s.api('GET', '/api/v1/news/feed');
  const mixed = await s.api('GET', '/api/v1/News/feed');
  expect(lower.status).toBe(200);
  expect(mixed.status).toBe(200);
  expect(mixed.body).toEqual(lower.body);
});

test('routes of the group mounted on the API root answer under segments no prefix names', async () => {
  // Catches the root-mounted group (bindings: `/rooms`, `/binding-codes`) left out of the walk:
  // 404 instead of asking for a sign-in.
  expect((await s.api('GET', '/api/v1/rooms')).status).toBe(401);
  expect((await s.api('POST', '/api/v1/binding-codes', { body: {} })).status).toBe(401);
});

test('an unknown path answers 404 in the error format, inside a known group or outside any', async () => {
  // Catches a request falling out of its segment's walk without reaching the API's 404.
  for (const path of ['/api/v1/nowhere', '/api/v1/news/nowhere', '/api/v1/', '/api/v1']) {
    const res = await s.api('GET', path);
    expect([path, res.status, res.body?.error?.code]).toEqual([path, 404, 'NOT_FOUND']);
  }
});
