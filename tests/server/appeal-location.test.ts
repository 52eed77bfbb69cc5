/**
 * The place on a map: a filing carries a point (GCJ-02, `{ lat, lng, name?, address? }`) beside the
 * text place, the appeal keeps it, each viewer sees it as the privacy rule says (exact to those
 * working on it and whoever filed it, about 1 km to readers of a public appeal), and a point
 * suggests the nearest community from the centres admins set (the demo county has them).
 */
import { demoIds, fileAppeal, newKey, startAppealsServer, appealDoc, type AppealsTestServer, type DemoIds } from '../helpers/appeals';
import type { TestServer } from '../helpers/server';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;
let reporter: string;

/** Near 西城社区's centre (28.9007, 118.8702), with decimals no rounding keeps. */
const POINT = { lat: 28.901234, lng: 118.871987, name: '幸福路12号便民超市', address: '东溪县城关镇幸福路12号' };

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  ids = await demoIds(s);
  reporter = await s.residentToken('demo-resident-01');
}, 120_000);
afterAll(async () => {
  await env?.stop();
});

const water = () => ({ regionId: ids.region['DX-01-02-01'], categoryId: ids.category['water-supply'] });

describe('POST /appeals with a point', () => {
  it('stores the point beside the text place and answers it to the reporter as given', async () => {
    // Catches: a point dropped between the schema and the stored appeal (the service or creator not
    // passing it on), or the name/address lost.
    const a = await fileAppeal(s, reporter, { ...water(), place: '幸福路12号门口', location: POINT });
    expect(a.location).toEqual({ ...POINT, approximate: false });
    expect(a.place).toBe('幸福路12号门口');
    const doc = await appealDoc(s, a.id);
    expect(doc.location).toEqual(POINT);
  });

  it('a filing without a point has none', async () => {
    // Catches: a default point (0,0 or the county's centre) invented for appeals without one.
    const a = await fileAppeal(s, reporter, water());
    expect(a.location).toBeNull();
  });

  it('refuses a point outside China with 400 naming body.location.lat', async () => {
    // Catches: swapped or zeroed coordinates (a failed fix gives 0,0) stored as a place.
    for (const location of [{ lat: 118.87, lng: 28.9 }, { lat: 0, lng: 0 }, { lat: 95, lng: 118.87 }]) {
      const res = await s.api('POST', '/api/v1/appeals', { token: reporter, body: { idempotencyKey: newKey('loc'), kind: 'help', description: '小区门口的路灯坏了好几天', ...water(), location } });
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain('body.location.lat');
    }
  });

  it('refuses unknown keys and non-numbers in the point', async () => {
    // Catches: a loose point object that lets `$`-keys or strings through to the stored document.
    for (const location of [{ lat: '28.9', lng: 118.87 }, { lat: 28.9, lng: 118.87, accuracy: 5 }]) {
      const res = await s.api('POST', '/api/v1/appeals', { token: reporter, body: { idempotencyKey: newKey('loc'), kind: 'help', description: '小区门口的路灯坏了好几天', ...water(), location } });
      expect(res.status).toBe(400);
    }
  });

  it('a retry with the same key and point is the first appeal; another point under that key is a 409', async () => {
    // Catches: the point left out of the request hash (a retry with another point passed off as the first).
    const key = newKey('loc-retry');
    const body = { idempotencyKey: key, kind: 'help', description: '小区门口的路灯坏了好几天', ...water(), location: POINT };
    const first = await s.api('POST', '/api/v1/appeals', { token: reporter, body });
    expect(first.status).toBe(201);
    const again = await s.api('POST', '/api/v1/appeals', { token: reporter, body });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const moved = await s.api('POST', '/api/v1/appeals', { token: reporter, body: { ...body, location: { ...POINT, lat: 28.95 } } });
    expect(moved.status).toBe(409);
  });
});

