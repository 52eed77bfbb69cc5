import { renewEpoch } from '../core/cache/stamps';
import type { Types } from 'mongoose';
import type { Models } from '../models';
import { newId } from '../db/schema-helpers';
import { hashPassword, identityKey, userService } from '../users';
import { categoryService, DEFAULT_DEADLINES } from '../categories';
import { departmentService } from '../departments';
import { regionLookup } from '../regions';
import { boundRooms } from '../bindings';
import { demoCounty } from '../../common/demo-county';
import { measureRollup } from '../measures';
import { buildDemoAppeals } from './appeals';
import { buildDemoNews } from './news';
import { contextOf } from './context';
import { recordsFor, type RecordKind } from './records';

/**
 * The demo county is written in named sections, and each applied section is recorded. A later
 * feature adds a section to SECTIONS; `npm start` on a demo database made before it applies just
 * the new section, so developers keep their data. A database without records is a real county's
 * (or empty): only an empty one is ever seeded.
 *
 * Each section is all or nothing. It first builds its documents in memory, with their ids, and
 * records those ids as pending (`pending:<section>`) before writing any of them; the section's own
 * record replaces the pending one when every document is in. A seed interrupted halfway (killed,
 * database gone) leaves a pending record: the next run deletes exactly the documents it lists
 * (never anything else in those collections, so data added to a demo database is kept) and writes
 * the section again. The first pending record is written before the first document, so a
 * half-seeded database is always a demo database, never taken for a real county's.
 */
const SEED_MODELS = ['Region', 'Department', 'Category', 'User', 'Identity', 'Room', 'Appeal', 'Column', 'Article', 'ArticleStats', 'Comment', 'Notice', 'ServiceEntry', 'Outbox'] as const;
type SeedModel = (typeof SEED_MODELS)[number] & RecordKind;
interface SeedWrite {
  model: SeedModel;
  doc: { _id: Types.ObjectId } & Record<string, unknown>;
}

interface SeedSection {
  name: string;
  /**
   * The section's documents, in write order, and how many records it reports (its main kind).
   * Earlier sections are in the database.
   */
  build(models: Models, now: Date, opts: SeedOptions): Promise<{ writes: SeedWrite[]; count: number }>;
}

const PENDING = 'pending:';

const byCode = async <T extends { code: string; _id: Types.ObjectId }>(docs: Promise<T[]>) => new Map((await docs).map((d) => [d.code, d]));

