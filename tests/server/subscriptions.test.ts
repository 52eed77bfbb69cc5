/**
 * Subscribe messages for real (server/subscriptions): the app reports each requestSubscribeMessage
 * answer, the server records one grant per acceptance, and the outbox's deliverer sends an
 * appeal-progress message only while the recipient has a grant, consuming it. WeChat is a stub
 * sender; the clock is fixed and moved by hand; the demo county's water appeal is dispatched at
 * filing, so the flow is file → start → reply.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OutboxDoc } from '../../server/outbox/model';
import { startOutboxDeliverer, NOT_SUBSCRIBED_NOTE } from '../../server/outbox/deliverer';
import { backoffMs } from '../../server/outbox';
import type { SubscribeResult, SubscribeSender } from '../../server/outbox/wechat-subscribe';
import type { SubscribePayload } from '../../server/outbox/schemas';
import { configuredTemplates } from '../../server/subscriptions';
import { startTestServer, testConfig, type TestServer } from '../helpers/server';
import { demoIds, fileAppeal, move, newKey, relayed, testClock, type DemoIds } from '../helpers/appeals';

const TPL = 'TPL-PROGRESS-0001';
const RESIDENT = 'demo-resident-03';

let s: TestServer;
let dataDir: string;
let ids: DemoIds;
const clock = testClock('2026-11-26T02:00:00.000Z');
const tok: Record<string, string> = {};

/** WeChat's send, stubbed: answers from a script (default ok) and records what it was asked. */
const wechat = {
  sent: [] as Array<{ openid: string; payload: SubscribePayload }>,
  answers: [] as SubscribeResult[],
};
const sender: SubscribeSender = {
  kind: 'wechat',
  async send(openid, payload) {
    wechat.sent.push({ openid, payload });
    return wechat.answers.shift() ?? { ok: true };
  },
};

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-subscriptions-'));
  s = await startTestServer({
    now: clock.now,
    backgroundJobs: false,
    config: { dataDir, wechat: { appId: 'wx-test', secret: 'test-secret' }, subscribeTemplates: { appeal_progress: TPL } },
  });
  ids = await demoIds(s);
  tok.resident = await s.residentToken(RESIDENT);
  tok.other = await s.residentToken('demo-resident-04');
  tok.water = await s.staffToken('dept_water');
}, 600_000);
afterAll(async () => {
  await s?.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  wechat.sent = [];
  wechat.answers = [];
  await s.models.SubscriptionGrant.deleteMany({});
  await s.models.Outbox.deleteMany({});
});

const grant = (token: string, result: Record<string, string>, idempotencyKey = newKey('grant'), templateIds = Object.keys(result)) =>
  s.api('POST', '/api/v1/subscriptions/grants', { token, body: { idempotencyKey, templateIds, result } });
const remaining = async (token: string) => {
  const res = await s.api('GET', '/api/v1/subscriptions/grants', { token });
  expect(res.status).toBe(200);
  return res.body.items.find((i: { templateId: string }) => i.templateId === TPL)?.remaining;
};
/** Every due subscribe record once through the deliverer, as the server's loop would. */
async function deliver(): Promise<void> {
  const d = startOutboxDeliverer(s.ctx, { sender, schedule: () => ({ cancel() {} }) });
  try {
    await d.runOnce();
  } finally {
    await d.stop();
  }
}
const toResident = () => wechat.sent.filter((x) => x.openid === RESIDENT);
const recordsOf = (appealId: string) => s.models.Outbox.find({ channel: 'wechat_subscribe', dedupeKey: { $regex: `^appeal:${appealId}:` } }).lean<OutboxDoc[]>();

async function answered(): Promise<{ id: string; number: string }> {
  const a = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-01-01'], categoryId: ids.category['water-supply'] });
  await move(s, tok.water, a.id, 'start');
  await move(s, tok.water, a.id, 'reply', { answer: '管道已抢修完毕，已恢复供水。' });
  await relayed(s, a.id);
  return a;
}

