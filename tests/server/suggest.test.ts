/**
 * The category suggestion (server/suggest): names and keywords before any history, learning from
 * the categories staff confirm (one learner run, no restart), what a second process reads from the
 * same database, unlearning when staff change the category, the input's validation and who may ask.
 * The learner is run by hand (`runOnce`), the server's own background jobs are off.
 */
import { demoIds, fileAppeal, move, startAppealsServer, type AppealsTestServer, type DemoIds } from '../helpers/appeals';
import { startSecondServer, type TestServer } from '../helpers/server';
import { suggestLearner } from '../../server/suggest';
import type { RunningServer } from '../../server/server';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
let dispatcher: string;
let resident: string;
let home: string;

const suggest = (text: string, token = dispatcher, limit?: number) => s.api('POST', '/api/v1/categories/suggest', { token, body: { text, ...(limit ? { limit } : {}) } });
const ranked = async (text: string, token = dispatcher) => {
  const res = await suggest(text, token);
  if (res.status !== 200) throw new Error(`suggest: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items as { id: string; code: string; name: string; score: number }[];
};
const learn = () => suggestLearner(s.ctx).runOnce();
/** A hotline entry (热线代录) by the dispatcher. */
const hotline = (description: string, categoryId: string | null) =>
  fileAppeal(s, dispatcher, { regionId: home, channel: 'hotline', reporter: { name: '王先生', phone: null }, categoryId, description });

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  ids = await demoIds(s);
  dispatcher = await s.staffToken('dispatcher');
  resident = await s.residentToken('demo-resident-02');
  home = ids.region['DX-01-01'];
}, 60_000);
afterAll(() => env?.stop());

describe('category suggestion', () => {
  it('with no history, ranks the category whose name the text says, with posteriors', async () => {
    // Catches: names not counted as pseudo-documents (every category equal), or scores that are not a distribution.
    const items = await ranked('小区门口的路灯不亮了，晚上很黑');
    expect(items[0].code).toBe('street-lights');
    expect(items).toHaveLength(5);
    for (const i of items) expect(i.score).toBeGreaterThanOrEqual(0);
    expect(items[0].score).toBeGreaterThan(items[1].score);
    expect(items.reduce((sum, i) => sum + i.score, 0)).toBeLessThanOrEqual(1.0001);
    expect((await ranked('家里停水了，水龙头没有水'))[0].code).toBe('water-supply');
  });

  it('counts the keywords admins add, from the next suggestion on', async () => {
    // Catches: keywords ignored, or the suggestion keeping the catalogue it read before the edit.
    expect((await ranked('站牌被撞歪了'))[0].code).not.toBe('bus-service');
    const admin = await s.staffToken('admin');
    const res = await s.api('PATCH', `/api/v1/categories/${ids.category['bus-service']}`, { token: admin, body: { keywords: ['站牌', '班车'] } });
    expect(res.status).toBe(200);
    expect(res.body.keywords).toEqual(['站牌', '班车']);
    expect((await ranked('站牌被撞歪了'))[0].code).toBe('bus-service');
  });

  it('learns the texts of categories staff confirm within one learner run, and a re-read learns nothing twice', async () => {
    const text = '石牌坊底下长满了青苔';
    expect((await ranked(text))[0].code).not.toBe('prices');
    for (const d of ['石牌坊旁边青苔很滑', '桂花巷石牌坊青苔没人清理', '石牌坊青苔又长出来了']) await hotline(d, ids.category.prices);
    const first = await learn();
    expect(first.ran).toBe(true);
    expect(first.learned).toBeGreaterThanOrEqual(3);
    // Catches: learning that needs a restart or a retrain before suggestions change.
    expect((await ranked(text))[0].code).toBe('prices');
    // Catches: the overlapping re-read of the last minute counting the same texts again.
    const before = await s.models.SuggestCategory.findById(ids.category.prices).lean();
    const again = await learn();
    expect(again).toMatchObject({ ran: true, learned: 0, unlearned: 0 });
    expect(await s.models.SuggestCategory.findById(ids.category.prices).lean()).toEqual(before);
  });

  it("counts a resident's own category only once staff confirm it", async () => {
    // Direct dispatch by rule (heating names its unit): the server accepted and assigned it, no person did.
    const a = await fileAppeal(s, resident, { regionId: home, categoryId: ids.category.heating, description: '琉璃瓦风铃叮当响' });
    expect(a.state).toBe('assigned');
    await learn();
    // Catches: a resident's unconfirmed choice taught to the model.
    expect(await s.models.SuggestLearned.findById(a.id).lean()).toBeNull();
    await move(s, dispatcher, a.id, 'review', {});
    await learn();
    expect(await s.models.SuggestLearned.findById(a.id).lean()).toMatchObject({ c: expect.anything() });
    expect(String((await s.models.SuggestLearned.findById(a.id).lean())!.c)).toBe(ids.category.heating);
  });

  it('unlearns the old category when staff change it', async () => {
    const texts = ['石狮子掉漆褪色', '门口石狮子掉漆了', '两只石狮子掉漆严重'];
    const filed = [];
    for (const t of texts) filed.push(await hotline(t, null));
    for (const a of filed) await move(s, dispatcher, a.id, 'accept', { categoryId: ids.category.noise });
    await learn();
    expect((await ranked('石狮子掉漆'))[0].code).toBe('noise');
    const noiseBefore = (await s.models.SuggestCategory.findById(ids.category.noise).lean())!;
    // The dispatcher corrects the category when assigning.
    for (const a of filed) await move(s, dispatcher, a.id, 'assign', { departmentId: ids.department.market, categoryId: ids.category['food-safety'] });
    const run = await learn();
    expect(run).toMatchObject({ learned: 3, unlearned: 3 });
    // Catches: the old category keeping the counts (relearning without unlearning).
    const noiseAfter = (await s.models.SuggestCategory.findById(ids.category.noise).lean())!;
    expect(noiseAfter.docs).toBe(noiseBefore.docs - 3);
    const items = await ranked('石狮子掉漆');
    expect(items[0].code).toBe('food-safety');
    expect(items.find((i) => i.code === 'noise')?.score ?? 0).toBeLessThan(0.05);
  });

  it('a second server on the same database suggests the same (the counts live in the database)', async () => {
    // Catches: counts kept only in one process's memory (lost at restart, or different per process).
    let second: RunningServer | undefined;
    try {
      second = await startSecondServer(s, { now: env.clock.now, backgroundJobs: false });
      const token = await s.staffToken('dispatcher');
      for (const text of ['石牌坊底下长满了青苔', '石狮子掉漆', '路灯不亮']) {
        const a = await ranked(text);
        const res = await fetch(`${second.url}/api/v1/categories/suggest`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ text }) });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { items: unknown }).items).toEqual(a);
      }
    } finally {
      await second?.close();
    }
  });

  it('refuses an empty text naming the field; a resident may ask, an anonymous caller may not', async () => {
    // Catches: validation missing (an empty text ranking the priors) or the wrong access.
    for (const text of ['', '   ']) {
      const res = await suggest(text);
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain('body.text');
    }
    expect((await suggest('x'.repeat(2001))).status).toBe(400);
    expect((await s.api('POST', '/api/v1/categories/suggest', { token: dispatcher, body: { text: '路灯', extra: 1 } })).status).toBe(400);
    expect((await suggest('路灯不亮', resident, 3)).body.items).toHaveLength(3);
    expect((await s.api('POST', '/api/v1/categories/suggest', { body: { text: '路灯不亮' } })).status).toBe(401);
  });
});
