/**
 * China calendar days at their edges, on the server (a fixed clock the test moves): ticket
 * numbers, the residents' progress messages, the once-a-day 催办 and the list's day filter on days
 * 1 to 9 and across month and year ends. A China day starts at 16:00 UTC the day before, so a
 * server that reads days in UTC (or the machine's zone) is wrong for eight hours of every day.
 */
import type { OutboxDoc } from '../../server/outbox/model';
import { demoIds, fileAppeal, move, relayed, startAppealsServer, testClock, type AppealsTestServer, type DemoIds } from '../helpers/appeals';

let env: AppealsTestServer;
let ids: DemoIds;
let resident: string;
let dispatcher: string;
beforeAll(async () => {
  // Seeded on 20 November: the days below have no seeded appeals, so their numbers start at 0001.
  env = await startAppealsServer(testClock('2026-11-20T02:00:00Z'));
  ids = await demoIds(env.server);
  resident = await env.server.residentToken('demo-resident-01');
  dispatcher = await env.server.staffToken('dispatcher');
});
afterAll(() => env?.stop());

/** Files an appeal (东城社区, no category: it waits for a dispatcher) at a UTC instant. */
async function fileAt(iso: string): Promise<{ id: string; number: string; submittedAt: string }> {
  env.clock.set(iso);
  return fileAppeal(env.server, resident, { regionId: ids.region['DX-01-01'] });
}
const detail = async (id: string) => (await env.server.api('GET', `/api/v1/appeals/${id}`, { token: resident })).body;

// Catches: a ticket number dated in UTC (DX-20261206 for an appeal of 7 December 02:14 in China),
// a day counter that does not restart at China midnight, or a year that slips at New Year.
it('numbers appeals by the China day: days 1 to 9, month and year ends', async () => {
  const cases: [string, string][] = [
    ['2026-11-30T15:59:59.999Z', 'DX-20261130-0001'], // 23:59:59 on 30 November
    ['2026-11-30T16:00:00.000Z', 'DX-20261201-0001'], // 00:00 on 1 December
    ['2026-12-06T18:14:00.000Z', 'DX-20261207-0001'], // 02:14 on 7 December (the day the suite failed)
    ['2026-12-06T23:59:00.000Z', 'DX-20261207-0002'], // 07:59: still the 7th, in China
    ['2026-12-31T15:59:59.999Z', 'DX-20261231-0001'], // the last instant of 2026
    ['2026-12-31T16:00:00.000Z', 'DX-20270101-0001'], // New Year
    ['2027-01-08T01:00:00.000Z', 'DX-20270108-0001'], // 09:00 on 8 January
  ];
  for (const [at, number] of cases) {
    const a = await fileAt(at);
    expect([at, a.number, a.submittedAt]).toEqual([at, number, at]);
  }
});

// Catches: the progress message to the resident (WeChat subscribe message) written in UTC or the
// machine's zone, with a padded day (12月07日), or without the year WeChat's time field wants.
it('the resident is told the time of a step in China time', async () => {
  const a = await fileAt('2026-12-06T18:14:00.000Z');
  env.clock.set('2026-12-06T18:20:00.000Z');
  await move(env.server, dispatcher, a.id, 'reject', { reason: '不属于本县受理范围' });
  await relayed(env.server, a.id);
  const told = await env.server.models.Outbox.find({ channel: 'wechat_subscribe', 'payload.data.number': a.number }).lean<OutboxDoc[]>();
  expect(told.map((o) => (o.payload as { data: Record<string, string> }).data)).toContainEqual(expect.objectContaining({ number: a.number, state: '不予受理', time: '2026年12月7日 02:20' }));
});

// Catches: 催办 counted by UTC day (a second reminder the same China evening, none the next
// morning), or a "today" that compares only month and day and slips at New Year.
it('allows one 催办 a China day, across New Year', async () => {
  const a = await fileAt('2026-12-31T15:00:00.000Z'); // 23:00 on New Year's Eve
  expect((await detail(a.id)).allowedActions).toContain('remind');
  expect((await env.server.api('POST', `/api/v1/appeals/${a.id}/remind`, { token: resident, body: {} })).status).toBe(200);
  expect((await detail(a.id)).allowedActions).not.toContain('remind');

  env.clock.set('2026-12-31T15:59:30.000Z');
  const again = await env.server.api('POST', `/api/v1/appeals/${a.id}/remind`, { token: resident, body: {} });
  expect([again.status, again.headers.get('retry-after')]).toEqual([429, '30']); // until 00:00 China

  env.clock.set('2026-12-31T16:00:00.000Z'); // 00:00 on 1 January 2027
  expect((await detail(a.id)).allowedActions).toContain('remind');
  expect((await env.server.api('POST', `/api/v1/appeals/${a.id}/remind`, { token: resident, body: {} })).status).toBe(200);
});

// Catches: days cut at UTC midnight across a year end, or a date the pattern accepts but the
// calendar does not (month 13, 30 February) answered as another day or a server error, not a 400.
it('lists by China day across New Year, and refuses dates that do not exist', async () => {
  const eve = await fileAt('2026-12-31T15:58:00.000Z'); // 23:58 on 31 December
  const newYear = await fileAt('2026-12-31T16:01:00.000Z'); // 00:01 on 1 January
  const list = (q: string) => env.server.api('GET', `/api/v1/appeals?view=inbox&limit=50&${q}`, { token: dispatcher });
  const numbers = async (q: string) => {
    const res = await list(q);
    expect(res.status).toBe(200);
    return (res.body.items as { id: string }[]).map((i) => i.id).filter((id) => [eve.id, newYear.id].includes(id));
  };
  expect(await numbers('from=2027-01-01&to=2027-01-01')).toEqual([newYear.id]);
  expect(await numbers('from=2026-12-31&to=2026-12-31')).toEqual([eve.id]);
  // A leap day is a day; 30 February and 29 February of a common year are not (Date.parse would
  // have rolled them into March, listing the wrong days).
  expect((await list('from=2028-02-29&to=2028-02-29')).status).toBe(200);
  for (const bad of ['from=2026-13-01', 'to=2026-12-32', 'from=2026-00-10', 'from=2026-02-30', 'to=2027-02-29']) {
    const res = await list(bad);
    expect([bad, res.status, res.body.error?.code]).toEqual([bad, 400, 'VALIDATION_FAILED']);
  }
});
