import { startTestServer, type TestServer } from '../helpers/server';
import { createWechatClient, developmentWechatClient } from '../../server/core/wechat';
import { openToken, sealToken } from '../../server/auth/sealing';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.stop());

describe('POST /api/v1/auth/dev-login', () => {
  it('signs in a demo resident and returns their community', async () => {
    const res = await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-01' } });
    expect(res.status).toBe(200);
    expect(res.body.user.roles).toEqual(['resident']);
    expect(res.body.user.region.name).toBe('东城社区');
    expect(res.body.user.isStaff).toBe(false);
    expect(typeof res.body.accessToken).toBe('string');
  });

  it('creates exactly one user when the same new openid logs in twice at once', async () => {
    const [a, b] = await Promise.all([
      s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'race-newcomer' } }),
      s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'race-newcomer' } }),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.user.id).toBe(b.body.user.id);
  });

  it('rejects a malformed openid with 400 naming the field', async () => {
    const res = await s.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'a b' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.message).toContain('body.openid');
  });
});

describe('GET /api/v1/auth/methods', () => {
  it('offers the development login outside production, and says it is a demo', async () => {
    const res = await s.api('GET', '/api/v1/auth/methods');
    expect(res.body).toEqual({ wechatMiniProgram: true, devLogin: true, password: true, wechatWeb: false, demo: true });
  });
});

describe('POST /api/v1/auth/wechat-login', () => {
  it('uses the development adapter without WECHAT_APPID', async () => {
    const res = await s.api('POST', '/api/v1/auth/wechat-login', { body: { code: 'abc123' } });
    expect(res.status).toBe(200);
    expect(res.body.user.roles).toEqual(['resident']);
  });

  it('exchanges the code through code2session when WeChat is configured', async () => {
    const calls: string[] = [];
    const wechat = createWechatClient({
      appId: 'wx-test',
      secret: 'secret',
      fetch: async (url) => {
        calls.push(url);
        const code = new URL(url).searchParams.get('js_code');
        const body = code === 'good' ? { openid: 'o-real-1', session_key: 'k' } : { errcode: 40029, errmsg: 'invalid code' };
        return { ok: true, status: 200, json: async () => body };
      },
    });
    const w = await startTestServer({ seed: false, wechat });
    try {
      const ok = await w.api('POST', '/api/v1/auth/wechat-login', { body: { code: 'good' } });
      expect(ok.status).toBe(200);
      expect(calls[0]).toContain('appid=wx-test');
      const bad = await w.api('POST', '/api/v1/auth/wechat-login', { body: { code: 'bad' } });
      expect(bad.status).toBe(401);
      expect(bad.body.error.message).toContain('微信登录凭证无效');
    } finally {
      await w.stop();
    }
  });
});

describe('production', () => {
  it('refuses the development login', async () => {
    const p = await startTestServer({ seed: false, config: { env: 'production' } });
    try {
      const dev = await p.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-01' } });
      expect(dev.status).toBe(403);
      expect(dev.body.error.code).toBe('DEV_LOGIN_DISABLED');
      const wx = await p.api('POST', '/api/v1/auth/wechat-login', { body: { code: 'x' } });
      expect(wx.status).toBe(403);
      const methods = await p.api('GET', '/api/v1/auth/methods');
      expect(methods.body).toEqual({ wechatMiniProgram: false, devLogin: false, password: true, wechatWeb: false, demo: false });
    } finally {
      await p.stop();
    }
  });
});

describe('off loopback', () => {
  // Catches: a server reachable from the network (HOST=0.0.0.0) accepting dev-login by openid and
  // wechat-login with any code because NODE_ENV was left at its development default.
  it('refuses the development sign-in without an explicit demo, even handed the development adapter', async () => {
    const o = await startTestServer({ seed: false, wechat: developmentWechatClient, config: { env: 'development', host: '0.0.0.0' } });
    try {
      const dev = await o.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-01' } });
      expect([dev.status, dev.body.error.code]).toEqual([403, 'DEV_LOGIN_DISABLED']);
      const wx = await o.api('POST', '/api/v1/auth/wechat-login', { body: { code: 'anything' } });
      expect([wx.status, wx.body.error.code]).toEqual([403, 'DEV_LOGIN_DISABLED']);
      expect((await o.api('GET', '/api/v1/auth/methods')).body).toEqual({ wechatMiniProgram: false, devLogin: false, password: true, wechatWeb: false, demo: true });
    } finally {
      await o.stop();
    }
  });

  it('with DEMO=1 opens it and tells the app it is a demo', async () => {
    const o = await startTestServer({ seed: false, config: { env: 'development', host: '0.0.0.0', demo: true } });
    try {
      expect((await o.api('GET', '/api/v1/auth/methods')).body).toEqual({ wechatMiniProgram: true, devLogin: true, password: true, wechatWeb: false, demo: true });
      expect((await o.api('POST', '/api/v1/auth/wechat-login', { body: { code: 'anything' } })).status).toBe(200);
    } finally {
      await o.stop();
    }
  });

  it('in production with DEMO=1 labels the demo but keeps the development sign-in closed', async () => {
    const o = await startTestServer({ seed: false, config: { env: 'production', host: '0.0.0.0', demo: true } });
    try {
      expect((await o.api('GET', '/api/v1/auth/methods')).body).toEqual({ wechatMiniProgram: false, devLogin: false, password: true, wechatWeb: false, demo: true });
      expect((await o.api('POST', '/api/v1/auth/dev-login', { body: { openid: 'demo-resident-01' } })).status).toBe(403);
    } finally {
      await o.stop();
    }
  });
});