const SECTIONS: SeedSection[] = [
  {
    name: 'regions',
    async build() {
      const created = new Map<string, { _id: Types.ObjectId; path: string; pathNames: string[] }>();
      const writes: SeedWrite[] = [];
      for (const [sort, r] of demoCounty.regions.entries()) {
        const _id = newId();
        const parent = r.parentCode ? created.get(r.parentCode) : undefined;
        if (r.parentCode && !parent) throw new Error(`demo region ${r.code}: parent ${r.parentCode} must come first`);
        const doc = {
          _id,
          name: r.name,
          code: r.code,
          level: r.level,
          parentId: parent?._id ?? null,
          path: `${parent?.path ?? '/'}${_id}/`,
          pathNames: [...(parent?.pathNames ?? []), r.name],
          sort,
          centre: r.centre ?? null,
        };
        created.set(r.code, doc);
        writes.push({ model: 'Region', doc });
      }
      return { writes, count: created.size };
    },
  },
  {
    name: 'departments',
    async build() {
      const writes = demoCounty.departments.map((d, sort): SeedWrite => ({ model: 'Department', doc: { _id: newId(), name: d.name, code: d.code, phone: d.phone, sort } }));
      return { writes, count: writes.length };
    },
  },
  {
    name: 'categories',
    async build(models) {
      const departments = await byCode(departmentService(contextOf(models)).all());
      const writes = demoCounty.categories.map((c, sort): SeedWrite => {
        const department = c.departmentCode ? departments.get(c.departmentCode) : null;
        if (department === undefined) throw new Error(`demo category ${c.code} names unknown department ${c.departmentCode}`);
        return {
          model: 'Category',
          doc: {
            _id: newId(),
            code: c.code,
            name: c.name,
            group: c.group,
            defaultDepartmentId: department?._id ?? null,
            deadlines: { ...DEFAULT_DEADLINES, ...(c.resolveHours ? { resolveHours: c.resolveHours } : {}) },
            sort,
          },
        };
      });
      return { writes, count: writes.length };
    },
  },
  {
    name: 'people',
    async build(models) {
      const regions = await byCode(regionLookup(contextOf(models)).all());
      const departments = await byCode(departmentService(contextOf(models)).all());
      const region = (code: string) => {
        const r = regions.get(code);
        if (!r) throw new Error(`demo data names unknown region ${code}`);
        return r._id;
      };
      // One hash for the shared demo password: hashing it per user would add seconds to every seed.
      const passwordHash = await hashPassword(demoCounty.password);
      const writes: SeedWrite[] = [];
      const identity = (key: string, userId: Types.ObjectId) => writes.push({ model: 'Identity', doc: { _id: newId(), key, userId } });
      for (const p of demoCounty.people) {
        const _id = newId();
        writes.push({
          model: 'User',
          doc: {
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
          },
        });
        if (p.username) identity(identityKey.username(p.username), _id);
        if (p.openid) identity(identityKey.wechat(p.openid), _id);
        if (p.contactId && p.contactBound) identity(identityKey.contact(p.contactId), _id);
      }
      return { writes, count: demoCounty.people.length };
    },
  },
  {
    name: 'group chats',
    async build(models, now) {
      const regions = await byCode(regionLookup(contextOf(models)).all());
      const users = userService(contextOf(models));
      const bound = demoCounty.groupChats.filter((c) => c.bound);
      const writes: SeedWrite[] = [];
      for (const g of bound) {
        const r = regions.get(g.communityCode)!;
        // Bound by the community's staff member, the group's first member.
        const staff = await users.withContactId(g.memberContactIds[0]!);
        const fallback = await users.withRoleIn('community_staff', r._id);
        writes.push({ model: 'Room', doc: { _id: newId(), roomId: g.roomId, topic: g.topic, regionId: r._id, regionPath: r.path, boundBy: (staff ?? fallback)!._id, boundAt: now } });
      }
      return { writes, count: bound.length };
    },
  },
  {
    // Reserves its ticket numbers on the day counters while building (server/seed/appeals.ts):
    // a counter left ahead by an interrupted run only skips numbers.
    name: 'appeals',
    async build(models, now) {
      const docs = await buildDemoAppeals(models, now);
      return { writes: docs.map((doc): SeedWrite => ({ model: 'Appeal', doc: doc as unknown as SeedWrite['doc'] })), count: docs.length };
    },
  },
  {
    // Columns, articles (with counters and comments), notices (with their deliveries, already
    // sent), the services directory; the second and third reviewers when missing (server/seed/news.ts).
    name: 'news',
    build: (models, now, opts) => buildDemoNews(models, now, { dataDir: opts.dataDir }),
  },
];

export interface SeedSummary {
  /** Sections written by this call, with how many records each wrote. */
  applied: { name: string; count: number }[];
  /** Sections whose interrupted earlier run was undone before writing them again. */
  repaired: string[];
}

export interface SeedOptions {
  /** Called after each document written, with the number written so far (tests interrupt a seed here). */
  afterWrite?: (written: number) => void | Promise<void>;
  /** The server's data folder: the news section stores its article covers there as photos (none without it). */
  dataDir?: string;
}

/**
 * Empty: no regions, departments, categories or users (an administrator created by
 * `npm run admin` makes a database non-empty) and no record of a demo seed.
 */
