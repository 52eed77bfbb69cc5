/**
 * The measures API (server/measures): each rate and count on a constructed set of appeals with
 * known answers, filed and moved through the API on a clock the test moves; a month whose
 * appeals move after it closed (one replied in December, one reopened); scope; and the daily
 * rollup giving the same figures as the timelines.
 *
 * November 2026 (China time), all in 东城社区 unless said:
 *   A1  filed 2 Nov 09:00, accepted 10:00, assigned 10:30, started 12:00, answered 3 Nov 09:00, rated resolved 满意
 *   A2  filed 5 Nov 09:00, accepted late 12:00 and assigned, 督办 first contact (6 Nov), started 6 Nov 10:00,
 *       督办 resolve (12 Nov), answered late 20 Nov 09:00, rated not resolved 基本满意
 *   A3  filed 10 Nov 09:00, rejected 09:30
 *   A7  filed 15 Nov 09:00, road damage: direct dispatch to 交通运输局; 督办 first contact; never answered
 *   A8  filed 20 Nov 08:00, 督办 accept, accepted late 11:00, never assigned
 *   A9  filed 25 Nov 09:00 in 西城社区, never answered
 *   A10 filed 25 Nov 10:00, merged into A8 at 10:30
 *   A4  filed 28 Nov 09:00, accepted, assigned, started, answered 29 Nov 09:00, rated not resolved 不满意;
 *       reopened 2 Dec, answered 3 Dec 09:00, rated resolved 满意
 *   A5  filed 30 Nov 20:00, accepted 20:30, assigned 20:40; started, answered and rated 1 Dec
 *   A6  filed 30 Nov 23:00 (accept deadline 1 Dec 01:00), accepted 1 Dec 00:30
 */
import { appealDeadlines } from '../../server/appeals/scheduler';
import { measureRollup } from '../../server/measures';
import { periodCells } from '../../server/measures/cells';
import { dayIndexOfIso } from '../../server/measures/days';
import { MEASURE_DAYS_CACHE } from '../../server/measures/model';
import { packCells, unpackCells } from '../../server/measures/pack';
import type { CellKey } from '../../server/measures/formulas';
import { bumpStamp } from '../../server/core/cache/stamps';
import { fileAppeal, move, startAppealsServer, testClock, demoIds, type AppealsTestServer, type DemoIds } from '../helpers/appeals';
import { indexesOf, recordQueryShapes, servingIndex, describeShape } from '../helpers/query-shapes';
import type { TestServer } from '../helpers/server';
import { cn, readMeasures } from '../helpers/measures';


let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
let dispatcher: string;
let urban: string;
let resident: string;
const ap: Record<string, string> = {};

const at = (when: string) => env.clock.set(cn(when));
const measures = (token: string, query: string) => readMeasures(s, token, query);
const file = async (name: string, when: string, o: { region?: string; category?: string } = {}) => {
  at(when);
  const a = await fileAppeal(s, resident, { regionId: ids.region[o.region ?? 'DX-01-01'], categoryId: o.category ? ids.category[o.category] : null, description: `测试诉求 ${name}` });
  ap[name] = a.id;
};
const step = async (name: string, when: string, action: string, body: Record<string, unknown> = {}) => {
  at(when);
  const token = ['start', 'reply'].includes(action) ? urban : ['rate', 'reopen'].includes(action) ? resident : dispatcher;
  await move(s, token, ap[name], action, body);
};
const scan = async (when: string) => {
  at(when);
  await appealDeadlines(s.ctx).run();
};
const NOV = 'from=2026-11-01&to=2026-11-30';

/** November's figures, county-wide, as worked out by hand from the story above. */
const NOVEMBER = {
  counts: {
    received: 10,
    accepted: 6,
    rejected: 1,
    merged: 1,
    overdue: { accept: 1, firstContact: 2, resolve: 1 },
    replied: 3,
    closed: 3,
    rated: { total: 3, satisfied: 1, basic: 1, unsatisfied: 1, resolved: 1 },
    reopened: 0,
  },
  medians: { firstContactHours: 3, replyHours: 24, assignmentSeconds: 2400 },
  rates: {
    // A1 A3 A7 A10 A4 A5 in time; A2 A8 A9 late. A6's deadline is in December.
    response: { value: 0.6667, numerator: 6, denominator: 9 },
    // A1's answer resolved; A2's and A4's not.
    resolution: { value: 0.3333, numerator: 1, denominator: 3 },
    // 满意 A1 + 基本满意 A2 of three ratings.
    satisfaction: { value: 0.6667, numerator: 2, denominator: 3 },
    // A1 and A4 answered in time; A2 late; A7's and A8's deadlines passed unanswered. A3 and A10 were never due.
    onTime: { value: 0.4, numerator: 2, denominator: 5 },
  },
};
let novemberAtMonthEnd: any;

