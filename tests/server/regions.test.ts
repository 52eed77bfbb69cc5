import { startTestServer, type TestServer } from '../helpers/server';

let s: TestServer;
let admin: string;
beforeAll(async () => {
  s = await startTestServer();
  admin = await s.staffToken('admin');
});
afterAll(() => s?.stop());


describe('GET /api/v1/regions', () => {
  it('lists the county as the root, without signing in', async () => {
    const res = await s.api('GET', '/api/v1/regions');
    expect(res.status).toBe(200);
    expect(res.body.items.map((r: { name: string }) => r.name)).toEqual(['东溪县']);
    const townships = await s.models.Region.countDocuments({ parentId: res.body.items[0].id });
    expect(res.body.items[0]).toMatchObject({ level: 'county', parentId: null, childCount: townships });
    expect(res.body).toMatchObject({ total: 1, page: 1, pageSize: 20 });
  });

  it('drills down county > township > community > grid with paths', async () => {
    const county = await s.regionId('DX');
    const towns = await s.api('GET', `/api/v1/regions?parentId=${county}`);
    expect(towns.body.items.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['城关镇', '青石乡']));
    const chengguan = towns.body.items.find((r: { name: string }) => r.name === '城关镇');
    const communities = await s.api('GET', `/api/v1/regions?parentId=${chengguan.id}`);
    expect(communities.body.items.map((r: { name: string }) => r.name)).toEqual(['东城社区', '西城社区', '南门社区']);
    const grid = (await s.api('GET', `/api/v1/regions?parentId=${communities.body.items[0].id}`)).body.items[0];
    expect(grid.pathNames).toEqual(['东溪县', '城关镇', '东城社区', '第一网格']);
    expect(grid.path.startsWith(communities.body.items[0].path)).toBe(true);
    expect(grid.childCount).toBe(0);
  });

  it('finds communities by part of their name, literally, with the total for paging', async () => {
    // Catches: the board's community search listing every community (q ignored), matching a
    // search's regex characters as a pattern, or searching only the county's root level.
    const res = await s.api('GET', `/api/v1/regions?level=community&q=${encodeURIComponent('城社')}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((r: { name: string }) => r.name).sort()).toEqual(['东城社区', '西城社区']);
    expect(res.body.total).toBe(2);
    expect((await s.api('GET', `/api/v1/regions?level=community&q=${encodeURIComponent('.*')}`)).body.total).toBe(0);
    expect((await s.api('GET', `/api/v1/regions?q=${encodeURIComponent('第一网格')}`)).body.items.every((r: { level: string }) => r.level === 'grid')).toBe(true);
    expect((await s.api('GET', `/api/v1/regions?q=${'长'.repeat(21)}`)).status).toBe(400);
  });

  it('pages', async () => {
    const res = await s.api('GET', '/api/v1/regions?level=grid&page=2&pageSize=5');
    expect(res.body.items).toHaveLength(5);
    expect(res.body.total).toBe(18);
    expect(res.body.page).toBe(2);
  });

  it('rejects a bad parentId, a huge page size and unknown parameters', async () => {
    expect((await s.api('GET', '/api/v1/regions?parentId=zzz')).status).toBe(400);
    const big = await s.api('GET', '/api/v1/regions?pageSize=1000');
    expect(big.status).toBe(400);
    expect(big.body.error.message).toContain('query.pageSize');
    const unknown = await s.api('GET', '/api/v1/regions?where=1');
    expect(unknown.status).toBe(400);
  });

  it('answers 404 for a region that does not exist', async () => {
    const res = await s.api('GET', '/api/v1/regions/0123456789abcdef01234567');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('区域不存在');
  });
});

describe('admin: POST/PATCH/DELETE /api/v1/regions', () => {
  it('creates a community under a township with the right path', async () => {
    const town = await s.regionId('DX-02');
    const res = await s.api('POST', '/api/v1/regions', { token: admin, body: { name: '新建村', code: 'DX-02-09', level: 'community', parentId: town } });
    expect(res.status).toBe(201);
    expect(res.body.pathNames).toEqual(['东溪县', '青石乡', '新建村']);
  });

  it('refuses a child of the wrong level and a duplicate code', async () => {
    const town = await s.regionId('DX-02');
    const wrong = await s.api('POST', '/api/v1/regions', { token: admin, body: { name: '错层', code: 'DX-02-98', level: 'grid', parentId: town } });
    expect(wrong.status).toBe(400);
    const dup = await s.api('POST', '/api/v1/regions', { token: admin, body: { name: '重复', code: 'DX-02-01', level: 'community', parentId: town } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('DUPLICATE');
    expect(dup.body.error.message).toContain('编码');
  });

  it('renames a township and its descendants see the new name', async () => {
    // Its own little subtree, so no other test sees the rename.
    const town = await s.api('POST', '/api/v1/regions', { token: admin, body: { name: '临时镇', code: 'DX-08', level: 'township', parentId: await s.regionId('DX') } });
    const village = await s.api('POST', '/api/v1/regions', { token: admin, body: { name: '临时村', code: 'DX-08-01', level: 'community', parentId: town.body.id } });
    const grid = await s.api('POST', '/api/v1/regions', { token: admin, body: { name: '第一网格', code: 'DX-08-01-01', level: 'grid', parentId: village.body.id } });
    const res = await s.api('PATCH', `/api/v1/regions/${town.body.id}`, { token: admin, body: { name: '新名镇' } });
    expect(res.status).toBe(200);
    expect(res.body.pathNames).toEqual(['东溪县', '新名镇']);
    const after = await s.api('GET', `/api/v1/regions/${grid.body.id}`);
    expect(after.body.pathNames).toEqual(['东溪县', '新名镇', '临时村', '第一网格']);
  });

  it('refuses to delete a region with children, and deletes an empty one', async () => {
    const town = await s.regionId('DX-02');
    const busy = await s.api('DELETE', `/api/v1/regions/${town}`, { token: admin });
    expect(busy.status).toBe(409);
    const empty = await s.api('POST', '/api/v1/regions', { token: admin, body: { name: '待删村', code: 'DX-02-97', level: 'community', parentId: town } });
    expect((await s.api('DELETE', `/api/v1/regions/${empty.body.id}`, { token: admin })).status).toBe(204);
  });

  // Catches: the region removal losing its users and group-chat checks (they come from the users and
  // bindings features, handed in by the composition root), which would orphan accounts and groups.
  it('refuses to delete a region that users or a bound group chat still hold', async () => {
    const town = await s.regionId('DX-02');
    const village = await s.api('POST', '/api/v1/regions', { token: admin, body: { name: '占用村', code: 'DX-02-96', level: 'community', parentId: town } });
    const id = village.body.id as string;
    const user = await s.models.User.create({ name: '占用村民', roles: ['resident'], homeRegionId: id });
    const byUser = await s.api('DELETE', `/api/v1/regions/${id}`, { token: admin });
    expect(byUser.status).toBe(409);
    expect(byUser.body.error.message).toBe('「占用村」还关联着 1 个用户，不能删除');
    await s.models.User.deleteOne({ _id: user._id });
    await s.models.Room.create({ roomId: 'room-occupied@chatroom', topic: '占用村群', regionId: id, regionPath: village.body.path, boundBy: user._id, boundAt: new Date() });
    const byRoom = await s.api('DELETE', `/api/v1/regions/${id}`, { token: admin });
    expect(byRoom.status).toBe(409);
    expect(byRoom.body.error.message).toBe('「占用村」还绑定着 1 个群聊，不能删除');
    await s.models.Room.deleteOne({ roomId: 'room-occupied@chatroom' });
    expect((await s.api('DELETE', `/api/v1/regions/${id}`, { token: admin })).status).toBe(204);
  });

  it('is for admins only', async () => {
    const staff = await s.staffToken('dongcheng');
    const res = await s.api('POST', '/api/v1/regions', { token: staff, body: { name: 'x', code: 'DX-09', level: 'township', parentId: await s.regionId('DX') } });
    expect(res.status).toBe(403);
    expect((await s.api('POST', '/api/v1/regions', { body: {} })).status).toBe(401);
  });
});
