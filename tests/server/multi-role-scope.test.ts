/**
 * Accounts with several roles over HTTP: each role acts only in its own regions (scope is a set
 * of (role, region) pairs, server/users/scope.ts). Two accounts made by the admin:
 * - a grid worker of 西城社区's first grid who is also 西城社区's community staff;
 * - 东城社区's community staff who is also the dispatcher of 青石乡 (another township).
 */
import type { TestServer } from '../helpers/server';
import { demoIds, fileAppeal, startAppealsServer, type AppealsTestServer, type DemoIds } from '../helpers/appeals';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
const tok: Record<string, string> = {};
const PASSWORD = 'multi-role-pass-1';

async function staffAccount(name: string, username: string, roles: string[], regionCodes: string[]): Promise<string> {
  const created = await s.api('POST', '/api/v1/users', {
    token: tok.admin,
    body: { name, username, password: PASSWORD, roles, regionIds: regionCodes.map((c) => ids.region[c]) },
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  const login = await s.api('POST', '/api/v1/auth/password-login', { body: { username, password: PASSWORD } });
  expect(login.status).toBe(200);
  return login.body.accessToken;
}

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  ids = await demoIds(s);
  tok.admin = await s.staffToken('admin');
  tok.resident = await s.residentToken('demo-resident-04');
  tok.gridCommunity = await staffAccount('网格兼社区', 'grid_and_community', ['grid_worker', 'community_staff'], ['DX-01-02-01', 'DX-01-02']);
  tok.communityDispatcher = await staffAccount('社区兼调度', 'community_and_dispatch', ['community_staff', 'dispatcher'], ['DX-01-01', 'DX-02']);
});
afterAll(async () => {
  await env?.stop();
});

const detail = (token: string, id: string) => s.api('GET', `/api/v1/appeals/${id}`, { token });

describe('a grid worker who is also community staff', () => {
  it('sees who reported only in their own grid, not in the rest of the community they staff', async () => {
    // Catches: the community (their community staff region) counted as their own grid: every
    // reporter's name and phone in 西城社区.
    const own = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-01-02-01'], categoryId: ids.category.other });
    const next = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-01-02-02'], categoryId: ids.category.other });
    const [a, b] = [await detail(tok.gridCommunity, own.id), await detail(tok.gridCommunity, next.id)];
    expect([a.status, a.body.reporter.masked, typeof a.body.reporter.phone]).toEqual([200, false, 'string']);
    expect([b.status, b.body.reporter.masked, b.body.reporter.phone]).toEqual([200, true, null]);
  });

  it('files for a resident (代报) only in their grid', async () => {
    // Catches: 代报 allowed anywhere in the community because the community is among their regions.
    const body = { categoryId: ids.category.other, channel: 'grid_worker' as const, reporter: { name: '代报居民', phone: '13900001111' } };
    await expect(fileAppeal(s, tok.gridCommunity, { regionId: ids.region['DX-01-02-02'], ...body })).rejects.toThrow(/403/);
    expect((await fileAppeal(s, tok.gridCommunity, { regionId: ids.region['DX-01-02-01'], ...body })).state).toBe('submitted');
  });
});

describe('community staff who are also the dispatcher of another township', () => {
  let home: any, dispatched: any, anonymous: any;
  beforeAll(async () => {
    home = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-01-01-01'], categoryId: ids.category.other });
    anonymous = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-01-01-02'], categoryId: ids.category.other, isAnonymous: true });
    dispatched = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-02-01-01'], categoryId: ids.category.other });
  });

  it('queues and counts only the township they dispatch', async () => {
    // Catches: the dispatcher's queue built from every region of the account (their community's
    // new appeals offered for accepting), and badges counting them.
    const queue = await s.api('GET', '/api/v1/appeals?view=queue&limit=50', { token: tok.communityDispatcher });
    expect(queue.status).toBe(200);
    const got = queue.body.items.map((i: { id: string }) => i.id);
    expect(got).toContain(dispatched.id);
    expect(got).not.toContain(home.id);
    expect(queue.body.items.every((i: { regionName: string }) => i.regionName.includes('青石乡'))).toBe(true);
    const counts = await s.api('GET', '/api/v1/appeals/counts', { token: tok.communityDispatcher });
    expect(counts.body.queue).toBe(queue.body.items.length);
    // Their inbox still reads both: the community they staff and the township they dispatch.
    const inbox = (await s.api('GET', '/api/v1/appeals?view=inbox&limit=50', { token: tok.communityDispatcher })).body.items.map((i: { id: string }) => i.id);
    expect(inbox).toEqual(expect.arrayContaining([home.id, dispatched.id]));
  });

  it('accepts, assigns and rejects only in that township, and sees anonymous reporters only there', async () => {
    // Catches: dispatcher moves and the dispatcher's sight of anonymous reporters' phones applied
    // to the community they only staff.
    const refused = await s.api('POST', `/api/v1/appeals/${home.id}/accept`, { token: tok.communityDispatcher, body: {} });
    expect(refused.status).toBe(403);
    expect((await detail(tok.communityDispatcher, home.id)).body.allowedActions).toEqual([]);
    const accepted = await s.api('POST', `/api/v1/appeals/${dispatched.id}/accept`, { token: tok.communityDispatcher, body: {} });
    expect([accepted.status, accepted.body.state]).toEqual([200, 'accepted']);
    const anon = await detail(tok.communityDispatcher, anonymous.id);
    expect(anon.body.reporter).toEqual({ name: '匿名', phone: null, masked: true });
  });

  it('writes notices only for the community they staff, not for the township they dispatch', async () => {
    // Catches: the notice scope checked against every region of the account, so a community
    // worker who also dispatches 青石乡 could push a notice into every group chat there.
    const body = (regionIds: string[], key: string) => ({ title: '停水通知', body: '明日上午九点至十二点停水，请提前储水。', level: 'normal', regionIds, idempotencyKey: key });
    const township = await s.api('POST', '/api/v1/notices', { token: tok.communityDispatcher, body: body([ids.region['DX-02']], 'multi-role-notice-1') });
    expect([township.status, township.body.error?.code]).toEqual([403, 'FORBIDDEN']);
    const home = await s.api('POST', '/api/v1/notices', { token: tok.communityDispatcher, body: body([ids.region['DX-01-01']], 'multi-role-notice-2') });
    expect(home.status).toBe(201);
  });

  it('makes group binding codes only for the community they staff', async () => {
    // Catches: binding codes for any community under the township they dispatch (the account's
    // every region counted for a community-staff right), so they could take over those groups.
    const code = (regionCode: string) => s.api('POST', '/api/v1/binding-codes', { token: tok.communityDispatcher, body: { type: 'room', regionId: ids.region[regionCode] } });
    expect((await code('DX-02-01')).status).toBe(403);
    expect((await code('DX-01-01')).status).toBe(201);
  });
});
