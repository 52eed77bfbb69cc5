/**
 * The services directory (便民服务): the public list the 服务 tab shows, admins adding and editing
 * entries, the cache's ETag/304 invalidated by an edit, and the bot's list it answers from. The seed may
 * already hold a demo directory: every test creates its own entries and compares by their ids.
 */
import { startTestServer, TEST_BOT_TOKEN, type TestServer } from '../helpers/server';

let s: TestServer;
let admin: string;
let seq = 0;
beforeAll(async () => {
  s = await startTestServer({ backgroundJobs: false });
  admin = await s.staffToken('admin');
}, 60_000);
afterAll(() => s?.stop());

/** A name no seed entry has, so tests never collide with the demo directory or each other. */
const uniqueName = (base: string) => `${base}测试${++seq}`;
async function create(body: Record<string, unknown>) {
  const res = await s.api('POST', '/api/v1/services', { token: admin, body: { group: '测试分组', phone: '12345', ...body } });
  if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string; active: boolean; keywords: string[] };
}
const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe('GET /api/v1/services', () => {
  it('lists active entries to anyone, ordered by group then sort number', async () => {
    // Catches: a list that needs a sign-in, or ignores the admins' sort order within a group.
    const b2 = await create({ name: uniqueName('乙二'), group: '测试B组', sort: 2 });
    const a9 = await create({ name: uniqueName('甲九'), group: '测试A组', sort: 9 });
    const b1 = await create({ name: uniqueName('乙一'), group: '测试B组', sort: 1, phone: '0871-6123456', hours: '工作日 8:30-17:30', address: '县城人民路1号', keywords: ['停水', '停水', '水费'] });
    const res = await s.api('GET', '/api/v1/services');
    expect(res.status).toBe(200);
    const mine = ids(res.body.items).filter((id) => [b2.id, a9.id, b1.id].includes(id));
    expect(mine).toEqual([a9.id, b1.id, b2.id]);
    const full = res.body.items.find((i: { id: string }) => i.id === b1.id);
    // Duplicate keywords collapse to one.
    expect(full).toMatchObject({ phone: '0871-6123456', hours: '工作日 8:30-17:30', address: '县城人民路1号', keywords: ['停水', '水费'], active: true });
  });

  it('answers 304 to a matching ETag, and 200 with the new body after an admin edits an entry', async () => {
    // Catches: a cache that is not invalidated by PATCH (residents keep seeing the old phone number).
    const e = await create({ name: uniqueName('缓存'), phone: '12345' });
    const first = await s.api('GET', '/api/v1/services');
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const again = await s.api('GET', '/api/v1/services', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect((await s.api('PATCH', `/api/v1/services/${e.id}`, { token: admin, body: { phone: '0871-6999999' } })).status).toBe(200);
    const after = await s.api('GET', '/api/v1/services', { headers: { 'If-None-Match': etag } });
    expect(after.status).toBe(200);
    expect(after.body.items.find((i: { id: string }) => i.id === e.id).phone).toBe('0871-6999999');
  });

  it('hides an entry an admin deactivates; all=true shows it to admins only', async () => {
    // Catches: active:false still listed publicly, or all=true leaking inactive entries to non-admins.
    const e = await create({ name: uniqueName('停用') });
    const off = await s.api('PATCH', `/api/v1/services/${e.id}`, { token: admin, body: { active: false } });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect(ids((await s.api('GET', '/api/v1/services')).body.items)).not.toContain(e.id);
    const all = await s.api('GET', '/api/v1/services?all=true', { token: admin });
    expect(all.status).toBe(200);
    expect(ids(all.body.items)).toContain(e.id);
    expect(all.headers.get('cache-control')).toContain('private');
    const resident = await s.residentToken('demo-resident-03');
    expect(ids((await s.api('GET', '/api/v1/services?all=true', { token: resident })).body.items)).not.toContain(e.id);
    expect(ids((await s.api('GET', '/api/v1/services?all=true')).body.items)).not.toContain(e.id);
  });
});

describe('admin: POST/PATCH /api/v1/services', () => {
  it('refuses a duplicate name with 409, on create and on rename', async () => {
    // Catches: the unique name surfacing as a 500, or a rename onto another entry's name going through.
    const name = uniqueName('重名');
    const a = await create({ name });
    const dup = await s.api('POST', '/api/v1/services', { token: admin, body: { name, group: '测试分组', phone: '12345' } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toContain(name);
    const b = await create({ name: uniqueName('另一个') });
    const rename = await s.api('PATCH', `/api/v1/services/${b.id}`, { token: admin, body: { name } });
    expect(rename.status).toBe(409);
    // Saving an entry under its own name is not a conflict.
    expect((await s.api('PATCH', `/api/v1/services/${a.id}`, { token: admin, body: { name, hours: '全天' } })).status).toBe(200);
  });

  it('validates with messages that name the field', async () => {
    // Catches: a bad phone number stored, or a 400 that does not say which field is wrong.
    const bad = await s.api('POST', '/api/v1/services', { token: admin, body: { name: uniqueName('坏电话'), group: '测试分组', phone: 'abc' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]).toMatchObject({ path: 'body.phone', message: '请输入有效的电话号码（手机、座机或短号如12345）' });
    const unknown = await s.api('POST', '/api/v1/services', { token: admin, body: { name: uniqueName('多字段'), group: '测试分组', phone: '12345', $where: '1' } });
    expect(unknown.status).toBe(400);
    const missing = await s.api('PATCH', '/api/v1/services/0123456789abcdef01234567', { token: admin, body: { hours: '全天' } });
    expect(missing.status).toBe(404);
  });

  it('is for admins only', async () => {
    // Catches: staff or residents able to change the phone numbers residents call.
    const e = await create({ name: uniqueName('权限') });
    const body = { name: uniqueName('越权'), group: '测试分组', phone: '12345' };
    expect((await s.api('POST', '/api/v1/services', { body })).status).toBe(401);
    const dispatcher = await s.staffToken('dispatcher');
    expect((await s.api('POST', '/api/v1/services', { token: dispatcher, body })).status).toBe(403);
    expect((await s.api('PATCH', `/api/v1/services/${e.id}`, { token: dispatcher, body: { phone: '110' } })).status).toBe(403);
    const resident = await s.residentToken('demo-resident-04');
    expect((await s.api('PATCH', `/api/v1/services/${e.id}`, { token: resident, body: { phone: '110' } })).status).toBe(403);
  });
});

describe('GET /api/v1/bot/services', () => {
  it('gives the bot the active entries with their keywords, and only the bot', async () => {
    // Catches: the bot answering with a deactivated office, or the route open to residents.
    const on = await create({ name: uniqueName('机器人可见'), keywords: ['燃气'] });
    const off = await create({ name: uniqueName('机器人不可见'), keywords: ['燃气'] });
    await s.api('PATCH', `/api/v1/services/${off.id}`, { token: admin, body: { active: false } });
    const res = await s.api('GET', '/api/v1/bot/services', { token: TEST_BOT_TOKEN });
    expect(res.status).toBe(200);
    expect(res.body.items.find((i: { id: string }) => i.id === on.id).keywords).toEqual(['燃气']);
    expect(ids(res.body.items)).not.toContain(off.id);
    expect((await s.api('GET', '/api/v1/bot/services', { token: admin })).status).toBe(403);
    expect((await s.api('GET', '/api/v1/bot/services')).status).toBe(401);
  });
});