beforeAll(async () => {
  env = await startAppealsServer(testClock('2026-10-31T17:00:00Z'));
  s = env.server;
  // The demo history is filed before the clock's start; these figures are of this story only.
  await s.models.Appeal.deleteMany({});
  ids = await demoIds(s);
  dispatcher = await s.staffToken('dispatcher');
  urban = await s.staffToken('dept_urban');
  resident = await s.residentToken('demo-resident-01');
  const assign = { departmentId: ids.department.urban };

  await file('A1', '2026-11-02 09:00');
  await step('A1', '2026-11-02 10:00', 'accept');
  await step('A1', '2026-11-02 10:30', 'assign', assign);
  await step('A1', '2026-11-02 12:00', 'start');
  await step('A1', '2026-11-03 09:00', 'reply', { answer: '路灯已经修复完毕', photoIds: [] });
  await step('A1', '2026-11-03 10:00', 'rate', { resolved: true, satisfaction: 'satisfied' });

  await file('A2', '2026-11-05 09:00');
  await step('A2', '2026-11-05 12:00', 'accept');
  await step('A2', '2026-11-05 12:00', 'assign', assign);
  await scan('2026-11-06 09:30');
  await step('A2', '2026-11-06 10:00', 'start');

  await file('A3', '2026-11-10 09:00');
  await step('A3', '2026-11-10 09:30', 'reject', { reason: '不属于受理范围' });
  await scan('2026-11-12 10:00');

  await file('A7', '2026-11-15 09:00', { category: 'road-damage' });
  await file('A8', '2026-11-20 08:00');
  await step('A2', '2026-11-20 09:00', 'reply', { answer: '已经安排人员处理完毕', photoIds: [] });
  await step('A2', '2026-11-20 10:00', 'rate', { resolved: false, satisfaction: 'basically' });
  await scan('2026-11-20 10:30');
  await step('A8', '2026-11-20 11:00', 'accept');

  await file('A9', '2026-11-25 09:00', { region: 'DX-01-02' });
  await file('A10', '2026-11-25 10:00');
  at('2026-11-25 10:30');
  await move(s, dispatcher, ap.A10, 'merge', { intoId: ap.A8 });

  await file('A4', '2026-11-28 09:00');
  await step('A4', '2026-11-28 09:30', 'accept');
  await step('A4', '2026-11-28 09:40', 'assign', assign);
  await step('A4', '2026-11-28 10:00', 'start');
  await step('A4', '2026-11-29 09:00', 'reply', { answer: '已经安排人员处理完毕', photoIds: [] });
  await step('A4', '2026-11-29 10:00', 'rate', { resolved: false, satisfaction: 'unsatisfied' });

  await file('A5', '2026-11-30 20:00');
  await step('A5', '2026-11-30 20:30', 'accept');
  await step('A5', '2026-11-30 20:40', 'assign', assign);
  await file('A6', '2026-11-30 23:00');

  // Just after the month's end, before anything is rolled up: November from the timelines.
  at('2026-12-01 00:10');
  novemberAtMonthEnd = await measures(dispatcher, NOV);
}, 120_000);
afterAll(() => env?.stop());

