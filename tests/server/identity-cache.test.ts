/**
 * Who is asking, from memory (server/users/identity.ts, server/auth/sessions.ts): the account
 * behind a token and whether its sign-in has ended are kept per process and checked against the
 * database's version stamps once per request. Two server processes run on one database: A (with
 * its own embedded database) and B (a second app connected to A's). Every change is made through A
 * after B has the account in memory, and B's very next request must see it: the bound is "at
 * once", for a deactivation, a role or scope change, a sign-out, a new password and a replayed
 * refresh token.
 */
import type { RunningServer } from '../../server/server';
import { startSecondServer, startTestServer, type TestServer } from '../helpers/server';
import { DEMO_PASSWORD } from '../../common/demo-county';
import { accessTokenVerifier, signAccessToken } from '../../server/auth/tokens';

let a: TestServer;
let b: RunningServer;
let admin: string;

beforeAll(async () => {
  a = await startTestServer();
  b = await startSecondServer(a, { backgroundJobs: false });
  admin = await a.staffToken('admin');
}, 90_000); // two servers and a seed: slow on a busy 2-core machine
afterAll(async () => {
  await b?.close();
  await a?.stop();
});

async function call(base: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
const onB = (path: string, token: string) => call(b.url, 'GET', path, token);

async function userId(username: string): Promise<string> {
  const u = await a.models.User.findOne({ username }).lean();
  if (!u) throw new Error(`no user ${username}`);
  return String(u._id);
}

/** A fresh sign-in (access and refresh token) through A. */
async function signIn(username: string): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await a.api('POST', '/api/v1/auth/password-login', { body: { username, password: DEMO_PASSWORD } });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return res.body;
}

