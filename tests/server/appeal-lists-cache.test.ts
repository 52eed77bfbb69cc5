/**
 * The lists (`GET /appeals?view=...`, server/appeals/queries.ts) come from memory per caller and
 * query and are invalidated through the stamp they share with the badges when an appeal is filed
 * or changes what a row shows. Two server processes on one database, on one fixed clock: A takes
 * the writes, B answers the lists, so a cache that only its own process invalidates fails here.
 */
import type { AppealPage } from '../../server/appeals/schemas';
import type { RunningServer } from '../../server/server';
import { fileAppeal, move, startTwoServers, testClock, type DemoIds } from '../helpers/appeals';
import type { TestServer } from '../helpers/server';

const clock = testClock('2026-11-20T02:00:00Z');
let a: TestServer;
let b: RunningServer;
let ids: DemoIds;
const tok: Record<string, string> = {};

beforeAll(async () => {
  ({ a, b, ids } = await startTwoServers(clock));
  tok.dispatcher = await a.staffToken('dispatcher');
  tok.resident = await a.residentToken('demo-resident-07');
  tok.neighbour = await a.residentToken('demo-resident-08');
}, 90_000); // two servers and a seed: slow on a busy 2-core machine
afterAll(async () => {
  await b?.close();
  await a?.stop();
});

async function listOnB(url: string, token: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${b.url}/api/v1/appeals?${url}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('etag'), cacheControl: res.headers.get('cache-control'), body: text ? JSON.parse(text) : undefined };
}
const rowOf = (page: AppealPage, id: string) => page.items.find((r) => r.id === id);

describe('list pages from memory, fresh after every filing and change of a row', () => {
  it('a second read is served from memory, privately, with 304 on a match', async () => {
    const first = await listOnB('view=inbox', tok.dispatcher);
    expect(first.status).toBe(200);
    expect(first.cacheControl).toBe('private, no-cache');
    const loads = b.ctx.cache.stats.loads;
    const again = await listOnB('view=inbox', tok.dispatcher);
    // Catches a list read from the database on every request.
    expect(b.ctx.cache.stats.loads).toBe(loads);
    expect(again.body).toEqual(first.body);
    expect((await listOnB('view=inbox', tok.dispatcher, { 'if-none-match': first.etag! })).status).toBe(304);
    // Another query is another page.
    expect((await listOnB('view=inbox&limit=2', tok.dispatcher)).body.items).toHaveLength(2);
  });

  it('each caller gets their own page: a resident never receives another resident\'s', async () => {
    clock.advance(60_000);
    const filed = await fileAppeal(a, tok.resident, { regionId: ids.region['DX-01-02'], categoryId: ids.category.other, isPublic: false });
    const mine = (await listOnB('view=mine', tok.resident)).body;
    expect(rowOf(mine, filed.id)).toBeDefined();
    // Catches a key without the caller: the neighbour would be sent the first resident's page.
    const theirs = (await listOnB('view=mine', tok.neighbour)).body;
    expect(rowOf(theirs, filed.id)).toBeUndefined();
  });

  it('a filing and each move through A change the lists on B at the next read', async () => {
    await listOnB('view=inbox', tok.dispatcher);
    await listOnB('view=mine', tok.resident);
    clock.advance(60_000);
    const filed = await fileAppeal(a, tok.resident, { regionId: ids.region['DX-01-02'], categoryId: ids.category.other });
    // Catches a filing that leaves the lists stale in another process.
    expect(rowOf((await listOnB('view=inbox', tok.dispatcher)).body, filed.id)?.state).toBe('submitted');
    expect(rowOf((await listOnB('view=mine', tok.resident)).body, filed.id)?.state).toBe('submitted');

    clock.advance(60_000);
    await move(a, tok.dispatcher, filed.id, 'accept');
    // Catches a move that leaves the rows where they were.
    expect(rowOf((await listOnB('view=inbox', tok.dispatcher)).body, filed.id)?.state).toBe('accepted');
    clock.advance(60_000);
    await move(a, tok.dispatcher, filed.id, 'assign', { departmentId: ids.department.urban });
    const row = rowOf((await listOnB('view=mine', tok.resident)).body, filed.id);
    expect(row?.state).toBe('assigned');
    expect(row?.departmentId).toBe(ids.department.urban);
  });

  it('a photo added to an appeal (as the bot adds one) shows as the row\'s thumbnail at the next read', async () => {
    clock.advance(60_000);
    const filed = await fileAppeal(a, tok.resident, { regionId: ids.region['DX-01-02'], categoryId: ids.category.other, photoIds: [] });
    expect(rowOf((await listOnB('view=mine', tok.resident)).body, filed.id)?.thumbUrl).toBeNull();
    // The bot's photo attach writes photoIds (and the timeline) only: no state, no badge.
    await a.models.Appeal.findOneAndUpdate({ _id: filed.id }, { $push: { photoIds: 'f'.repeat(64) } });
    // Catches a stamp that ignores photoIds: the row would keep showing no thumbnail.
    expect(rowOf((await listOnB('view=mine', tok.resident)).body, filed.id)?.thumbUrl).toContain('f'.repeat(64));
  });
});