describe('recording grants', () => {
  // Catches: the app told no template (it would never ask), or told one while WeChat is not
  // configured (residents asked for messages that can never be sent).
  it('tells the app the configured template, and none without WeChat', async () => {
    const res = await s.api('GET', '/api/v1/subscriptions/templates');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [{ template: 'appeal_progress', templateId: TPL, title: '诉求进度提醒' }] });
    expect(configuredTemplates({ config: testConfig({ subscribeTemplates: { appeal_progress: TPL } }) })).toEqual([]);
    expect(configuredTemplates({ config: testConfig({ wechat: { appId: 'wx', secret: 's' } }) })).toEqual([]);
  });

  // Catches: a refusal counted as a grant (every later send refused by WeChat with 43101), or a
  // template the county no longer uses granted.
  it('a rejected, banned or filtered template, or one not configured, records no grant', async () => {
    for (const answer of ['reject', 'ban', 'filter']) {
      const res = await grant(tok.resident, { [TPL]: answer });
      expect([answer, res.status, res.body.items[0].remaining]).toEqual([answer, 200, 0]);
    }
    expect((await grant(tok.resident, { 'OLD-TEMPLATE': 'accept' })).body.items[0].remaining).toBe(0);
    expect(await s.models.SubscriptionGrant.countDocuments({})).toBe(0);
    const accepted = await grant(tok.resident, { [TPL]: 'accept', 'OLD-TEMPLATE': 'accept' });
    expect(accepted.body.items).toEqual([{ template: 'appeal_progress', templateId: TPL, title: '诉求进度提醒', remaining: 1 }]);
  });

  // Catches: a retried report (the answer to the first was lost) giving two grants for one tap,
  // so the server would send a message WeChat then refuses.
  it('retries of the same report do not double-count; a new acceptance does', async () => {
    const key = newKey('grant');
    expect((await grant(tok.resident, { [TPL]: 'accept' }, key)).body.items[0].remaining).toBe(1);
    expect((await grant(tok.resident, { [TPL]: 'accept' }, key)).body.items[0].remaining).toBe(1);
    const racing = await Promise.all([grant(tok.resident, { [TPL]: 'accept' }, key), grant(tok.resident, { [TPL]: 'accept' }, key)]);
    expect(racing.map((r) => r.status)).toEqual([200, 200]);
    expect(await remaining(tok.resident)).toBe(1);
    expect((await grant(tok.resident, { [TPL]: 'accept' })).body.items[0].remaining).toBe(2);
    // Grants are the caller's own.
    expect(await remaining(tok.other)).toBe(0);
  });

  // Catches: a malformed report stored (a result for a template that was not asked, an answer
  // WeChat never gives).
  it('refuses a result for a template not asked for, and unknown answers', async () => {
    const stray = await grant(tok.resident, { [TPL]: 'accept' }, newKey('grant'), ['OTHER']);
    expect([stray.status, stray.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await grant(tok.resident, { [TPL]: 'maybe' })).status).toBe(400);
    expect(await remaining(tok.resident)).toBe(0);
  });
});

describe('sending only on a grant', () => {
  // Catches: sends without a grant (WeChat's 43101 on every one), a grant not consumed (the
  // second answer sent on a spent grant), or a skipped message left to fail or retry.
  it('an answered appeal sends exactly one subscribe message per grant; a second answer without a new grant sends none', async () => {
    expect((await grant(tok.resident, { [TPL]: 'accept' })).status).toBe(200);
    const a = await answered();
    await deliver();
    expect(toResident()).toHaveLength(1);
    expect(toResident()[0].payload).toMatchObject({ template: 'appeal_progress', page: `pages/appeal-detail/index?id=${a.id}`, data: { number: a.number, state: '已答复' } });
    expect(await remaining(tok.resident)).toBe(0);

    // Unsatisfied: reopened and answered again, with no new grant.
    clock.advance(60 * 60_000);
    await move(s, tok.resident, a.id, 'reopen', { reason: '还是没有水，请再看看' });
    await move(s, tok.water, a.id, 'reply', { answer: '已更换阀门，今天下午恢复供水。' });
    await relayed(s, a.id);
    await deliver();
    expect(toResident()).toHaveLength(1);
    const residentId = String((await s.models.Appeal.findById(a.id).lean<{ reporterId: unknown }>())!.reporterId);
    const mine = (await recordsOf(a.id)).filter((o) => o.recipient === residentId);
    expect(mine.map((o) => [o.state, o.attempts])).toEqual([
      ['sent', 1],
      ['sent', 1],
    ]);
    expect(mine.map((o) => o.sentNote).sort()).toEqual([NOT_SUBSCRIBED_NOTE, null].sort());
    // Skipped for good: a later run does not pick it up again.
    clock.advance(60 * 60_000);
    await deliver();
    expect(toResident()).toHaveLength(1);
  });

  // Catches: the moves chosen for residents: acceptance and dispatch spending the one grant before
  // anything was answered.
  it('filing and direct dispatch spend no grant; the answer does', async () => {
    await grant(tok.resident, { [TPL]: 'accept' });
    const a = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-01-01'], categoryId: ids.category['water-supply'] });
    await relayed(s, a.id);
    await deliver();
    expect(toResident()).toEqual([]);
    expect(await remaining(tok.resident)).toBe(1);
    await move(s, tok.water, a.id, 'start');
    await move(s, tok.water, a.id, 'reply', { answer: '已派人处理，水压已恢复。' });
    await relayed(s, a.id);
    await deliver();
    expect(toResident().map((x) => x.payload.data.state)).toEqual(['已答复']);
  });

  // Catches: a retried delivery (WeChat was down) spending a second grant for one message.
  it('a delivery retried after a temporary failure reuses its grant', async () => {
    await grant(tok.resident, { [TPL]: 'accept' });
    await grant(tok.resident, { [TPL]: 'accept' });
    await answered();
    wechat.answers.push({ ok: false, error: '微信接口不可用：timeout', retryable: true });
    await deliver();
    expect(toResident()).toHaveLength(1);
    expect(await remaining(tok.resident)).toBe(1);
    clock.advance(backoffMs(1));
    await deliver();
    expect(toResident()).toHaveLength(2);
    expect(await remaining(tok.resident)).toBe(1);
  });
});
