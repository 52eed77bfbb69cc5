import type { Models } from '../db/models';
import { newId } from '../db/schema-helpers';
import { hashPassword } from '../auth/passwords';
import { identityKey } from '../users/model';
import { DEFAULT_DEADLINES } from '../categories/model';
import { demoCounty } from './demo-county';

export interface SeedSummary {
  regions: number;
  departments: number;
  categories: number;
  users: number;
  rooms: number;
}

/** The database counts as empty when it has no regions: everything else hangs off them. */
export async function isEmpty(models: Models): Promise<boolean> {
  return (await models.Region.estimatedDocumentCount()) === 0;
}

export async function resetDatabase(models: Models): Promise<void> {
  for (const model of Object.values(models)) await model.collection.deleteMany({});
}

/** Writes the demo county of server/seed/demo-county.ts into an empty database. */
export async function seedDemoCounty(models: Models, now = new Date()): Promise<SeedSummary> {
  const regionByCode = new Map<string, { _id: ReturnType<typeof newId>; path: string; pathNames: string[] }>();
  let sort = 0;
  for (const r of demoCounty.regions) {
    const _id = newId();
    const parent = r.parentCode ? regionByCode.get(r.parentCode) : undefined;
    if (r.parentCode && !parent) throw new Error(`demo region ${r.code}: parent ${r.parentCode} must come first`);
    const path = `${parent?.path ?? '/'}${_id}/`;
    const pathNames = [...(parent?.pathNames ?? []), r.name];
    regionByCode.set(r.code, { _id, path, pathNames });
    await models.Region.create({ _id, name: r.name, code: r.code, level: r.level, parentId: parent?._id ?? null, path, pathNames, sort: sort++ });
  }

  const deptByCode = new Map<string, ReturnType<typeof newId>>();
  for (const [i, d] of demoCounty.departments.entries()) {
    const doc = await models.Department.create({ name: d.name, code: d.code, phone: d.phone, sort: i });
    deptByCode.set(d.code, doc._id);
  }

  for (const [i, c] of demoCounty.categories.entries()) {
    const departmentId = c.departmentCode ? deptByCode.get(c.departmentCode) : null;
    if (departmentId === undefined) throw new Error(`demo category ${c.code} names unknown department ${c.departmentCode}`);
    await models.Category.create({
      code: c.code,
      name: c.name,
      group: c.group,
      defaultDepartmentId: departmentId,
      deadlines: { ...DEFAULT_DEADLINES, ...(c.resolveHours ? { resolveHours: c.resolveHours } : {}) },
      sort: i,
    });
  }

  // One hash for the shared demo password: hashing it per user would add seconds to every seed.
  const passwordHash = await hashPassword(demoCounty.password);
  const userByContact = new Map<string, ReturnType<typeof newId>>();
  const region = (code: string) => {
    const r = regionByCode.get(code);
    if (!r) throw new Error(`demo data names unknown region ${code}`);
    return r._id;
  };
  for (const p of demoCounty.people) {
    const _id = newId();
    const staff = Boolean(p.username);
    await models.User.create({
      _id,
      name: p.name,
      username: p.username ?? null,
      passwordHash: staff ? passwordHash : null,
      phone: p.phone ?? null,
      roles: p.roles,
      regionIds: (p.regionCodes ?? []).map(region),
      departmentId: p.departmentCode ? deptByCode.get(p.departmentCode) : null,
      homeRegionId: p.homeRegionCode ? region(p.homeRegionCode) : null,
      wechatContactId: p.contactBound ? p.contactId : null,
    });
    if (p.username) await models.Identity.create({ key: identityKey.username(p.username), userId: _id });
    if (p.openid) await models.Identity.create({ key: identityKey.wechat(p.openid), userId: _id });
    if (p.contactId && p.contactBound) await models.Identity.create({ key: identityKey.contact(p.contactId), userId: _id });
    if (p.contactId) userByContact.set(p.contactId, _id);
  }

  let rooms = 0;
  for (const g of demoCounty.groupChats.filter((c) => c.bound)) {
    const r = regionByCode.get(g.communityCode)!;
    const boundBy = userByContact.get(g.memberContactIds[0]) ?? newId();
    await models.Room.create({ roomId: g.roomId, topic: g.topic, regionId: r._id, regionPath: r.path, boundBy, boundAt: now });
    rooms++;
  }
  return { regions: regionByCode.size, departments: deptByCode.size, categories: demoCounty.categories.length, users: demoCounty.people.length, rooms };
}
