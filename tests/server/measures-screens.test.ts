/**
 * Big screens' keys (数据大屏): an admin issues a key for the media centre's display, which reads
 * the county's dashboard with it and nothing else; revoked, it stops. No one's sign-in on a wall.
 */
import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let admin: string;
const screen = (key?: string) => s.api('GET', '/api/v1/measures/screen', key ? { headers: { 'x-screen-key': key } } : {});

beforeAll(async () => {
  s = await startTestServer({ backgroundJobs: false });
  admin = await s.staffToken('admin');
}, 180_000);
afterAll(() => s?.stop());

describe('screen keys', () => {
  it('a key issued by an admin reads the county dashboard, the same figures the admin sees', async () => {
    // Catches: a screen needing a staff sign-in, or a screen shown another scope's figures.
    const issued = await s.api('POST', '/api/v1/measures/screens', { token: admin, body: { name: '融媒中心一楼大屏' } });
    expect(issued.status).toBe(201);
    expect(issued.body.key).toMatch(/^scr_/);
    const shown = await screen(issued.body.key);
    expect(shown.status).toBe(200);
    const mine = await s.api('GET', '/api/v1/measures/dashboard', { token: admin });
    expect({ ...shown.body, at: null }).toEqual({ ...mine.body, at: null });
  });

  it('no key, a wrong key and a revoked key are 401 with a Chinese message; the list never shows a key', async () => {
    // Catches: a public dashboard without a key, a revocation that does not stop the screen, a key readable again from the list or the database.
    expect((await screen()).status).toBe(401);
    expect((await screen('scr_not-a-key')).status).toBe(401);
    const issued = (await s.api('POST', '/api/v1/measures/screens', { token: admin, body: { name: '会议室' } })).body;
    expect((await screen(issued.key)).status).toBe(200);
    const list = await s.api('GET', '/api/v1/measures/screens', { token: admin });
    expect(list.body.items.find((k: any) => k.id === issued.screen.id)).toMatchObject({ name: '会议室', prefix: issued.key.slice(0, 8), revokedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(issued.key);
    const stored = await s.ctx.conn.collection('screenkeys').find({}).toArray();
    expect(JSON.stringify(stored)).not.toContain(issued.key);
    const revoked = await s.api('POST', `/api/v1/measures/screens/${issued.screen.id}/revoke`, { token: admin });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const after = await screen(issued.key);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toContain('大屏密钥无效或已停用');
  });

  it('only admins issue, list and revoke', async () => {
    // Catches: a dispatcher or a resident able to mint a key that reads the county's figures.
    const dispatcher = await s.staffToken('dispatcher');
    expect((await s.api('POST', '/api/v1/measures/screens', { token: dispatcher, body: { name: '我的大屏' } })).status).toBe(403);
    expect((await s.api('GET', '/api/v1/measures/screens', { token: await s.residentToken() })).status).toBe(403);
  });
});