export async function isEmpty(models: Models): Promise<boolean> {
  const ctx = contextOf(models);
  const counts = [
    () => models.SeedRecord.estimatedDocumentCount(),
    () => regionLookup(ctx).estimatedCount(),
    () => userService(ctx).estimatedCount(),
    () => departmentService(ctx).estimatedCount(),
    () => categoryService(ctx).estimatedCount(),
  ];
  for (const count of counts) if ((await count()) > 0) return false;
  return true;
}

/** Any seed record, an interrupted first section's pending record included. */
export async function isDemoDatabase(models: Models): Promise<boolean> {
  return (await models.SeedRecord.estimatedDocumentCount()) > 0;
}

export async function resetDatabase(models: Models): Promise<void> {
  for (const model of Object.values(models)) await model.collection.deleteMany({});
  // Deleted with the driver, past the models' stamp plugin: a server running on this database
  // would keep serving what it holds in memory (badges, lists, people) without a new epoch.
  await renewEpoch(models.Appeal.db);
}

export class NotADemoDatabaseError extends Error {
  constructor() {
    super('The database holds data that is not the demo county; the demo county is seeded only into an empty database.');
  }
}

const recordsOf = (models: Models, kind: SeedModel) => recordsFor(contextOf(models), kind);

/**
 * Writes the sections of the demo county this database does not have yet: all of them into an
 * empty database, the new ones into a demo database made by an earlier version, and again any
 * section an interrupted run left pending. Refuses a database that is neither.
 */
export async function seedDemoCounty(models: Models, now = new Date(), opts: SeedOptions = {}): Promise<SeedSummary> {
  const records = await models.SeedRecord.find().lean();
  if (records.length === 0 && !(await isEmpty(models))) throw new NotADemoDatabaseError();
  const done = new Set(records.filter((r) => !r._id.startsWith(PENDING)).map((r) => r._id));
  const repaired: string[] = [];
  for (const r of records.filter((x) => x._id.startsWith(PENDING))) {
    const section = r._id.slice(PENDING.length);
    // Interrupted between the section's record and removing its pending one: the section is whole.
    if (!done.has(section)) {
      for (const p of r.pending ?? []) await recordsOf(models, p.model as SeedModel).remove(p.ids);
      repaired.push(section);
    }
    await models.SeedRecord.deleteOne({ _id: r._id });
  }

  const applied: SeedSummary['applied'] = [];
  let written = 0;
  for (const section of SECTIONS) {
    if (done.has(section.name)) continue;
    const { writes, count } = await section.build(models, now, opts);
    const ids = new Map<SeedModel, Types.ObjectId[]>();
    for (const w of writes) ids.set(w.model, [...(ids.get(w.model) ?? []), w.doc._id]);
    await models.SeedRecord.create({ _id: PENDING + section.name, count: 0, pending: [...ids].map(([m, list]) => ({ model: m, ids: list })) });
    for (const w of writes) {
      await recordsOf(models, w.model).insert(w.doc);
      await opts.afterWrite?.(++written);
    }
    await models.SeedRecord.create({ _id: section.name, count });
    await models.SeedRecord.deleteOne({ _id: PENDING + section.name });
    applied.push({ name: section.name, count });
  }
  // The demo history lies in days the server may have rolled up already (at its start, empty):
  // forget them, so the figures read the seeded timelines until the next rollup.
  if (applied.length > 0 || repaired.length > 0) await measureRollup(contextOf(models)).forget();
  return { applied, repaired };
}

/** Documents in each collection the seed writes (to compare a repaired seed with a clean one). */
export async function seedCollectionCounts(models: Models): Promise<Record<SeedModel, number>> {
  const counts = {} as Record<SeedModel, number>;
  for (const name of SEED_MODELS) counts[name] = await recordsOf(models, name).count();
  return counts;
}

export const describeSeed = (s: SeedSummary) => s.applied.map((a) => `${a.count} ${a.name}`).join(', ');
