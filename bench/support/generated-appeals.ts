/**
 * Appeals generated in bulk for the benches, shaped as filing and the moves leave them (model.ts
 * fields, deadlines and timeline by state, on the demo county's community and grid paths with
 * their township and community paths stored as filing stores them, its departments and categories,
 * filed by the demo residents, one in 20 joined by others), inserted with the driver in batches.
 */
import { Types } from 'mongoose';
import { deadlinesFrom, dueAtFor } from '../../server/appeals/deadlines';
import { scopePathsOf } from '../../server/appeals/scope';
import { APPEAL_SETTLED_CACHE } from '../../server/appeals/model';
import { bumpStamp } from '../../server/core/cache/stamps';

export const BATCH = 1000;
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const sec = (t0: number) => (performance.now() - t0) / 1000;

export type Models = import('../../server/models').Models;
type AppealDoc = import('../../server/appeals/model').AppealDoc;

export interface Demo {
  residents: string[];
  regions: { _id: Types.ObjectId; path: string; pathNames: string[]; name: string; level: string; code: string }[];
  categories: { _id: Types.ObjectId; name: string; defaultDepartmentId: Types.ObjectId | null; deadlines: { acceptHours: number; firstContactHours: number; resolveHours: number } }[];
  departments: { _id: Types.ObjectId; name: string; code: string }[];
  residentIds: Types.ObjectId[];
}