describe('who sees the point exactly', () => {
  it('the handler and the dispatcher see it exactly; a resident reading the public appeal sees it rounded to 0.01° with house numbers masked', async () => {
    // Catches: the exact point (where the reporter stood, often their door) shown to the public, or
    // handlers given only the rounded one (they must find the spot).
    const a = await fileAppeal(s, reporter, { ...water(), isPublic: true, location: POINT });
    const read = async (token: string) => (await s.api('GET', `/api/v1/appeals/${a.id}`, { token })).body.location;
    expect(await read(await s.staffToken('dept_water'))).toEqual({ ...POINT, approximate: false });
    expect(await read(await s.staffToken('dispatcher'))).toEqual({ ...POINT, approximate: false });
    const other = await s.residentToken('demo-resident-03');
    expect(await read(other)).toEqual({ lat: 28.9, lng: 118.87, name: '幸福路*号便民超市', address: '东溪县城关镇幸福路*号', approximate: true });
  });
});

describe('GET /regions/nearest', () => {
  it('suggests the community whose centre is nearest, then the next ones, with distances', async () => {
    // Catches: a suggestion that is not the nearest (e.g. the first community in the list) or
    // distances in the wrong unit.
    const res = await s.api('GET', `/api/v1/regions/nearest?lat=${POINT.lat}&lng=${POINT.lng}`, { token: reporter });
    expect(res.status).toBe(200);
    expect(res.body.items.map((x: { region: { name: string } }) => x.region.name)).toEqual(['西城社区', '南门社区', '东城社区']);
    const [first] = res.body.items;
    expect(first.region).toMatchObject({ id: ids.region['DX-01-02'], level: 'community' });
    expect(first.distanceM).toBeGreaterThan(100);
    expect(first.distanceM).toBeLessThan(300);
  });

  it('suggests nothing far from every centre, and nothing at a level without centres', async () => {
    // Catches: a far-away community suggested for a point outside the county, and regions without a
    // centre treated as if they sat at 0,0.
    const far = await s.api('GET', '/api/v1/regions/nearest?lat=39.9&lng=116.4', { token: reporter });
    expect(far.body.items).toEqual([]);
    const grids = await s.api('GET', `/api/v1/regions/nearest?lat=${POINT.lat}&lng=${POINT.lng}&level=grid`, { token: reporter });
    expect(grids.body.items).toEqual([]);
  });

  it('refuses a point outside China (400 naming query.lat) and needs a signed-in caller', async () => {
    // Catches: NaN from a missing or non-numeric lat computed into distances; anonymous scraping.
    const bad = await s.api('GET', '/api/v1/regions/nearest?lat=abc&lng=118.87', { token: reporter });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('query.lat');
    expect((await s.api('GET', `/api/v1/regions/nearest?lat=${POINT.lat}&lng=${POINT.lng}`)).status).toBe(401);
  });

  it("an admin's centre on a grid makes it suggestible; null removes it", async () => {
    // Catches: a PATCH that ignores the centre, or cannot remove it again.
    const admin = await s.staffToken('admin');
    const grid = ids.region['DX-01-02-03'];
    const set = await s.api('PATCH', `/api/v1/regions/${grid}`, { token: admin, body: { centre: { lat: 28.9011, lng: 118.8719 } } });
    expect(set.status).toBe(200);
    expect(set.body.centre).toEqual({ lat: 28.9011, lng: 118.8719 });
    const near = await s.api('GET', `/api/v1/regions/nearest?lat=${POINT.lat}&lng=${POINT.lng}&level=grid`, { token: reporter });
    expect(near.body.items.map((x: { region: { id: string } }) => x.region.id)).toEqual([grid]);
    const cleared = await s.api('PATCH', `/api/v1/regions/${grid}`, { token: admin, body: { centre: null } });
    expect(cleared.body.centre).toBeNull();
    const none = await s.api('GET', `/api/v1/regions/nearest?lat=${POINT.lat}&lng=${POINT.lng}&level=grid`, { token: reporter });
    expect(none.body.items).toEqual([]);
    const outside = await s.api('PATCH', `/api/v1/regions/${grid}`, { token: admin, body: { centre: { lat: 28.9, lng: 200 } } });
    expect(outside.status).toBe(400);
    expect(outside.body.error.details[0].path).toBe('body.centre.lng');
  });
});