describe('identity from memory, kept true through the database', () => {
  it('a second request with the same token reads neither the user nor the session', async () => {
    const token = await a.residentToken('demo-resident-05');
    expect((await onB('/api/v1/me', token)).status).toBe(200);
    const loads = b.ctx.cache.stats.loads;
    const again = await onB('/api/v1/me', token);
    expect(again.status).toBe(200);
    // Catches identity (or Me) loaded from the database on every request.
    expect(b.ctx.cache.stats.loads).toBe(loads);
  });

  it('GET /me is private with an ETag: unchanged it is a 304, and a new nickname through A is a new body on B', async () => {
    // Catches /me sent from a shared cache (another user's account), or a stale 304 after a change.
    const token = await a.residentToken('demo-resident-06');
    const first = await fetch(`${b.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(first.headers.get('vary')).toMatch(/Authorization/i);
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const again = await fetch(`${b.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const other = await fetch(`${b.url}/api/v1/me`, { headers: { authorization: `Bearer ${await a.residentToken('demo-resident-07')}`, 'if-none-match': etag } });
    expect(other.status).toBe(200);
    expect((await call(a.url, 'PATCH', '/api/v1/me', token, { name: '改过的昵称' })).status).toBe(200);
    const changed = await fetch(`${b.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect((await changed.json()).name).toBe('改过的昵称');
  });

  it('an account deactivated through A is refused by B on the next request, and works again once reactivated', async () => {
    const token = await a.staffToken('reviewer3');
    const id = await userId('reviewer3');
    expect((await onB('/api/v1/me', token)).status).toBe(200);
    expect((await call(a.url, 'PATCH', `/api/v1/users/${id}`, admin, { active: false })).status).toBe(200);
    // Catches B serving the account it holds in memory after it was disabled elsewhere.
    const refused = await onB('/api/v1/me', token);
    expect(refused.status).toBe(401);
    expect((await onB('/api/v1/news/feed', token)).status).toBe(401);
    expect((await call(a.url, 'PATCH', `/api/v1/users/${id}`, admin, { active: true })).status).toBe(200);
    // The deactivation ended its sessions too: the old token stays refused, a new sign-in works.
    expect((await onB('/api/v1/me', token)).status).toBe(401);
    expect((await onB('/api/v1/me', (await signIn('reviewer3')).accessToken)).status).toBe(200);
  });

  it('a role given and taken away through A is in force on B at once', async () => {
    const token = await a.staffToken('reviewer2');
    const id = await userId('reviewer2');
    expect((await onB('/api/v1/users', token)).status).toBe(403);
    expect((await call(a.url, 'PATCH', `/api/v1/users/${id}`, admin, { roles: ['reviewer', 'admin'] })).status).toBe(200);
    // Catches B deciding access from the roles it cached before the change.
    expect((await onB('/api/v1/users', token)).status).toBe(200);
    expect((await onB('/api/v1/me', token)).body.roles).toEqual(['reviewer', 'admin']);
    expect((await call(a.url, 'PATCH', `/api/v1/users/${id}`, admin, { roles: ['reviewer'] })).status).toBe(200);
    expect((await onB('/api/v1/users', token)).status).toBe(403);
    expect((await onB('/api/v1/me', token)).body.roles).toEqual(['reviewer']);
  });

  it("a dispatcher moved to another township lists that township's appeals on B at once", async () => {
    const token = await a.staffToken('chengguan');
    const id = await userId('chengguan');
    const [east, west] = [await a.regionId('DX-01'), await a.regionId('DX-02')];
    const westPath = (await a.models.Region.findById(west).lean())!.path;
    const pathOf = new Map((await a.models.Region.find({}).lean()).map((r) => [String(r._id), r.path]));
    expect((await onB('/api/v1/me', token)).body.scopeRegionIds).toEqual([east]);
    await onB('/api/v1/appeals?view=inbox', token);
    expect((await call(a.url, 'PATCH', `/api/v1/users/${id}`, admin, { regionIds: [west] })).status).toBe(200);
    // Catches the scope (region paths) B resolved before the change.
    expect((await onB('/api/v1/me', token)).body.scopeRegionIds).toEqual([west]);
    const inbox = await onB('/api/v1/appeals?view=inbox&limit=50', token);
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.length).toBeGreaterThan(0);
    for (const item of inbox.body.items) expect(pathOf.get(item.regionId)!.startsWith(westPath)).toBe(true);
    expect((await call(a.url, 'PATCH', `/api/v1/users/${id}`, admin, { regionIds: [east] })).status).toBe(200);
  });

  it('signing out through A refuses that sign-in’s access tokens on B, from before and after a refresh, and no other sign-in', async () => {
    const first = await signIn('editor');
    const other = await signIn('editor');
    expect((await onB('/api/v1/me', first.accessToken)).status).toBe(200);
    const refreshed = await a.api('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(refreshed.status).toBe(200);
    // A rotation ends nothing: the token from before it still works until it expires.
    expect((await onB('/api/v1/me', first.accessToken)).status).toBe(200);
    expect((await onB('/api/v1/me', refreshed.body.accessToken)).status).toBe(200);
    expect((await a.api('POST', '/api/v1/auth/logout', { body: { refreshToken: refreshed.body.refreshToken } })).status).toBe(204);
    // Catches an access token that outlives its sign-out by its 15 minutes (or only on the process that signed out).
    expect((await onB('/api/v1/me', refreshed.body.accessToken)).status).toBe(401);
    expect((await onB('/api/v1/me', first.accessToken)).status).toBe(401);
    // Catches a sign-out that ends every sign-in of the user.
    expect((await onB('/api/v1/me', other.accessToken)).status).toBe(200);
  });

  it('a new password set through A ends every sign-in of the user on B at once', async () => {
    const one = await signIn('reviewer');
    const two = await a.residentToken('demo-resident-06');
    expect((await onB('/api/v1/me', one.accessToken)).status).toBe(200);
    expect((await onB('/api/v1/me', two)).status).toBe(200);
    expect((await call(a.url, 'PATCH', `/api/v1/users/${await userId('reviewer')}`, admin, { password: DEMO_PASSWORD })).status).toBe(200);
    // Catches a changed password leaving the old sign-in's access tokens alive.
    expect((await onB('/api/v1/me', one.accessToken)).status).toBe(401);
    // Catches one user's sessions ending others'.
    expect((await onB('/api/v1/me', two)).status).toBe(200);
  });

  it('a refresh token replayed after its grace period ends every sign-in of the user on B at once', async () => {
    const s = await signIn('editor');
    const rotated = await a.api('POST', '/api/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
    expect(rotated.status).toBe(200);
    expect((await onB('/api/v1/me', rotated.body.accessToken)).status).toBe(200);
    // Past the grace period: the stored rotation time moved back instead of waiting a minute.
    await a.models.Session.updateMany({ rotatedAt: { $ne: null } }, { $set: { rotatedAt: new Date(Date.now() - 10 * 60_000) } });
    expect((await a.api('POST', '/api/v1/auth/refresh', { body: { refreshToken: s.refreshToken } })).status).toBe(401);
    // Catches a theft signal that leaves the thief's access token working.
    expect((await onB('/api/v1/me', rotated.body.accessToken)).status).toBe(401);
  });
});

describe('access tokens verified once per process', () => {
  const secret = 'a-test-secret-of-enough-length-0123';

  it('a remembered token still expires on time', () => {
    const verify = accessTokenVerifier(secret);
    const t0 = Date.now();
    const token = signAccessToken({ sub: 'u1', roles: ['resident'], sid: 's1' }, secret, 60);
    expect(verify(token)).toEqual({ sub: 'u1', roles: ['resident'], sid: 's1' });
    const clock = jest.spyOn(Date, 'now').mockReturnValue(t0 + 61_000);
    try {
      // Catches a remembered signature that keeps an expired token alive.
      expect(verify(token)).toBe('expired');
    } finally {
      clock.mockRestore();
    }
  });

  it('a token with another signature or another secret is refused although a genuine one is remembered', () => {
    const verify = accessTokenVerifier(secret);
    const token = signAccessToken({ sub: 'u1', roles: ['resident'] }, secret, 60);
    expect(verify(token)).not.toBeNull();
    const [head, body] = token.split('.');
    // Catches a cache keyed on the claims rather than the whole token.
    expect(verify(`${head}.${body}.${'A'.repeat(43)}`)).toBeNull();
    expect(verify(signAccessToken({ sub: 'u1', roles: ['resident'] }, 'another-secret-of-enough-length-456', 60))).toBeNull();
  });
});