describe('POST /api/v1/auth/password-login', () => {
  it('signs in demo staff with roles and regions', async () => {
    const res = await s.api('POST', '/api/v1/auth/password-login', { body: { username: 'dongcheng', password: 'xianrong123' } });
    expect(res.status).toBe(200);
    expect(res.body.user.roles).toEqual(['community_staff']);
    expect(res.body.user.isStaff).toBe(true);
    expect(res.body.user.scopeRegions[0].name).toBe('东城社区');
  });

  it('answers 401 with one message for a wrong password and an unknown user', async () => {
    const wrong = await s.api('POST', '/api/v1/auth/password-login', { body: { username: 'dongcheng', password: 'nope' } });
    const unknown = await s.api('POST', '/api/v1/auth/password-login', { body: { username: 'nobody', password: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it('is rate limited per minute', async () => {
    // A fixed clock: three attempts must not straddle a minute boundary (two windows).
    const r = await startTestServer({ seed: false, now: () => new Date('2026-11-26T08:00:00.000Z'), config: { loginRateLimitPerMinute: 2 } });
    try {
      const body = { username: 'x', password: 'y' };
      await r.api('POST', '/api/v1/auth/password-login', { body });
      await r.api('POST', '/api/v1/auth/password-login', { body });
      const third = await r.api('POST', '/api/v1/auth/password-login', { body });
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe('RATE_LIMITED');
      expect(third.headers.get('retry-after')).toBe('60');
    } finally {
      await r.stop();
    }
  });
});

describe('refresh and logout', () => {
  let c: TestServer;
  let clock = Date.parse('2026-11-26T08:00:00.000Z');
  beforeAll(async () => {
    c = await startTestServer({ now: () => new Date(clock) });
  });
  afterAll(() => c?.stop());

  const refresh = (refreshToken: string) => c.api('POST', '/api/v1/auth/refresh', { body: { refreshToken } });
  const login = async (openid: string) => (await c.api('POST', '/api/v1/auth/dev-login', { body: { openid } })).body;
  const sessionsOf = (userId: string) => c.models.Session.find({ userId }).lean();

  it('rotates the refresh token; replays within the grace get the same successor session, never a new one', async () => {
    // Catches the fork: a replay within the grace used to issue a new session, so a copied token
    // became a second, independent chain that outlived the owner's next rotation.
    const start = await login('demo-resident-02');
    const first = start.refreshToken;
    const rotated = await refresh(first);
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(first);
    const count = (await sessionsOf(start.user.id)).length;

    clock += 10_000;
    const replay1 = await refresh(first);
    clock += 40_000;
    const replay2 = await refresh(first);
    for (const r of [replay1, replay2]) {
      expect(r.status).toBe(200);
      expect(r.body.refreshToken).toBe(rotated.body.refreshToken);
      expect(typeof r.body.accessToken).toBe('string');
      expect(r.body.user.id).toBe(start.user.id);
    }
    expect((await sessionsOf(start.user.id)).length).toBe(count);

    // The database holds the successor's token only sealed (and its hash), never in clear.
    const stored = JSON.stringify(await sessionsOf(start.user.id));
    expect(stored).not.toContain(rotated.body.refreshToken);
    expect(stored).not.toContain(first);

    // The chain goes on from the successor as usual.
    const next = await refresh(rotated.body.refreshToken);
    expect(next.status).toBe(200);
    expect(next.body.refreshToken).not.toBe(rotated.body.refreshToken);
  });

  it('two refreshes with one token at once rotate once and both get the one successor', async () => {
    // Catches a rotation that is not claimed atomically (two successors: a fork) and a loser that
    // is refused (the app would sign out) or keeps its unused successor session.
    const start = await login('demo-resident-08');
    const before = (await sessionsOf(start.user.id)).length;
    const Sessions = c.models.Session;
    const create = Sessions.create.bind(Sessions);
    // Both refreshes store their successor before either claims the old token: they overlap.
    let arrived = 0;
    let bothStored!: () => void;
    const barrier = new Promise<void>((resolve) => (bothStored = resolve));
    const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the two refreshes never overlapped')), 5000).unref());
    (Sessions as unknown as { create: unknown }).create = async (doc: unknown) => {
      const created = await create(doc as never);
      if (++arrived === 2) bothStored();
      await Promise.race([barrier, deadline]);
      return created;
    };
    try {
      const [a, b] = await Promise.all([refresh(start.refreshToken), refresh(start.refreshToken)]);
      expect(arrived).toBe(2);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(a.body.refreshToken).toBe(b.body.refreshToken);
    } finally {
      (Sessions as unknown as { create: unknown }).create = create;
    }
    expect((await sessionsOf(start.user.id)).length).toBe(before + 1);
  });

  it('ends every session of the user when a rotated token is replayed after the grace', async () => {
    // Catches a theft response that revokes only the replayed chain (or none).
    const phone = await login('demo-resident-04');
    const laptop = await login('demo-resident-04');
    const rotated = await refresh(phone.refreshToken);
    expect(rotated.status).toBe(200);
    clock += 59_000;
    expect((await refresh(phone.refreshToken)).body.refreshToken).toBe(rotated.body.refreshToken);
    clock += 2_000;
    const replay = await refresh(phone.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('TOKEN_EXPIRED');
    expect((await sessionsOf(phone.user.id)).filter((x) => x.revokedAt === null)).toEqual([]);
    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
    expect((await refresh(laptop.refreshToken)).status).toBe(401);
  });

  it('a replay within the grace after the successor was logged out is refused', async () => {
    // Catches handing out a successor that its owner has already ended.
    const start = await login('demo-resident-06');
    const rotated = await refresh(start.refreshToken);
    expect((await c.api('POST', '/api/v1/auth/logout', { body: { refreshToken: rotated.body.refreshToken } })).status).toBe(204);
    clock += 5_000;
    expect((await refresh(start.refreshToken)).status).toBe(401);
  });

  it('refuses a deactivated account with 401, the answer on which the app signs out', async () => {
    // Catches the 403 refresh used to give here: the app keeps a session on anything but 401.
    const start = await login('demo-resident-07');
    await c.models.User.updateOne({ _id: start.user.id }, { $set: { active: false } });
    const res = await refresh(start.refreshToken);
    expect(res.status).toBe(401);
  });

  it('logout revokes the refresh token', async () => {
    const start = await login('demo-resident-03');
    const out = await c.api('POST', '/api/v1/auth/logout', { body: { refreshToken: start.refreshToken } });
    expect(out.status).toBe(204);
    const again = await refresh(start.refreshToken);
    expect(again.status).toBe(401);
  });
});

describe('sealing the successor token', () => {
  it('opens only with the previous token and for the session it was sealed for', () => {
    // Catches a key that does not depend on the previous token (anyone with the database could open it).
    const sealed = sealToken('successor-token', 'previous-token', 'id-1');
    expect(openToken(sealed, 'previous-token', 'id-1')).toBe('successor-token');
    expect(openToken(sealed, 'another-token', 'id-1')).toBeNull();
    expect(openToken(sealed, 'previous-token', 'id-2')).toBeNull();
    expect(sealed).not.toContain('successor-token');
  });
});

describe('GET /api/v1/me', () => {
  it('needs a token', async () => {
    const res = await s.api('GET', '/api/v1/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a garbage token and a malformed header', async () => {
    expect((await s.api('GET', '/api/v1/me', { token: 'garbage' })).status).toBe(401);
    expect((await s.api('GET', '/api/v1/me', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
  });

  it('refuses the bot token on user routes', async () => {
    const res = await s.api('GET', '/api/v1/me', { token: s.ctx.config.botToken });
    expect(res.status).toBe(403);
  });

  it('lets a resident choose a community, and only a community', async () => {
    const token = await s.residentToken('demo-resident-30');
    const me = await s.api('GET', '/api/v1/me', { token });
    expect(me.body.region).toBeNull();

    const township = await s.models.Region.findOne({ code: 'DX-01' }).lean();
    const bad = await s.api('PATCH', '/api/v1/me', { token, body: { regionId: String(township!._id) } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('社区');

    const community = await s.models.Region.findOne({ code: 'DX-02-03' }).lean();
    const ok = await s.api('PATCH', '/api/v1/me', { token, body: { regionId: String(community!._id) } });
    expect(ok.status).toBe(200);
    expect(ok.body.region.name).toBe('桃源村');
    expect(ok.body.region.pathNames).toEqual(['东溪县', '青石乡', '桃源村']);
  });

  it('rejects unknown keys and $ keys in the body', async () => {
    const token = await s.residentToken();
    const unknown = await s.api('PATCH', '/api/v1/me', { token, body: { name: '新名字', roles: ['admin'] } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.error.details)).toContain('roles');
    const op = await s.api('PATCH', '/api/v1/me', { token, body: { name: { $ne: null } } });
    expect(op.status).toBe(400);
    expect(op.body.error.message).toContain('$');
  });
});
