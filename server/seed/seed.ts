import type { Types } from 'mongoose';
import type { Models } from '../db/models';
import { newId } from '../db/schema-helpers';
import { hashPassword } from '../auth/passwords';
import { identityKey } from '../users/model';
import { DEFAULT_DEADLINES } from '../categories/model';
import type { RegionDoc } from '../regions/model';
import { demoCounty } from './demo-county';

/**
 * The demo county is written in named sections, and each applied section is recorded. A later
 * feature adds a section to SECTIONS; `npm start` on a demo database made before it applies just
 * the new section, so developers keep their data. A database without records is a real county's
 * (or empty): only an empty one is ever seeded.
 */
interface SeedSection {
  name: string;
  /** Writes the section; returns how many records it wrote. Earlier sections are in the database. */
  run(models: Models, now: Date): Promise<number>;
}

const byCode = async <T extends { code: string; _id: Types.ObjectId }>(docs: Promise<T[]>) => new Map((await docs).map((d) => [d.code, d]));

const SECTIONS: SeedSection[] = [
  {
    name: 'regions',
    async run(models) {
      const created = new Map<string, RegionDoc>();
      for (const [sort, r] of demoCounty.regions.entries()) {
        const _id = newId();
        const parent = r.parentCode ? created.get(r.parentCode) : undefined;
        if (r.parentCode && !parent) throw new Error(`demo region ${r.code}: parent ${r.parentCode} must come first`);
        const doc = await models.Region.create({
          _id,
          name: r.name,
          code: r.code,
          level: r.level,
          parentId: parent?._id ?? null,
          path: `${parent?.path ?? '/'}${_id}/`,
          pathNames: [...(parent?.pathNames ?? []), r.name],
          sort,
        });
        created.set(r.code, doc.toObject());
      }
      return created.size;
    },
  },
  {
    name: 'departments',
    async run(models) {
      for (const [sort, d] of demoCounty.departments.entries()) await models.Department.create({ name: d.name, code: d.code, phone: d.phone, sort });
      return demoCounty.departments.length;
    },
  },
  {
    name: 'categories',
    async run(models) {
      const departments = await byCode(models.Department.find().lean());
      for (const [sort, c] of demoCounty.categories.entries()) {
        const department = c.departmentCode ? departments.get(c.departmentCode) : null;
        if (department === undefined) throw new Error(`demo category ${c.code} names unknown department ${c.departmentCode}`);
        await models.Category.create({
          code: c.code,
          name: c.name,
          group: c.group,
          defaultDepartmentId: department?._id ?? null,
          deadlines: { ...DEFAULT_DEADLINES, ...(c.resolveHours ? { resolveHours: c.resolveHours } : {}) },
          sort,
        });
      }
      return demoCounty.categories.length;
    },
  },
  {
    name: 'people',
    async run(models) {
      const regions = await byCode(models.Region.find().lean<RegionDoc[]>());
      const departments = await byCode(models.Department.find().lean());
      const region = (code: string) => {
        const r = regions.get(code);
        if (!r) throw new Error(`demo data names unknown region ${code}`);
        return r._id;
      };
      // One hash for the shared demo password: hashing it per user would add seconds to every seed.
      const passwordHash = await hashPassword(demoCounty.password);
      for (const p of demoCounty.people) {
        const _id = newId();
        await models.User.create({
          _id,
          name: p.name,
          username: p.username ?? null,
          passwordHash: p.username ? passwordHash : null,
          phone: p.phone ?? null,
          roles: p.roles,
          regionIds: (p.regionCodes ?? []).map(region),
          departmentId: p.departmentCode ? departments.get(p.departmentCode)?._id : null,
          homeRegionId: p.homeRegionCode ? region(p.homeRegionCode) : null,
          wechatContactId: p.contactBound ? p.contactId : null,
        });
        if (p.username) await models.Identity.create({ key: identityKey.username(p.username), userId: _id });
        if (p.openid) await models.Identity.create({ key: identityKey.wechat(p.openid), userId: _id });
        if (p.contactId && p.contactBound) await models.Identity.create({ key: identityKey.contact(p.contactId), userId: _id });
      }
      return demoCounty.people.length;
    },
  },
  {
    name: 'group chats',
    async run(models, now) {
      const regions = await byCode(models.Region.find().lean<RegionDoc[]>());
      const bound = demoCounty.groupChats.filter((c) => c.bound);
      for (const g of bound) {
        const r = regions.get(g.communityCode)!;
        // Bound by the community's staff member, the group's first member.
        const staff = await models.User.findOne({ wechatContactId: g.memberContactIds[0] }).lean();
        const fallback = await models.User.findOne({ roles: 'community_staff', regionIds: r._id }).lean();
        await models.Room.create({ roomId: g.roomId, topic: g.topic, regionId: r._id, regionPath: r.path, boundBy: (staff ?? fallback)!._id, boundAt: now });
      }
      return bound.length;
    },
  },
];

export interface SeedSummary {
  /** Sections written by this call, with how many records each wrote. */
  applied: { name: string; count: number }[];
}

/** Empty: no regions (everything else hangs off them) and no record of a demo seed. */
export async function isEmpty(models: Models): Promise<boolean> {
  return (await models.Region.estimatedDocumentCount()) === 0 && (await models.SeedRecord.estimatedDocumentCount()) === 0;
}

export async function isDemoDatabase(models: Models): Promise<boolean> {
  return (await models.SeedRecord.estimatedDocumentCount()) > 0;
}

export async function resetDatabase(models: Models): Promise<void> {
  for (const model of Object.values(models)) await model.collection.deleteMany({});
}

/**
 * Writes the sections of the demo county this database does not have yet: all of them into an
 * empty database, the new ones into a demo database made by an earlier version.
 */
export async function seedDemoCounty(models: Models, now = new Date()): Promise<SeedSummary> {
  const done = new Set((await models.SeedRecord.find().lean()).map((r) => r._id));
  const applied: SeedSummary['applied'] = [];
  for (const section of SECTIONS) {
    if (done.has(section.name)) continue;
    const count = await section.run(models, now);
    await models.SeedRecord.create({ _id: section.name, count });
    applied.push({ name: section.name, count });
  }
  return { applied };
}

export const describeSeed = (s: SeedSummary) => s.applied.map((a) => `${a.count} ${a.name}`).join(', ');
