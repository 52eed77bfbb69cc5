/**
 * The suggested category on the bot's free-text filings (建议分类): a group-chat appeal (and a grid
 * worker's forward) arrives without a category and carries the suggestion's top answer beside it,
 * for staff only and never as its category, so the suggestion's learner does not learn from its
 * own guess; a dispatcher who takes it on accept is a staff confirmation like any other. A failing
 * suggestion never fails the filing. The learner is run by hand, background jobs are off.
 */
import { appealDoc, demoIds, move, newKey, startAppealsServer, TEST_BOT_TOKEN, type AppealsTestServer, type DemoIds } from '../helpers/appeals';
import type { TestServer } from '../helpers/server';
import { suggestLearner } from '../../server/suggest';
import { appealBotRoutes } from '../../server/appeals/bot-routes';
import { BotCreateAppealBody } from '../../server/appeals/schemas';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
let dispatcher: string;

const BOUND_ROOM = 'dongcheng-neighbours@chatroom'; // 东城社区, bound in the seed
const LIGHTS_TEXT = '#报事 小区门口的路灯不亮了，晚上很黑';
const groupBody = (o: Record<string, unknown> = {}) => ({
  idempotencyKey: newKey('msg'),
  channel: 'group_chat',
  roomId: BOUND_ROOM,
  contact: { id: 'wxid_demo_resident_01', name: '王建国' },
  text: LIGHTS_TEXT,
  ...o,
});
const botFile = (body: Record<string, unknown>) => s.api('POST', '/api/v1/bot/appeals', { token: TEST_BOT_TOKEN, body });
const learn = () => suggestLearner(s.ctx).runOnce();

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  ids = await demoIds(s);
  dispatcher = await s.staffToken('dispatcher');
}, 60_000);
afterAll(() => env?.stop());

describe('suggested category on group-chat appeals', () => {
  it('files the appeal without a category and with the top suggestion beside it, shown to staff only', async () => {
    const res = await botFile(groupBody({ isPublic: true }));
    expect(res.status).toBe(201);
    const a = await appealDoc(s, res.body.id);
    // Catches: the suggestion written as the category (the appeal would skip the dispatcher, or be
    // dispatched directly, on a guess), or no suggestion attached at all.
    expect(a.categoryId).toBeNull();
    expect(a.state).toBe('submitted');
    expect(String(a.suggestion?.categoryId)).toBe(ids.category['street-lights']);
    expect(a.suggestion).toMatchObject({ categoryName: expect.any(String), score: expect.any(Number) });
    expect(a.suggestion!.score).toBeGreaterThan(0);
    expect(a.suggestion!.score).toBeLessThanOrEqual(1);

    // Catches: the dispatcher's page and queue not showing it (建议分类 in the workbench reads these).
    const detail = await s.api('GET', `/api/v1/appeals/${a._id}`, { token: dispatcher });
    expect(detail.body).toMatchObject({ categoryId: null, suggestion: { categoryId: ids.category['street-lights'], score: a.suggestion!.score } });
    const inbox = await s.api('GET', '/api/v1/appeals?view=inbox&limit=50', { token: dispatcher });
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.find((i: { id: string }) => i.id === String(a._id))?.suggestion?.categoryId).toBe(ids.category['street-lights']);

    // Catches: a staff-only hint leaking into what residents read (it is public: any resident may open it).
    const reader = await s.api('GET', `/api/v1/appeals/${a._id}`, { token: await s.residentToken('demo-resident-12') });
    expect(reader.status).toBe(200);
    expect(reader.body).not.toHaveProperty('suggestion');
  });

  it('is not learned as a confirmation; a dispatcher accepting with the suggested category is', async () => {
    // The seed's confirmed appeals first, so what follows is this appeal's doing alone.
    await learn();
    const text = '#报事 琉璃瓦屋檐的路灯不亮了';
    const res = await botFile(groupBody({ text }));
    expect(res.status).toBe(201);
    const id = res.body.id;
    expect(String((await appealDoc(s, id)).suggestion?.categoryId)).toBe(ids.category['street-lights']);
    const before = await s.models.SuggestCategory.findById(ids.category['street-lights']).lean();
    await learn();
    // Catches: the learner counting the server's own guess (categoryConfirmations reading the
    // suggestion, or the suggestion stored as the category): suggestions would feed themselves.
    expect(await s.models.SuggestLearned.findById(id).lean()).toBeNull();
    expect(await s.models.SuggestCategory.findById(ids.category['street-lights']).lean()).toEqual(before);

    // The dispatcher takes the suggestion into the accept form and confirms it: that is staff's word.
    const accepted = await move(s, dispatcher, id, 'accept', { categoryId: ids.category['street-lights'] });
    // Catches: the hint still shown once the appeal has a category of its own.
    expect(accepted).toMatchObject({ categoryId: ids.category['street-lights'] });
    expect(accepted).not.toHaveProperty('suggestion');
    await learn();
    // Catches: an accepted suggestion not learned (the staff confirmation lost because a suggestion existed).
    expect(String((await s.models.SuggestLearned.findById(id).lean())?.c)).toBe(ids.category['street-lights']);
  });

  it("a grid worker's forward carries the suggestion too", async () => {
    // xicheng_grid1's WeChat is bound in the seed.
    const res = await botFile({ idempotencyKey: newKey('fwd'), channel: 'grid_worker', contact: { id: 'wxid_demo_xicheng_grid1', name: '网格员' }, text: '居民说家里停水了，水龙头没有水' });
    expect(res.status).toBe(201);
    const a = await appealDoc(s, res.body.id);
    // Catches: forwards (free text as well) left without a suggestion.
    expect(a.categoryId).toBeNull();
    expect(String(a.suggestion?.categoryId)).toBe(ids.category['water-supply']);
  });

  it('files the appeal without a suggestion when suggesting fails', async () => {
    // Catches: a broken suggestion (a database hiccup in its table) refusing a resident's report.
    const routes = appealBotRoutes(s.ctx, {
      suggest: async () => {
        throw new Error('suggestion table unavailable');
      },
    });
    const create = routes.find((r) => r.method === 'post' && r.path === '/appeals')!;
    const res = { locals: {} as Record<string, unknown> };
    const receipt = (await create.handler({ body: BotCreateAppealBody.parse(groupBody()), res } as never)) as { id: string; state: string };
    expect(receipt.state).toBe('submitted');
    const a = await appealDoc(s, receipt.id);
    expect(a.categoryId).toBeNull();
    expect(a.suggestion ?? null).toBeNull();
  });
});