describe('measures: each figure on a known set of appeals', () => {
  it('counts November as worked out by hand', () => {
    // Catches: a count keyed on the wrong event or day, an overdue flag given to the wrong step,
    // a median from the wrong start, a deadline counted before it was decided (A6 in November).
    expect(novemberAtMonthEnd).toMatchObject(NOVEMBER);
    expect(novemberAtMonthEnd.days).toEqual({ rolledUp: 0, live: 30 });
  });

  it('gives the same figures from the rolled-up days as from the timelines', async () => {
    // Catches: a rollup that drops or doubles a cell, or loses the durations behind the medians.
    // A shutdown during the catch-up: the run stops after the span it is in (31 days), and the
    // next run takes up the rest. Catches: a run that ignores its signal and holds close() for
    // the whole 400 days (CI's shutdown test waited 7.7 s for it).
    let checks = 0;
    const stopAfterOneSpan = { get aborted() { return checks++ > 0; } } as AbortSignal;
    expect((await measureRollup(s.ctx).run({ signal: stopAfterOneSpan })).days).toBe(31);
    const run = await measureRollup(s.ctx).run();
    expect(run.days).toBe(400 - 31);
    const rolled = await measures(dispatcher, NOV);
    expect(rolled.days).toEqual({ rolledUp: 30, live: 0 });
    expect({ ...rolled, days: null }).toEqual({ ...novemberAtMonthEnd, days: null });
    // Idempotent: a second run (another process, a restart) has nothing left to do.
    expect((await measureRollup(s.ctx).run()).days).toBe(0);
  });

  it('rolls up again the days an older version kept as cell documents, reading them from the timelines meanwhile', async () => {
    // Catches: an upgrade that counts an older version's done days (not packed, their cells in
    // `measurecells`) as rolled up and answers them as empty, or never rolls them up again.
    const november = { $gte: '20261101', $lte: '20261130' } as never;
    await s.ctx.conn.collection('measuredays').updateMany({ _id: november }, { $unset: { packed: '' } });
    await s.ctx.conn.collection('measurepacks').deleteMany({ _id: november });
    await s.ctx.conn.collection('measurecells').insertOne({ _id: '20261101|/DX/DX-01|-|-|h5' as never, day: '20261101' });
    await bumpStamp(s.ctx.conn, MEASURE_DAYS_CACHE);
    const meanwhile = await measures(dispatcher, NOV);
    expect(meanwhile.days).toEqual({ rolledUp: 0, live: 30 });
    expect({ ...meanwhile, days: null }).toEqual({ ...novemberAtMonthEnd, days: null });

    expect((await measureRollup(s.ctx).run()).days).toBe(30);
    const collections = (await s.ctx.conn.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(collections).not.toContain('measurecells');
    const again = await measures(dispatcher, NOV);
    expect(again.days).toEqual({ rolledUp: 30, live: 0 });
    expect({ ...again, days: null }).toEqual({ ...novemberAtMonthEnd, days: null });
  });

  it('drops the packs of days older than the catch-up, which are read from the timelines', async () => {
    // Catches: packs kept for ever though no reader asks them (about 50 MB a year at 100k appeals).
    const old = '20250101';
    await s.ctx.conn.collection('measuredays').insertOne({ _id: old as never, done: true, packed: true, leaseUntil: new Date(0), rolledAt: new Date(0), cells: 0 });
    await s.ctx.conn.collection('measurepacks').insertOne({ _id: old as never, pack: packCells([]) });
    await measureRollup(s.ctx).run();
    expect(await s.ctx.conn.collection('measuredays').countDocuments({ _id: old as never })).toBe(0);
    expect(await s.ctx.conn.collection('measurepacks').countDocuments({ _id: old as never })).toBe(0);
    expect((await measures(dispatcher, NOV)).days).toEqual({ rolledUp: 30, live: 0 });
  });

  it('keeps a closed month unchanged when its appeals move later, and counts the moves in their own month', async () => {
    // Catches: counting an event in the month the appeal was filed (A5's answer in November),
    // letting A4's reopen rewrite its November rating, or A6's December acceptance change November.
    await step('A6', '2026-12-01 00:30', 'accept');
    await step('A5', '2026-12-01 09:00', 'start');
    await step('A5', '2026-12-01 10:00', 'reply', { answer: '已经安排人员处理完毕', photoIds: [] });
    await step('A5', '2026-12-01 12:00', 'rate', { resolved: true, satisfaction: 'satisfied' });
    await step('A4', '2026-12-02 09:00', 'reopen', { reason: '问题依旧没有解决' });
    await step('A4', '2026-12-03 09:00', 'reply', { answer: '已经再次安排处理完毕', photoIds: [] });
    await step('A4', '2026-12-03 10:00', 'rate', { resolved: true, satisfaction: 'satisfied' });
    at('2026-12-04 12:00');
    expect(await measures(dispatcher, NOV)).toMatchObject(NOVEMBER);
    // The timelines alone (no rollup) say the same about November after the moves.
    await measureRollup(s.ctx).forget();
    const live = await measures(dispatcher, NOV);
    expect(live.days.live).toBe(30);
    expect(live).toMatchObject(NOVEMBER);

    const december = await measures(dispatcher, 'from=2026-12-01&to=2026-12-31');
    expect(december.counts).toMatchObject({ received: 0, accepted: 1, replied: 2, closed: 2, reopened: 1, rated: { total: 2, satisfied: 2, resolved: 2 } });
    expect(december.rates).toMatchObject({
      response: { numerator: 1, denominator: 1 },
      resolution: { numerator: 2, denominator: 2 },
      // A5 and A4's second handling in time; A9's deadline (2 Dec) passed unanswered.
      onTime: { numerator: 2, denominator: 3 },
    });
    // The reopened handling is timed from the reopen: 24 h; A5's from filing: 14 h.
    expect(december.medians.replyHours).toBe(19);
  });
});

describe('measures: scope and access', () => {
  it('shows community staff only their community and refuses residents and filters outside the API', async () => {
    // Catches: figures of the whole county for community staff, or a resident reading them.
    const xicheng = await measures(await s.staffToken('xicheng'), NOV);
    expect(xicheng.counts.received).toBe(1);
    expect(xicheng.rates.response).toEqual({ value: 0, numerator: 0, denominator: 1 });
    // A filter cannot widen the scope: 西城's staff asking for 东城 get nothing.
    const other = await measures(await s.staffToken('xicheng'), `${NOV}&regionId=${ids.region['DX-01-01']}`);
    expect(other.counts.received).toBe(0);
    const dongcheng = await measures(dispatcher, `${NOV}&regionId=${ids.region['DX-01-01']}`);
    expect(dongcheng.counts.received).toBe(9);
    const res = await s.api('GET', `/api/v1/measures?${NOV}`, { token: resident });
    expect(res.status).toBe(403);
  });

  it('shows department staff their department and filters by category and channel', async () => {
    // Catches: a department's figures leaking others' appeals, or a filter ignored.
    const transport = await measures(await s.staffToken('dept_transport'), NOV);
    expect(transport.counts).toMatchObject({ received: 1, accepted: 1, overdue: { firstContact: 1 } });
    const road = await measures(dispatcher, `${NOV}&categoryId=${ids.category['road-damage']}`);
    expect(road.counts.received).toBe(1);
    expect((await measures(dispatcher, `${NOV}&channel=hotline`)).counts.received).toBe(0);
  });

  it('refuses a period over 366 days or ending before it starts', async () => {
    // Catches: an unbounded period (a walk of every day since the county began per request).
    const long = await s.api('GET', '/api/v1/measures?from=2025-01-01&to=2026-01-02', { token: dispatcher });
    expect(long.status).toBe(400);
    const backwards = await s.api('GET', '/api/v1/measures?from=2026-11-02&to=2026-11-01', { token: dispatcher });
    expect(backwards.status).toBe(400);
  });

  it('runs every query on a declared index', async () => {
    // Catches: a measures query a county's MongoDB would answer by reading every document.
    const recorder = recordQueryShapes(s.ctx.conn);
    await measureRollup(s.ctx).run();
    await measures(dispatcher, NOV);
    await measures(await s.staffToken('xicheng'), NOV);
    await measures(await s.staffToken('dept_transport'), NOV);
    recorder.stop();
    const declared = indexesOf(s.models as never);
    const mine = recorder.shapes().filter(({ shape }) => ['measuredays', 'measurepacks', 'appeals'].includes(shape.collection));
    expect(mine.length).toBeGreaterThan(0);
    const unserved = mine.filter(({ shape }) => {
      const d = declared.get(shape.collection)!;
      return !servingIndex(d.indexes, shape, d.flags);
    });
    expect(unserved.map(({ shape }) => describeShape(shape))).toEqual([]);
  });
});

describe('measures: per unit, per week, the monthly rankings and the dashboard', () => {
  // The clock stands at 4 December 12:00, after the December moves above.
  const get = async (token: string, path: string) => {
    const res = await s.api('GET', `/api/v1/measures/${path}`, { token });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  it('ranks November\'s communities by the published score, with no change from an empty October', async () => {
    // Catches: a score from the wrong weights, a rate with nothing due counted as 0 (西城's
    // 解决率), a unit with nothing due given a rank, or ranks out of score order.
    const r = await get(dispatcher, 'rankings?month=2026-11&by=community');
    expect(r).toMatchObject({ month: '2026-11', previousMonth: '2026-10', by: 'community', final: true });
    expect(r.formula).toContain('0.3 × 满意率');
    const [first, second, ...rest] = r.items;
    // 东城: 0.2 × 6/8 + 0.3 × 1/3 + 0.3 × 2/3 + 0.2 × 2/5 = 0.53.
    expect(first).toMatchObject({ id: ids.region['DX-01-01'], rank: 1, score: 53, received: 9, previous: { rank: null, score: null }, change: { score: null, rank: null } });
    // 西城: only 响应率 was due (A9 accepted late): 0, the other weights left out.
    expect(second).toMatchObject({ id: ids.region['DX-01-02'], rank: 2, score: 0, received: 1 });
    expect(second.rates.resolution.value).toBeNull();
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((u: { rank: number | null }) => u.rank === null)).toBe(true);
  });

  it('gives December\'s change from November, and the same table to every member of staff', async () => {
    // Catches: a change computed the wrong way round, or a ranking cut to the caller's scope
    // (the board publishes it: 西城's staff see 东城's line too).
    const r = await get(await s.staffToken('xicheng'), 'rankings?month=2026-12&by=community');
    expect(r.final).toBe(false);
    const dong = r.items.find((u: { id: string }) => u.id === ids.region['DX-01-01']);
    const xi = r.items.find((u: { id: string }) => u.id === ids.region['DX-01-02']);
    expect(dong).toMatchObject({ rank: 1, score: 100, previous: { rank: 1, score: 53 }, change: { score: 47, rank: 0 } });
    // 西城: A9's resolve deadline passed unanswered in December: 按期办结率 0.
    expect(xi).toMatchObject({ rank: 2, score: 0, change: { score: 0, rank: 0 } });
    const townships = await get(dispatcher, 'rankings?month=2026-11&by=township');
    // The whole of November in 东城 and 西城: 0.2 × 6/9 + 0.3 × 1/3 + 0.3 × 2/3 + 0.2 × 2/5.
    expect(townships.items[0]).toMatchObject({ id: ids.region['DX-01'], rank: 1, score: 51.3 });
    expect((await s.api('GET', '/api/v1/measures/rankings?month=2026-13&by=community', { token: dispatcher })).status).toBe(400);
    expect((await s.api('GET', '/api/v1/measures/rankings?month=2026-11&by=grid', { token: dispatcher })).status).toBe(400);
  });

  it('splits a period per week, Monday to Sunday, and per unit in the caller\'s scope', async () => {
    // Catches: weeks starting on the wrong day, a day counted in two steps or none, groups that
    // ignore the caller's scope.
    const weeks = await get(dispatcher, `series?${NOV}&step=week`);
    expect(weeks.items.map((w: { from: string; to: string; counts: { received: number } }) => [w.from, w.to, w.counts.received])).toEqual([
      ['2026-11-01', '2026-11-01', 0],
      ['2026-11-02', '2026-11-08', 2],
      ['2026-11-09', '2026-11-15', 2],
      ['2026-11-16', '2026-11-22', 1],
      ['2026-11-23', '2026-11-29', 3],
      ['2026-11-30', '2026-11-30', 2],
    ]);
    const months = await get(dispatcher, 'series?from=2026-11-15&to=2026-12-31&step=month');
    expect(months.items.map((m: { from: string; to: string }) => [m.from, m.to])).toEqual([
      ['2026-11-15', '2026-11-30'],
      ['2026-12-01', '2026-12-31'],
    ]);
    const communities = await get(dispatcher, `groups?${NOV}&by=community`);
    expect(communities.items.map((g: { id: string; counts: { received: number } }) => [g.id, g.counts.received])).toEqual([
      [ids.region['DX-01-01'], 9],
      [ids.region['DX-01-02'], 1],
    ]);
    expect(communities.items[0].rates).toEqual(novemberByCommunity.dongcheng);
    const mine = await get(await s.staffToken('xicheng'), `groups?${NOV}&by=community`);
    expect(mine.items.map((g: { id: string }) => g.id)).toEqual([ids.region['DX-01-02']]);
    // A community renamed shows its new name at once. Catches: the units' names kept in memory
    // past a change of the regions (the read cache keyed on the wrong namespace).
    const admin = await s.staffToken('admin');
    const rename = (name: string) => s.api('PATCH', `/api/v1/regions/${ids.region['DX-01-02']}`, { token: admin, body: { name } });
    expect((await rename('西城新区')).status).toBe(200);
    try {
      const renamed = await get(dispatcher, `groups?${NOV}&by=community`);
      expect(renamed.items.find((g: { id: string }) => g.id === ids.region['DX-01-02']).name).toBe('西城新区');
    } finally {
      await rename('西城社区');
    }
  });

  it('puts today, the month beside the last, the ranking and the charts\' figures on the dashboard', async () => {
    // Catches: a dashboard month that is not the clock's, last month's rates missing, or charts
    // from another period.
    const d = await get(dispatcher, 'dashboard');
    expect(d.today.received).toBe(0);
    expect(d.month).toMatchObject({ month: '2026-12', counts: { received: 0, replied: 2, reopened: 1 } });
    expect(d.previousMonth).toEqual({ month: '2026-11', rates: NOVEMBER.rates });
    expect(d.ranking[0]).toMatchObject({ id: ids.region['DX-01'], rank: 1 });
    expect(d.byTownship.map((g: { id: string }) => g.id)).toEqual([ids.region['DX-01']]);
    expect((await s.api('GET', '/api/v1/measures/dashboard', { token: resident })).status).toBe(403);
  });
  it('counts today\'s moves within two minutes, answering the last figures at once while new ones are computed', async () => {
    // Catches: today's figures computed once and kept (the live memo never expiring), a memo of
    // ended days that hides a day rolled up since; and the other way, whoever asks first after
    // each minute waiting for today's recomputation (p99 9 s at 100k), or stale figures answered
    // past their bound.
    const cells = periodCells(s.ctx);
    const question = { scope: null, wanted: () => true, keyOf: () => '', key: 'live-test' };
    const day = { first: dayIndexOfIso('2026-12-04'), last: dayIndexOfIso('2026-12-04') };
    const received = async () => (await cells.tally(day, question)).tallies.get('')?.received ?? 0;
    at('2026-12-04 12:00');
    expect(await received()).toBe(0);
    await file('A11', '2026-12-04 12:00');
    env.clock.set(new Date(cn('2026-12-04 12:00').getTime() + 59_000));
    expect(await received()).toBe(0);
    // Past a minute: the last figures at once, and a computation behind them.
    env.clock.set(new Date(cn('2026-12-04 12:01').getTime() + 30_000));
    expect(await received()).toBe(0);
    await cells.refreshed();
    expect(await received()).toBe(1);
    // Through the API, on its own memo: two minutes after its last computation it computes again.
    const today = 'from=2026-12-04&to=2026-12-04';
    await file('A12', '2026-12-04 12:02');
    expect((await measures(dispatcher, today)).counts.received).toBe(2);
    await file('A13', '2026-12-04 12:03');
    at('2026-12-04 12:04');
    expect((await measures(dispatcher, today)).counts.received).toBe(3);
  });
});

describe('measures: many callers at once', () => {
  it('reads the rolled-up cells once for two callers asking the same question at the same time', async () => {
    // Catches: a memo that keeps only finished readings, so a hundred callers arriving together
    // (the dashboard on every screen at 9:00) each read every cell of the period.
    const cells = periodCells(s.ctx);
    const recorder = recordQueryShapes(s.ctx.conn);
    const question = { scope: null, wanted: () => true, keyOf: () => '', key: 'concurrency-test' };
    const november = { first: dayIndexOfIso('2026-11-01'), last: dayIndexOfIso('2026-11-30') };
    // Both calls start before either finishes: Promise.all of two unawaited calls.
    const [a, b] = await Promise.all([cells.tally(november, question), cells.tally(november, question)]);
    recorder.stop();
    expect(a.days.rolledUp).toBe(30);
    expect(b.tallies.get('')!.received).toBe(a.tallies.get('')!.received);
    const reads = recorder.shapes().filter(({ shape }) => shape.collection === 'measurepacks').reduce((n, x) => n + x.calls, 0);
    expect(reads).toBe(1);
  });

  it('answers a period of rolled-up days from the memo itself, and a period with today in it from a fresh sum', async () => {
    // Catches: every request summing the memoized tallies into new ones and sorting their medians
    // again (a month's figures at 100 connections, 100k appeals: 203 req/s); and the other way, a
    // period with a live day handed the shared memo, which the live day's sum would then change.
    const cells = periodCells(s.ctx);
    const question = { scope: null, wanted: () => true, keyOf: () => '', key: 'shared-memo-test' };
    const november = { first: dayIndexOfIso('2026-11-01'), last: dayIndexOfIso('2026-11-30') };
    const first = await cells.tally(november, question);
    const again = await cells.tally(november, question);
    expect(again.tallies).toBe(first.tallies);
    const withToday = { first: november.first, last: dayIndexOfIso('2026-12-31') };
    const live = await cells.tally(withToday, question);
    expect(live.days.live).toBeGreaterThan(0);
    expect(live.tallies).not.toBe(first.tallies);
    expect((await cells.tally(november, question)).tallies.get('')!.received).toBe(first.tallies.get('')!.received);
  });

  it('reads a month\'s packs once for different questions about it, the dashboard\'s at once', async () => {
    // Catches: each question (the month's total, per category, per township) reading the same
    // days' packs again: a dashboard's first read at 100k appeals paid the month four times.
    const cells = periodCells(s.ctx);
    const recorder = recordQueryShapes(s.ctx.conn);
    const november = { first: dayIndexOfIso('2026-11-01'), last: dayIndexOfIso('2026-11-30') };
    const ask = (key: string, keyOf: (day: string, c: CellKey) => string) => cells.tally(november, { scope: null, wanted: () => true, keyOf, key });
    const [total, byChannel] = await Promise.all([ask('total', () => ''), ask('by-channel', (_d, c) => c.channel)]);
    const byCategory = await ask('by-category', (_d, c) => c.categoryId ?? '-');
    recorder.stop();
    const received = (t: Map<string, { received: number }>) => [...t.values()].reduce((n, x) => n + x.received, 0);
    expect(received(byChannel.tallies)).toBe(total.tallies.get('')!.received);
    expect(received(byCategory.tallies)).toBe(total.tallies.get('')!.received);
    const reads = recorder.shapes().filter(({ shape }) => shape.collection === 'measurepacks').reduce((n, x) => n + x.calls, 0);
    expect(reads).toBe(1);
  });

  it('answers days forgotten and rolled up again with their new figures, not what the memos held', async () => {
    // Catches: memos keyed by which days are rolled up, not when: history imported into ended days
    // (rollup.ts forget, then a new rollup of the same days) answered from the figures before it
    // in every process that had asked about those days.
    const cells = periodCells(s.ctx);
    const question = { scope: null, wanted: () => true, keyOf: () => '', key: 'forget-test' };
    const november = { first: dayIndexOfIso('2026-11-01'), last: dayIndexOfIso('2026-11-30') };
    const rollup = measureRollup(s.ctx);
    await rollup.run();
    const first = await cells.tally(november, question);
    expect(first.days.rolledUp).toBe(30);
    const before = first.tallies.get('')!.received;
    await rollup.forget(cn('2026-11-01 00:00'));
    env.clock.advance(60_000);
    expect((await rollup.run()).days).toBeGreaterThanOrEqual(30);
    // The imported history, as the new rollup of 2 November found it: three more appeals received.
    const packs = s.ctx.conn.collection<{ _id: string; pack: string }>('measurepacks');
    const day = (await packs.findOne({ _id: '20261102' }))!;
    const [{ cell, tally }] = unpackCells(day.pack);
    await packs.updateOne({ _id: '20261102' }, { $set: { pack: packCells([...unpackCells(day.pack), { cell: { ...cell, channel: 'import' }, tally: { ...tally, received: 3 } }]) } });
    try {
      const after = await cells.tally(november, question);
      expect(after.days.rolledUp).toBe(30);
      expect(after.tallies.get('')!.received).toBe(before + 3);
    } finally {
      await packs.updateOne({ _id: '20261102' }, { $set: { pack: day.pack } });
    }
  });
});

/** 东城's November rates (A9 was 西城's). */
const novemberByCommunity = {
  dongcheng: {
    response: { value: 0.75, numerator: 6, denominator: 8 },
    resolution: { value: 0.3333, numerator: 1, denominator: 3 },
    satisfaction: { value: 0.6667, numerator: 2, denominator: 3 },
    onTime: { value: 0.4, numerator: 2, denominator: 5 },
  },
};
