/**
 * A township's and a community's appeals by equality on the paths filing stores (townshipPath,
 * communityPath; appeals/scope.ts), not by a walk filtered by a path prefix; and the start-up step
 * (appeals/scope-paths.ts) that gives them to appeals filed before they existed.
 */
import { Types } from 'mongoose';
import { backfillScopePaths } from '../../server/appeals';
import type { AppealDoc } from '../../server/appeals/model';
import type { TestServer } from '../helpers/server';
import { appealDoc, demoIds, fileAppeal, startAppealsServer, type AppealsTestServer, type DemoIds } from '../helpers/appeals';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
const tok: Record<string, string> = {};

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  ids = await demoIds(s);
  tok.resident = await s.residentToken('demo-resident-08');
  tok.township = await s.staffToken('chengguan'); // dispatcher of 城关镇 (DX-01)
  tok.community = await s.staffToken('xicheng'); // community staff of 西城社区 (DX-01-02)
  tok.grid = await s.staffToken('xicheng_grid1'); // a grid worker of 西城社区: reads the community
  tok.county = await s.staffToken('dispatcher');
});
afterAll(async () => {
  await env?.stop();
});

const pathOf = async (code: string) => (await s.models.Region.findById(ids.region[code]).lean())!.path as string;
const inbox = async (token: string, query = '') => {
  const res = await s.api('GET', `/api/v1/appeals?view=inbox&limit=50${query}`, { token });
  expect(res.status).toBe(200);
  return (res.body.items as { id: string }[]).map((i) => i.id);
};

it('filing stores the township and community of a grid and of a community', async () => {
  // Catches paths cut at the wrong level (a grid's own path stored as its community).
  const grid = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-01-02-01'], categoryId: null, description: '网格里的路灯坏了' });
  expect(await appealDoc(s, grid.id)).toMatchObject({ townshipPath: await pathOf('DX-01'), communityPath: await pathOf('DX-01-02') });
  const community = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-02-01'], categoryId: null, description: '村口的桥栏杆松了' });
  expect(await appealDoc(s, community.id)).toMatchObject({ townshipPath: await pathOf('DX-02'), communityPath: await pathOf('DX-02-01') });
});

it("a township's, a community's and a grid worker's inbox ask by equality and see their appeals only", async () => {
  // Catches a scope still sent as a path prefix (a walk of every appeal filtered by path), and an
  // equality on the wrong field (a township's dispatcher seeing nothing or another township's).
  const inTown = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-01-02-02'], categoryId: null, description: '西城社区第二网格垃圾没人清' });
  const elsewhere = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-02-02'], categoryId: null, description: '杨柳村的水渠堵了' });
  const filters: unknown[] = [];
  const spy = jest.spyOn(s.models.Appeal, 'find');
  spy.mockImplementation(function (this: unknown, ...args: unknown[]) {
    filters.push(args[0]);
    return (jest.requireActual('mongoose').Model.find as (...a: unknown[]) => unknown).apply(this, args);
  } as never);
  let town: string[], community: string[], grid: string[], filtered: string[];
  try {
    town = await inbox(tok.township);
    community = await inbox(tok.community);
    grid = await inbox(tok.grid);
    filtered = await inbox(tok.county, `&regionId=${ids.region['DX-01-02']}`);
  } finally {
    spy.mockRestore();
  }
  expect(town).toContain(inTown.id);
  expect(town).not.toContain(elsewhere.id);
  expect(community).toContain(inTown.id);
  expect(grid).toContain(inTown.id);
  expect(filtered).toContain(inTown.id);
  expect(filtered).not.toContain(elsewhere.id);
  const text = JSON.stringify(filters);
  expect(text).toContain(`"townshipPath":"${await pathOf('DX-01')}"`);
  expect(text).toContain(`"communityPath":"${await pathOf('DX-01-02')}"`);
  expect(filters.some((f) => JSON.stringify(f).includes('"regionPath":{}'))).toBe(false); // no RegExp (it serialises as {})
});

it('the start-up step gives older appeals their paths, once, and their township then sees them', async () => {
  // Catches appeals filed before the fields existed vanishing from a township's lists, and a step
  // that rewrites every appeal at every start.
  const old = await fileAppeal(s, tok.resident, { regionId: ids.region['DX-01-01-03'], categoryId: null, description: '东城社区第三网格的井盖松动' });
  const before = await s.models.Appeal.countDocuments({});
  // As an appeal filed before this change was stored: no township or community path.
  await s.models.Appeal.collection.updateMany({ regionPath: { $regex: `^${await pathOf('DX-01-01')}` } }, { $unset: { townshipPath: '', communityPath: '' } });
  const missing = await s.models.Appeal.collection.countDocuments({ townshipPath: null });
  expect(missing).toBeGreaterThan(0);
  expect(await inbox(tok.township)).not.toContain(old.id); // what the step is for

  const first = await backfillScopePaths(s.ctx);
  expect(first.appeals).toBe(missing);
  const doc = await s.models.Appeal.collection.findOne({ _id: new Types.ObjectId(old.id) });
  expect(doc).toMatchObject({ townshipPath: await pathOf('DX-01'), communityPath: await pathOf('DX-01-01') });
  expect(await s.models.Appeal.collection.countDocuments({ townshipPath: null })).toBe(0);
  expect(await s.models.Appeal.countDocuments({})).toBe(before);

  const again = await backfillScopePaths(s.ctx);
  expect(again).toEqual({ appeals: 0, regionPaths: 0 });
  // The step bumped the lists' stamp: the township's cached page is read again and shows it.
  expect(await inbox(tok.township)).toContain(old.id);
  const all = await s.models.Appeal.find({}, { regionPath: 1, townshipPath: 1, communityPath: 1 }).lean<AppealDoc[]>();
  for (const a of all) expect(a.regionPath.startsWith(a.communityPath) && a.communityPath.startsWith(a.townshipPath)).toBe(true);
});
