/**
 * The measures API's filters and its description: each rate's formula and the rankings' formula
 * in the OpenAPI document the server serves; the channel filter counting a request filed through
 * Open311 as open311 and nowhere else; the department filter counting only that department's
 * appeals.
 *
 * November 2026 (China time), all in 东城社区, on a clock the test moves:
 *   U  filed in the mini-program 3 Nov 09:00, accepted 09:30, assigned to 城管局 09:40
 *   W  filed in the mini-program 4 Nov 09:00, accepted 09:30, assigned to 水务局 09:40
 *   O1 filed through Open311 (service `other`, no direct dispatch) 5 Nov 09:00, waiting for a dispatcher
 *   O2 filed through Open311 (service `other`) 6 Nov 09:00, waiting for a dispatcher
 */
import { measureRollup, RANKING_TEXT, RATE_TEXT } from '../../server/measures';
import { move } from '../helpers/appeals';
import { startSecondServer, type TestServer } from '../helpers/server';
import { measuresStory } from '../helpers/measures';

const story = measuresStory(['dispatcher', 'admin']);
const { tok, ap, at, measures } = story;
const NOV = 'from=2026-11-01&to=2026-11-30';
/** Requests filed through Open311 in the story. */
const OPEN311_FILED = 2;

/** Files in the mini-program, accepts and assigns to the department, all on the given day. */
const fileAndAssign = async (name: string, day: string, department: string) => {
  await story.file(name, `${day} 09:00`);
  at(`${day} 09:30`);
  await move(story.s, tok.dispatcher, ap[name], 'accept');
  at(`${day} 09:40`);
  await move(story.s, tok.dispatcher, ap[name], 'assign', { departmentId: story.ids.department[department] });
};
/** Files a request as an outside Open311 client would (form-encoded, api_key in the form). */
const fileOpen311 = async (name: string, when: string, apiKey: string) => {
  at(when);
  const form = { api_key: apiKey, service_code: 'other', address_id: 'DX-01-01', description: `小区门口路面积水 ${name}` };
  const res = await fetch(`${story.s.url}/open311/v2/requests.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`open311 ${name}: ${res.status} ${text}`);
  ap[name] = JSON.parse(text)[0].token;
};

beforeAll(async () => {
  await fileAndAssign('U', '2026-11-03', 'urban');
  await fileAndAssign('W', '2026-11-04', 'water');

  at('2026-11-05 08:00');
  const key = await story.s.api('POST', '/api/v1/open311/keys', { token: tok.admin, body: { name: '城市随手拍', owner: '测试单位' } });
  if (key.status !== 201) throw new Error(`open311 key: ${key.status} ${JSON.stringify(key.body)}`);
  await fileOpen311('O1', '2026-11-05 09:00', key.body.apiKey);
  await fileOpen311('O2', '2026-11-06 09:00', key.body.apiKey);

  at('2026-11-10 12:00');
}, 120_000);
describe('measures: the formulas in the OpenAPI document', () => {
  it('describes the measures with every rate\'s formula, and the rankings with theirs', async () => {
    // Catches: the formulas missing from /api/docs (a rate's text dropped from the measures'
    // description, the descriptions lost when the route schemas become the document, or the
    // rankings' formula not carried), so an outside reader of the API cannot tell what a figure means.
    const res = await story.s.api('GET', '/api/docs');
    expect(res.status).toBe(200);
    const schemaOf = (path: string) => res.body.paths[path].get.responses['200'].content['application/json'].schema;
    const figures = schemaOf('/api/v1/measures/');
    expect(Object.keys(RATE_TEXT).sort()).toEqual(['onTime', 'resolution', 'response', 'satisfaction']);
    for (const [name, text] of Object.entries(RATE_TEXT)) {
      expect({ name, inDescription: figures.description.includes(text) }).toEqual({ name, inDescription: true });
      expect({ name, rate: figures.properties.rates.properties[name].description }).toEqual({ name, rate: text });
    }
    expect(schemaOf('/api/v1/measures/rankings').description).toContain(RANKING_TEXT);
  });
});

describe('measures: filters', () => {
  it('story check: the appeals are where the story says', async () => {
    const docs = await story.s.models.Appeal.find({}, { channel: 1, departmentId: 1 }).lean<{ _id: unknown; channel: string; departmentId: unknown }[]>();
    const of = (name: string) => docs.find((d) => String(d._id) === ap[name]);
    expect(docs).toHaveLength(4);
    expect({ channel: of('U')?.channel, departmentId: String(of('U')?.departmentId) }).toEqual({ channel: 'miniprogram', departmentId: story.ids.department.urban });
    expect({ channel: of('W')?.channel, departmentId: String(of('W')?.departmentId) }).toEqual({ channel: 'miniprogram', departmentId: story.ids.department.water });
    for (const name of ['O1', 'O2']) expect({ name, channel: of(name)?.channel, departmentId: of(name)?.departmentId ?? null }).toEqual({ name, channel: 'open311', departmentId: null });
    expect((await measures(NOV)).counts).toMatchObject({ received: 4, accepted: 2 });
  });

  it('counts a request filed through Open311 under channel open311 and under no other channel', async () => {
    // Catches: an Open311 filing recorded under another channel (or none) so it never counts as
    // open311, the channel filter ignored (every filing counted for any channel), or the memo of
    // one channel's figures served for another.
    expect((await measures(`${NOV}&channel=open311`)).counts).toMatchObject({ received: OPEN311_FILED, accepted: 0 });
    expect((await measures(`${NOV}&channel=miniprogram`)).counts).toMatchObject({ received: 2, accepted: 2 });
    for (const channel of ['group_chat', 'grid_worker', 'hotline']) {
      expect({ channel, received: (await measures(`${NOV}&channel=${channel}`)).counts.received }).toEqual({ channel, received: 0 });
    }
    // Each filing counts on its own day.
    expect((await measures('from=2026-11-05&to=2026-11-05&channel=open311')).counts.received).toBe(1);
  });

  it('counts only the asked department\'s appeals under departmentId', async () => {
    // Catches: the department filter ignored (both appeals, and the Open311 ones with no
    // department, counted for each), matched against the wrong field, or the memo of one
    // department's figures served for the other.
    const urban = await measures(`${NOV}&departmentId=${story.ids.department.urban}`);
    expect(urban.counts).toMatchObject({ received: 1, accepted: 1 });
    expect(urban.medians.assignmentSeconds).toBe(40 * 60);
    expect((await measures(`from=2026-11-03&to=2026-11-03&departmentId=${story.ids.department.urban}`)).counts.received).toBe(1);
    expect((await measures(`from=2026-11-04&to=2026-11-04&departmentId=${story.ids.department.urban}`)).counts.received).toBe(0);

    const water = await measures(`${NOV}&departmentId=${story.ids.department.water}`);
    expect(water.counts).toMatchObject({ received: 1, accepted: 1 });
    expect((await measures(`from=2026-11-04&to=2026-11-04&departmentId=${story.ids.department.water}`)).counts.received).toBe(1);
    expect((await measures(`from=2026-11-03&to=2026-11-03&departmentId=${story.ids.department.water}`)).counts.received).toBe(0);

    // A department with nothing assigned in the period.
    expect((await measures(`${NOV}&departmentId=${story.ids.department.transport}`)).counts).toMatchObject({ received: 0, accepted: 0 });
  });
});

describe('measures: several server processes', () => {
  it('answer the same figures for a month from either process, before and after its days are rolled up and after a later move', async () => {
    // Catches: a process answering a closed month from a copy of its own that another process's
    // rollup or a later move left stale or changed (the memo of ended days kept past the rolled-days
    // stamp, today's live figures mixed into a past month), so two servers behind one county's
    // address answer different 三率 for the same month.
    const b = await startSecondServer(story.s, { now: story.env.clock.now, backgroundJobs: false });
    const fromB = async (query: string) => {
      const res = await fetch(`${b.url}/api/v1/measures?${query}`, { headers: { authorization: `Bearer ${tok.dispatcher}` } });
      if (res.status !== 200) throw new Error(`measures from the second process ${query}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const figures = (m: { counts: unknown; rates: unknown; medians: unknown }) => ({ counts: m.counts, rates: m.rates, medians: m.medians });
    try {
      at('2026-12-02 10:00');
      const first = figures(await measures(NOV));
      expect(first.counts).toMatchObject({ received: 4, accepted: 2 });
      expect(figures(await fromB(NOV))).toEqual(first);

      // One process rolls November up; the other reads the stored days.
      expect((await measureRollup(story.s.ctx).run()).days).toBeGreaterThan(29);
      expect(figures(await fromB(NOV))).toEqual(first);
      expect(figures(await measures(NOV))).toEqual(first);

      // A move in December, through the other process, changes neither process's November.
      const res = await fetch(`${b.url}/api/v1/appeals/${ap.U}/transfer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tok.dispatcher}`, 'content-type': 'application/json' },
        body: JSON.stringify({ departmentId: story.ids.department.water, reason: '属于水务局职责' }),
      });
      expect(res.status).toBe(200);
      expect(figures(await measures(NOV))).toEqual(first);
      expect(figures(await fromB(NOV))).toEqual(first);
      expect((await fromB(`${NOV}&departmentId=${story.ids.department.urban}`)).counts).toMatchObject({ received: 1, accepted: 1 });
    } finally {
      await b.close();
      at('2026-11-10 12:00');
    }
  });
});
