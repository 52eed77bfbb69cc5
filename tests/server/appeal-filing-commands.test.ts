/**
 * What one filing costs the database (issue 16: filing at 0.4 of the driver's inserts): a
 * resident's filing sent at once to a unit (直派) by the catalogue, counted by collection and
 * command on the server's connection, filings one after another (so nothing is shared between
 * them: under load the stamp read, the stamp bump and the relay's writes are shared too).
 */
import { demoIds, newKey, relayed, startAppealsServer, type AppealsTestServer } from '../helpers/appeals';

let env: AppealsTestServer;
afterAll(async () => {
  await env?.stop();
});

it('a direct-dispatched filing is seven commands: no user, region, category or unit read, one stamp read, no lookup of its key', async () => {
  // Catches a lookup that went back to the database per filing: the reporter's name and phone, the
  // unit's staff for the relay (the rosters), the reference data, or a second stamp read (the
  // filing's own instead of the request's); the route's write limit counted in a limiter write of
  // its own again instead of with the filing limits; and the idempotency key looked up before the
  // insert again (the unique index catches a retry: appeal-filing-retry.test.ts); and the relay's
  // mark back as an update of the appeal (appeal-filing-held.test.ts).
  env = await startAppealsServer();
  const s = env.server;
  const ids = await demoIds(s);
  const tok = await s.residentToken('demo-resident-09');
  const file = async () => {
    const res = await s.api('POST', '/api/v1/appeals', { token: tok, body: { idempotencyKey: newKey('cmd'), kind: 'help', categoryId: ids.category['water-supply'], description: '楼下水管爆裂，整栋楼停水了', regionId: ids.region['DX-01-01'] } });
    expect(res.status).toBe(201);
    await relayed(s, res.body.id);
  };
  await file(); // warm: the caches hold the resident, the reference data and the unit's staff
  const seen: string[] = [];
  const debug = (s.ctx.conn as unknown as { set(k: string, v: unknown): void }).set.bind(s.ctx.conn);
  debug('debug', (coll: string, method: string, query: unknown) => {
    // relayed() polls the appeal by _id: the test's own reads.
    if (coll === 'appeals' && method === 'findOne' && Object.keys(query as object).join() === '_id') return;
    seen.push(`${coll}.${method}`);
  });
  const N = 4;
  try {
    for (let i = 0; i < N; i++) await file();
  } finally {
    debug('debug', false);
  }
  const per: Record<string, number> = {};
  for (const k of seen) per[k] = (per[k] ?? 0) + 1 / N;
  expect(per).toEqual({
    'cachestamps.findOne': 1, // the request's stamp read (identity, reporter, reference, rosters)
    'ratewindows.findOneAndUpdate': 1, // the account's day: the write limit's minute and hour, the filing's hour and day
    'counters.findOneAndUpdate': 1, // the ticket number
    'appeals.insertOne': 1,
    'cachestamps.updateOne': 1, // the lists' and badges' stamp
    'outboxes.insertMany': 1, // the unit's messages, held, before the appeal
    'outboxes.updateMany': 1, // released after it: the appeal itself is stored relayed (no update of it)
  });
});