export async function demoData(models: Models): Promise<Demo> {
  const regions = await models.Region.find({ level: { $in: ['community', 'grid'] } }).lean<Demo['regions']>();
  const categories = await models.Category.find().lean<Demo['categories']>();
  const departments = await models.Department.find().lean<Demo['departments']>();
  const residentIds = (await models.User.find({ roles: 'resident' }, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>()).map((u) => u._id);
  return { residents: Array.from({ length: 30 }, (_, i) => `demo-resident-${String(i + 1).padStart(2, '0')}`), regions, categories, departments, residentIds };
}


const DESCRIPTIONS = [
  '小区门口的路灯坏了好几天，晚上出行很不方便，希望尽快维修。',
  '楼下的下水道堵塞，污水冒到路面上，气味很大。',
  '村道上有一段路面塌陷，电动车经过很危险。',
  '菜市场旁边的垃圾桶满了没人清运，苍蝇很多。',
  '附近工地夜间施工噪音太大，严重影响休息。',
  '家里这两天水压很低，高峰时段基本没水。',
  '公交车经常不按时刻表发车，等车时间很长。',
  '超市售卖的商品标价和结账价格不一致。',
  '老旧小区的楼道灯坏了，老人上下楼看不清。',
  '咨询灵活就业人员养老保险的缴费办法。',
];
const STATE_WEIGHTS: [AppealDoc['state'], number][] = [
  ['submitted', 0.04], ['accepted', 0.03], ['assigned', 0.1], ['in_progress', 0.12], ['replied', 0.08], ['closed', 0.53], ['rejected', 0.06], ['merged', 0.04],
];
const SATISFACTIONS = ['satisfied', 'satisfied', 'basically', 'unsatisfied'] as const;

/**
 * A generated appeal as filing and the moves would leave it: deadlines from its category, the
 * timeline up to its state, `dueAt` of that state, overdue when an open one is past it (as the
 * scheduler flags), nothing pending for the notification relay.
 */
function generate(demo: Demo, seq: number, now: number, rand: () => number, shape: Shape): Record<string, unknown> {
  const { spanDays } = shape;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const weights = shape.openShare === undefined ? STATE_WEIGHTS : weightsWithOpenShare(shape.openShare);
  let u = rand();
  let state: AppealDoc['state'] = 'closed';
  for (const [s, w] of weights) {
    if ((u -= w) < 0) {
      state = s;
      break;
    }
  }
  const open = OPEN.has(state);
  // Open ones are recent, finished ones spread over the span (90 days unless asked).
  const submitted = new Date(now - (open ? (state === 'replied' ? 2 + rand() * 5 : rand() * 10) * DAY : (10 + rand() * (spanDays - 10)) * DAY));
  const region = pick(demo.regions);
  const category = pick(demo.categories);
  const deadlines = deadlinesFrom(submitted, category.deadlines);
  const handled = ['assigned', 'in_progress', 'replied', 'closed'].includes(state);
  const department = handled ? (demo.departments.find((d) => d._id.equals(category.defaultDepartmentId ?? new Types.ObjectId())) ?? pick(demo.departments)) : null;
  const reporter = pick(demo.residentIds);
  // Every 20th appeal has 1-3 residents who joined it (同问), so "my appeals" reads the follower
  // branch as it would in a county; chosen by `seq`, not `rand`, so the rest is generated as before.
  const followers = seq % 20 === 0 ? followersOf(demo, seq, reporter) : [];
  const t = submitted.getTime();
  const at = (h: number) => new Date(Math.min(t + h * HOUR, now - 1000));
  const ev = (when: Date, action: string, from: string | null, to: string | null, byName: string, note: string | null = null) => ({ _id: new Types.ObjectId(), at: when, action, from, to, byId: null, byName, byRole: null, note });
  const timeline = [ev(submitted, 'submit', null, 'submitted', '居民')];
  const acceptedAt = state === 'submitted' || state === 'rejected' ? null : at(0.5 + rand());
  const assignedAt = handled ? at(1 + rand() * 2) : null;
  const firstContactAt = state === 'in_progress' || state === 'replied' || state === 'closed' ? at(3 + rand() * 20) : null;
  const repliedAt = state === 'replied' || state === 'closed' ? at(24 + rand() * 100) : null;
  const closedAt = state === 'closed' ? at(200 + rand() * 48) : state === 'rejected' || state === 'merged' ? at(1 + rand()) : null;
  if (acceptedAt) timeline.push(ev(acceptedAt, 'accept', 'submitted', 'accepted', '调度员'));
  if (assignedAt) timeline.push(ev(assignedAt, 'assign', 'accepted', 'assigned', '调度员', `派至${department!.name}`));
  if (firstContactAt) timeline.push(ev(firstContactAt, 'start', 'assigned', 'in_progress', '承办人'));
  if (repliedAt) timeline.push(ev(repliedAt, 'reply', 'in_progress', 'replied', '承办人'));
  if (state === 'rejected') timeline.push(ev(closedAt!, 'reject', 'submitted', 'rejected', '调度员', '不属于受理范围'));
  if (state === 'merged') timeline.push(ev(closedAt!, 'merge', 'accepted', 'merged', '调度员', '合并至重复诉求'));
  const rated = state === 'closed' && rand() < 0.7;
  if (state === 'closed') timeline.push(ev(closedAt!, rated ? 'rate' : 'close', 'replied', 'closed', rated ? '居民' : '系统'));
  const dueAt = dueAtFor(state, { ...deadlines, firstContactAt, repliedAt });
  const overdue = !!dueAt && open && state !== 'replied' && dueAt.getTime() <= now;
  if (overdue) timeline.push(ev(new Date(Math.min(dueAt!.getTime() + 60_000, now - 500)), 'overdue', null, null, '系统', '已超期'));
  const day = new Date(t + 8 * HOUR).toISOString().slice(0, 10).replace(/-/g, '');
  const idHex = Types.ObjectId.createFromTime(Math.floor(t / 1000)).toHexString().slice(0, 8) + Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0') + seq.toString(16).padStart(8, '0');
  return {
    _id: new Types.ObjectId(idHex),
    number: `DX-${day}-9${String(seq).padStart(6, '0')}`,
    kind: pick(['consultation', 'help', 'complaint', 'report', 'suggestion']),
    state,
    channel: pick(['miniprogram', 'miniprogram', 'miniprogram', 'group_chat', 'grid_worker', 'hotline']),
    categoryId: category._id,
    categoryName: category.name,
    regionId: region._id,
    regionPath: region.path,
    ...scopePathsOf(region.path),
    regionName: region.pathNames.slice(1).join(' / '),
    departmentId: department?._id ?? null,
    departmentName: department?.name ?? null,
    description: pick(DESCRIPTIONS) + `（编号${seq}）`,
    place: null,
    photoIds: [],
    isPublic: rand() < 0.8 || followers.length > 0,
    isAnonymous: false,
    submittedById: reporter,
    reporterId: reporter,
    reporterName: '居民',
    reporterPhone: '13800000000',
    roomId: null,
    reporterContactId: null,
    idempotencyKey: `bench-gen-${seq}`,
    followerIds: followers,
    followersCount: followers.length,
    submittedAt: submitted,
    day,
    ...deadlines,
    dueAt,
    overdue,
    overdueCount: overdue ? 1 : 0,
    acceptedAt,
    assignedAt,
    firstContactAt,
    repliedAt,
    closedAt,
    dispatchMs: assignedAt ? assignedAt.getTime() - t : null,
    directDispatch: false,
    dispatchReviewed: false,
    answer: repliedAt ? { text: '已处理完毕，感谢您的反映。', photoIds: [], at: repliedAt, departmentName: department?.name ?? null } : null,
    rating: rated ? { resolved: rand() < 0.85, satisfaction: pick(SATISFACTIONS), comment: null, at: closedAt } : null,
    duplicateOfId: null,
    duplicateOfNumber: null,
    lastRemindDay: null,
    timeline,
    eventCount: timeline.length,
    notifiedCount: timeline.length,
    notifyPending: false,
    createdAt: submitted,
    updatedAt: timeline[timeline.length - 1].at,
  };
}

/** 1-3 residents other than the reporter, the same for the same `seq`. */
function followersOf(demo: Demo, seq: number, reporter: Types.ObjectId): Types.ObjectId[] {
  const n = demo.residentIds.length;
  const want = 1 + ((seq / 20) % 3);
  const out: Types.ObjectId[] = [];
  for (let j = 0; j < n && out.length < want; j++) {
    const id = demo.residentIds[(seq / 20 + j * 7) % n];
    if (!id.equals(reporter) && !out.some((o) => o.equals(id))) out.push(id);
  }
  return out;
}

let generated = 0;
/** How generated appeals spread: over how many days, and what share is still open (the inbox bench's mix when not given). */
export interface Shape {
  spanDays: number;
  openShare?: number;
}

const OPEN = new Set(['submitted', 'accepted', 'assigned', 'in_progress', 'replied']);
/** STATE_WEIGHTS with the open states scaled to `share` and the finished ones to the rest. */
function weightsWithOpenShare(share: number): [AppealDoc['state'], number][] {
  const openSum = STATE_WEIGHTS.filter(([s]) => OPEN.has(s)).reduce((a, [, w]) => a + w, 0);
  return STATE_WEIGHTS.map(([s, w]) => [s, OPEN.has(s) ? (w / openSum) * share : (w / (1 - openSum)) * (1 - share)]);
}

export async function fillTo(models: Models, demo: Demo, size: number, rand: () => number, spread: Shape | number = 90): Promise<{ added: number; seconds: number }> {
  const shape: Shape = typeof spread === 'number' ? { spanDays: spread } : spread;
  const have = await models.Appeal.collection.countDocuments();
  const t0 = performance.now();
  const now = Date.now();
  let added = 0;
  while (have + added < size) {
    const n = Math.min(BATCH, size - have - added);
    const docs = Array.from({ length: n }, () => generate(demo, ++generated, now, rand, shape));
    await models.Appeal.collection.insertMany(docs, { ordered: false });
    added += n;
  }
  // Written past the models' stamp plugin: most are ended appeals, which the county's badges keep
  // counted in memory (server/appeals/counts.ts) until this stamp says they changed.
  if (added > 0) await bumpStamp(models.Appeal.db, APPEAL_SETTLED_CACHE);
  return { added, seconds: sec(t0) };
}

