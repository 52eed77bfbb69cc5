/**
 * The workbench badges (`GET /appeals/counts`, server/appeals/counts.ts) come from memory per scope
 * and are invalidated through the appeal-counts stamp when an appeal is filed or moved. Two server
 * processes on one database, on one fixed clock the test moves: A takes the writes, B answers the
 * badges, so a cache that only its own process invalidates fails here.
 */
import { appealDeadlines } from '../../server/appeals/scheduler';
import type { RunningServer } from '../../server/server';
import { DAY, fileAppeal, move, startTwoServers, testClock, type DemoIds } from '../helpers/appeals';
import type { TestServer } from '../helpers/server';

const clock = testClock('2026-11-20T02:00:00Z');
let a: TestServer;
let b: RunningServer;
let ids: DemoIds;
const tok: Record<string, string> = {};

beforeAll(async () => {
  ({ a, b, ids } = await startTwoServers(clock));
  for (const u of ['dispatcher', 'chengguan']) tok[u] = await a.staffToken(u);
  tok.resident = await a.residentToken('demo-resident-07');
}, 90_000); // two servers and a seed: slow on a busy 2-core machine
afterAll(async () => {
  await b?.close();
  await a?.stop();
});

async function countsOnB(token: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${b.url}/api/v1/appeals/counts`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('etag'), cacheControl: res.headers.get('cache-control'), body: text ? JSON.parse(text) : undefined };
}

describe('badges from memory, fresh after every filing and move', () => {
  it('a second read is served from memory, privately, with 304 on a match', async () => {
    const first = await countsOnB(tok.dispatcher);
    expect(first.status).toBe(200);
    expect(first.cacheControl).toBe('private, no-cache');
    const loads = b.ctx.cache.stats.loads;
    const again = await countsOnB(tok.dispatcher);
    // Catches badges counted in the database on every poll.
    expect(b.ctx.cache.stats.loads).toBe(loads);
    expect(again.body).toEqual(first.body);
    expect((await countsOnB(tok.dispatcher, { 'if-none-match': first.etag! })).status).toBe(304);
  });

  it('a filing and each move through A change the badges on B at the next read', async () => {
    const before = (await countsOnB(tok.dispatcher)).body;
    const town = (await countsOnB(tok.chengguan)).body;
    const mine = (await countsOnB(tok.resident)).body;

    clock.advance(60_000);
    const filed = await fileAppeal(a, tok.resident, { regionId: ids.region['DX-01-02'], categoryId: ids.category.other });
    expect(filed.state).toBe('submitted');
    // Catches a filing that leaves the badges stale (in another process, or in other scopes).
    const afterFiling = (await countsOnB(tok.dispatcher)).body;
    expect(afterFiling.byState.submitted).toBe(before.byState.submitted + 1);
    expect(afterFiling.queue).toBe(before.queue + 1);
    expect((await countsOnB(tok.chengguan)).body.byState.submitted).toBe(town.byState.submitted + 1);
    expect((await countsOnB(tok.resident)).body.byState.submitted).toBe(mine.byState.submitted + 1);

    clock.advance(60_000);
    await move(a, tok.dispatcher, filed.id, 'accept');
    // Catches a move that leaves the badges where they were.
    const afterAccept = (await countsOnB(tok.dispatcher)).body;
    expect(afterAccept.byState.submitted).toBe(before.byState.submitted);
    expect(afterAccept.byState.accepted).toBe(before.byState.accepted + 1);
    expect(afterAccept.queue).toBe(before.queue + 1);
    expect((await countsOnB(tok.resident)).body.byState.accepted).toBe(mine.byState.accepted + 1);

    clock.advance(60_000);
    await move(a, tok.dispatcher, filed.id, 'assign', { departmentId: ids.department.urban });
    const afterAssign = (await countsOnB(tok.dispatcher)).body;
    expect(afterAssign.byState.accepted).toBe(before.byState.accepted);
    expect(afterAssign.byState.assigned).toBe(before.byState.assigned + 1);
    expect(afterAssign.queue).toBe(before.queue);
  });

  it('the deadline scan marking appeals overdue shows on B at the next read', async () => {
    const before = (await countsOnB(tok.dispatcher)).body;
    const filed = await fileAppeal(a, tok.resident, { regionId: ids.region['DX-02-02'], categoryId: ids.category.other });
    expect((await countsOnB(tok.dispatcher)).body.overdue).toBe(before.overdue);
    clock.advance(30 * DAY);
    await appealDeadlines(a.ctx).run();
    // Catches the scheduler's overdue flags (an updateMany) bypassing the stamp.
    const after = (await countsOnB(tok.dispatcher)).body;
    expect(after.overdue).toBeGreaterThan(before.overdue);
    const doc = await a.models.Appeal.findById(filed.id).lean();
    expect(doc!.overdue).toBe(true);
  });
});
