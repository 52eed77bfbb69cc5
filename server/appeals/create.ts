/**
 * Filing an appeal, from any channel: idempotent per submitting account and key, limited per
 * account (and per group chat and bot account for the bot's filings, limits.ts), numbered, with
 * deadlines from its category, and dispatched at once by the catalogue when the category names a
 * unit (直派). A filing without a category is given the category suggestion's top answer (the
 * suggester handed in, CreatorOptions.suggest): the same for every channel (group chat, a grid
 * worker's forward or 代报, 热线代录, a resident's own form); when it is sure (the admins' threshold,
 * decided by server/suggest's direct dispatch) the appeal is filed as if that category had been chosen.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import { AppError, badRequest } from '../core/errors';
import { createOnce, requestHash } from '../core/create-once';
import { chinaDay } from '../../common/china-time';
import { CATEGORIES_CACHE, categoryService, type CategoryDoc } from '../categories';
import { REGIONS_CACHE, regionLookup, type RegionDoc } from '../regions';
import { DEPARTMENTS_CACHE, departmentService, type DepartmentDoc } from '../departments';
import { appealModels, type AppealDoc, type AppealLocation, type TimelineEvent } from './model';
import type { RateLimit } from '../core/rate-limit/limiter';
import type { JoinedWrite } from '../core/route';
import type { AppealChannel, AppealKind, AppealState } from './state-machine';
import { appealLimits, isFilingRefusal } from './limits';
import { giveBackTicketNumber, nextTicketNumber } from './ticket-numbers';
import { deadlinesFrom, dueAtFor } from './deadlines';
import { SYSTEM, event, type Actor } from './events';
import { requirePhotos } from './photos';
import { mayNotify, type HeldMessages, type NotificationRelay } from './notify';
import { scopePathsOf } from './scope';

export interface NewAppeal {
  idempotencyKey: string;
  submittedById: Types.ObjectId;
  /** Who files it, for the timeline (the resident, the grid worker, the operator, the bot). */
  submitter: Actor;
  channel: AppealChannel;
  kind: AppealKind;
  categoryId: string | null;
  /**
   * The category suggestion's top answer for a filing without a category: kept beside the appeal
   * for staff to see. Absent: the creator asks its suggester (CreatorOptions.suggest); null: none. `sure`: at or above the admins' threshold of direct
   * dispatch by suggestion, so the appeal is filed with that category (and dispatched at once when
   * it names a unit), recorded as the server's choice (`chosen`). Not part of what a retry must
   * repeat (the server made it, the caller did not send it).
   */
  suggestion?: { categoryId: string; categoryName: string; score: number; sure?: boolean } | null;
  description: string;
  photoIds: string[];
  /** The account whose uploads the photos must be. */
  photoOwnerId: string;
  regionId: string;
  place: string | null;
  /** The point chosen on the map, beside the text place; absent or null when none was chosen. */
  location?: { lat: number; lng: number; name?: string | null; address?: string | null } | null;
  isPublic: boolean;
  isAnonymous: boolean;
  reporterId: Types.ObjectId | null;
  reporterName: string;
  reporterPhone: string | null;
  /** Open311's email field: personal data, kept apart from the name. */
  reporterEmail?: string | null;
  roomId?: string | null;
  reporterContactId?: string | null;
  /**
   * The limits this filing counts against (limits.ts). Absent: the submitting account's own, a
   * resident's for the mini-program and staff's when filing for someone else (代报, 热线代录).
   */
  limits?: RateLimit[];
  /**
   * The request's default write limit (the filing route's `'joined'`, core/route.ts), counted with
   * `limits` in one limiter write when the filing would create an appeal; a retry leaves it to the
   * kit, which counts it alone.
   */
  write?: JoinedWrite;
  /**
   * The request filing, when it wrote nothing its reads depend on before (a route's request): its
   * one stamp read (made for its identity) serves the reference lookups too.
   */
  within?: object;
  /**
   * The appeal's id; absent, a new one. The demo seed files its history with ids from the
   * submission time, so lists (which page by `_id`) show it in story order and a seed is repeatable.
   */
  id?: Types.ObjectId;
}

/** The result says whether this call filed it or found the first one (a retry). */
export interface Filed {
  appeal: AppealDoc;
  created: boolean;
}

const REGION_LEVELS_FOR_APPEALS = ['community', 'grid'];
/**
 * Open311 clients give a point or an address, not our tree: one that places in no community is
 * filed at the county, with its address in `place`, and waits there for a dispatcher (server/open311).
 */
const levelsFor = (channel: AppealChannel) => (channel === 'open311' ? [...REGION_LEVELS_FOR_APPEALS, 'county'] : REGION_LEVELS_FOR_APPEALS);

/**
 * The reference data a filing reads (its region, category and the category's unit), from the read
 * cache: checked against the version stamps of all three (one stamp read per filing), so a region,
 * category or unit changed or retired counts for the next filing in every process. Entries: one per
 * region, category and unit filed against lately.
 */
const REFERENCE = { namespace: [REGIONS_CACHE, CATEGORIES_CACHE, DEPARTMENTS_CACHE], maxEntries: 4096 } as const;

/**
 * A category suggested for a free text: the top one, or null when none can be made. `sure`: direct
 * dispatch by suggestion is on and the score reaches its threshold (server/suggest decides), so the
 * appeal is filed with that category.
 */
export type CategorySuggester = (text: string) => Promise<{ categoryId: string; categoryName: string; score: number; sure?: boolean } | null>;

export interface CreatorOptions {
  /**
   * The category suggestion (server/suggest), handed in by the composition root (app.ts): suggest
   * imports this feature's face to learn from it, so this feature may not import suggest (a cycle).
   * Absent (the seed, Open311 whose requests always name a service): no suggestion is made.
   */
  suggest?: CategorySuggester;
  /**
   * Called right before a filing's insert. Tests hold two retries here until both have come, so
   * both insert and the unique index decides.
   */
  beforeInsert?: () => Promise<void>;
  /**
   * The notification relay (notify.ts): a new appeal's messages are written held before it is
   * inserted, and it is stored relayed. Absent (the seed): stored pending, for a relay to send.
   */
  relay?: Pick<NotificationRelay, 'hold'>;
}

export function appealCreator(ctx: AppContext, opts: CreatorOptions = {}) {
  const { Appeal } = appealModels(ctx.conn);
  const categories = categoryService(ctx);
  const departments = departmentService(ctx);
  const limits = appealLimits(ctx);

  const regions = regionLookup(ctx);
  // The cached documents are shared by filings: read, never changed.
  const cached = <T>(key: string, within: object, load: () => Promise<T>) => ctx.cache.value<T>({ ...REFERENCE, key }, load, within);

  /** What a new appeal is filed against: its region, category (the filer's, or a sure suggestion's) and the unit of a direct dispatch. */
  async function reference(input: NewAppeal): Promise<{ r: RegionDoc; c: CategoryDoc | null; unit: DepartmentDoc | null; bySuggestion: boolean }> {
    // One stamp read for the three lookups (the request's when given): the filing writes none of them in between.
    const within = input.within ?? {};
    const sure = !input.categoryId && input.suggestion?.sure ? input.suggestion.categoryId : null;
    const [r, c] = await Promise.all([region(input.regionId, input.channel, within), sure ? suggested(sure, within) : category(input.categoryId, within)]);
    return { r, c, unit: await defaultUnit(c, within), bySuggestion: !!sure && !!c };
  }

  /** A sure suggestion's category; one retired since the suggestion was made leaves the appeal to the dispatcher, never a failed filing. */
  async function suggested(id: string, within: object): Promise<CategoryDoc | null> {
    const c = await cached(`category:${id}`, within, () => categories.byId(id));
    return c?.active ? c : null;
  }

  async function region(id: string, channel: AppealChannel, within: object): Promise<RegionDoc> {
    const r = await cached(`region:${id}`, within, () => regions.byId(id));
    if (!r) throw badRequest('所选社区或网格不存在', [{ path: 'body.regionId', message: '不存在' }]);
    if (!levelsFor(channel).includes(r.level)) throw badRequest('请选择社区/村或网格', [{ path: 'body.regionId', message: '需要社区/村或网格' }]);
    return r;
  }

  async function category(id: string | null, within: object): Promise<CategoryDoc | null> {
    if (!id) return null;
    const c = await cached(`category:${id}`, within, () => categories.byId(id));
    if (!c || !c.active) throw badRequest('诉求分类不存在或已停用', [{ path: 'body.categoryId', message: '不存在或已停用' }]);
    return c;
  }

  /** The unit the catalogue sends this category to, when it exists and still works. */
  async function defaultUnit(c: CategoryDoc | null, within: object): Promise<DepartmentDoc | null> {
    const id = c?.defaultDepartmentId;
    if (!id) return null;
    return cached(`unit:${String(id)}`, within, () => departments.activeById(id));
  }

  /**
   * The suggestion for a filing that names no category (one the caller made is kept as it is). A
   * suggestion that fails is left out, never a failed filing: the appeal matters more than the hint.
   */
  async function withSuggestion(input: NewAppeal): Promise<NewAppeal> {
    if (input.categoryId || input.suggestion !== undefined || !opts.suggest) return input;
    try {
      return { ...input, suggestion: await opts.suggest(input.description) };
    } catch (err) {
      ctx.logger.warn({ err, channel: input.channel }, 'category suggestion for a filing failed');
      return { ...input, suggestion: null };
    }
  }

  async function findFirst(submittedById: Types.ObjectId, key: string): Promise<AppealDoc | null> {
    return Appeal.findOne({ submittedById, idempotencyKey: key }).lean<AppealDoc>();
  }

  return {
    async file(input: NewAppeal): Promise<Filed> {
      // A retry (the same account, key and body) gets the first appeal; the same key with another
      // body is a 409, never the first appeal passed off as this one. The suggestion is not hashed:
      // the server made it, and a retry's fresh one is dropped with the retry.
      const hash = requestHash(filingBody(input));
      // The suggestion and the reference data are looked up beside the limits (cached, so mostly
      // no query), and used only for a new appeal: a retry gets the first appeal whatever became
      // of its region or the suggestion since.
      const prepared = withSuggestion(input).then(async (full) => ({ full, ref: await reference(full) }));
      prepared.catch(() => {});
      const filingLimits = input.limits ?? limits.account(input.channel === 'miniprogram' ? 'resident' : 'staff', input.submittedById);
      let number: string | null = null;
      // Inserted first, without looking the key up (one command less a filing, issue 16): the
      // unique (account, key) index catches a retry, which then gets the first appeal, and the
      // filing limits and the ticket number it took are given back (createOnce's insertFirst).
      const { doc, created } = await createOnce<AppealDoc>({
        findFirst: () => findFirst(input.submittedById, input.idempotencyKey),
        afterLookup: opts.beforeInsert,
        admit: () => limits.admitFiling(filingLimits, input.write),
        insert: async () => {
          const p = await prepared;
          const submittedAt = ctx.now();
          await requirePhotos(ctx, p.full.photoIds, p.full.photoOwnerId, 'body.photoIds');
          number = await nextTicketNumber(ctx.conn, ctx.config.countyPrefix, submittedAt);
          return insertNew(p.full, hash, p.ref, { submittedAt, number });
        },
        hash,
        hashOf: (a) => a.requestHash,
        insertFirst: {
          // A retry refused by a filing limit, or whose region or category was retired since its first
          // filing (400), is answered by its first appeal.
          spares: (err) => isFilingRefusal(err) || (err instanceof AppError && err.status === 400),
          giveBack: async () => {
            if (number) giveBackTicketNumber(ctx.conn, number);
            try {
              await limits.giveBackFiling(filingLimits);
            } catch (err) {
              // The retry is answered all the same: it spent one filing of its window.
              ctx.logger.warn({ err }, 'giving back a retried filing to its limits failed');
            }
          },
        },
      });
      return { appeal: doc, created };
    },
  };

  async function insertNew(
    input: NewAppeal,
    hash: string,
    { r, c, unit, bySuggestion }: Awaited<ReturnType<typeof reference>>,
    { submittedAt, number }: { submittedAt: Date; number: string },
  ): Promise<AppealDoc> {
    const deadlines = deadlinesFrom(submittedAt, c?.deadlines);

    const timeline: TimelineEvent[] = [event(submittedAt, 'submit', input.submitter, null, 'submitted')];
    let state: AppealState = 'submitted';
    let assignedAt: Date | null = null;
    if (unit) {
      // 直派: accepted and assigned by rule in the same write that files it; by a sure suggestion, the timeline says so and how sure.
      assignedAt = ctx.now();
      const sure = bySuggestion ? `（置信度 ${Math.round(input.suggestion!.score * 100)}%）` : '';
      timeline.push(event(assignedAt, 'accept', SYSTEM, 'submitted', 'accepted', bySuggestion ? `按智能分类「${c!.name}」自动受理${sure}` : '按派单目录自动受理'));
      timeline.push(event(assignedAt, 'assign', SYSTEM, 'accepted', 'assigned', `${bySuggestion ? '按智能分类' : '按派单目录'}直派至${unit.name}${sure}`));
      state = 'assigned';
    }

    const doc: Omit<AppealDoc, '_id' | 'createdAt' | 'updatedAt'> & { _id: Types.ObjectId } = {
      _id: input.id ?? new Types.ObjectId(),
      number,
      kind: input.kind,
      state,
      channel: input.channel,
      categoryId: c?._id ?? null,
      categoryName: c?.name ?? null,
      // Kept whether or not it became the category: (!c || bySuggestion) leaves out only a hint beside a category the filer chose.
      suggestion:
        input.suggestion && (!c || bySuggestion)
          ? { categoryId: new Types.ObjectId(input.suggestion.categoryId), categoryName: input.suggestion.categoryName, score: input.suggestion.score, ...(bySuggestion ? { chosen: true } : {}) }
          : null,
      regionId: r._id,
      regionPath: r.path,
      ...scopePathsOf(r.path),
      regionName: r.pathNames.slice(1).join(' / ') || r.name,
      departmentId: unit?._id ?? null,
      departmentName: unit?.name ?? null,
      description: input.description,
      place: input.place,
      location: locationOf(input),
      photoIds: input.photoIds,
      isPublic: input.isPublic,
      isAnonymous: input.isAnonymous,
      submittedById: input.submittedById,
      reporterId: input.reporterId,
      reporterName: input.reporterName,
      reporterPhone: input.reporterPhone,
      reporterEmail: input.reporterEmail ?? null,
      roomId: input.roomId ?? null,
      reporterContactId: input.reporterContactId ?? null,
      idempotencyKey: input.idempotencyKey,
      requestHash: hash,
      followerIds: [],
      followersCount: 0,
      submittedAt,
      day: chinaDay(submittedAt),
      ...deadlines,
      dueAt: dueAtFor(state, deadlines),
      overdue: false,
      overdueCount: 0,
      acceptedAt: assignedAt,
      assignedAt,
      firstContactAt: null,
      repliedAt: null,
      closedAt: null,
      dispatchMs: assignedAt ? assignedAt.getTime() - submittedAt.getTime() : null,
      directDispatch: !!unit,
      dispatchReviewed: false,
      answer: null,
      rating: null,
      duplicateOfId: null,
      duplicateOfNumber: null,
      lastRemindDay: null,
      timeline,
      eventCount: timeline.length,
      // Nothing to send (no direct dispatch): stored relayed, so no relay runs (notify.ts).
      notifiedCount: mayNotify(timeline) ? 0 : timeline.length,
      notifyPending: mayNotify(timeline),
    };
    // Something to send: written held before the appeal, which is then stored relayed (no second
    // write of it); when that fails, stored pending for the relay, as before.
    const held = doc.notifyPending && opts.relay ? await holdMessages(doc as AppealDoc, input.within) : null;
    if (held) Object.assign(doc, { notifiedCount: timeline.length, notifyPending: false });
    let stored: AppealDoc;
    try {
      // A retry, or two copies of one racing: the unique (account, key) index lets one in (createOnce).
      stored = (await Appeal.create(doc)).toObject() as AppealDoc;
    } catch (err) {
      await held?.drop();
      throw err;
    }
    await held?.release();
    return stored;
  }

  async function holdMessages(doc: AppealDoc, within: object | undefined): Promise<HeldMessages | null> {
    try {
      return await opts.relay!.hold(doc, within);
    } catch (err) {
      ctx.logger.warn({ err: { name: (err as Error)?.name }, appealId: String(doc._id) }, 'holding a filing\'s notifications failed; the appeal is stored for the relay');
      return null;
    }
  }
}

const locationOf = (input: NewAppeal): AppealLocation | null =>
  input.location ? { lat: input.location.lat, lng: input.location.lng, name: input.location.name ?? null, address: input.location.address ?? null } : null;

/** What a filing asks for, for telling a retry from another body under the same key. */
function filingBody(input: NewAppeal) {
  return {
    channel: input.channel,
    kind: input.kind,
    categoryId: input.categoryId,
    description: input.description,
    photoIds: input.photoIds,
    regionId: input.regionId,
    place: input.place,
    // Only when there is one: filings without a point hash as they did before points existed.
    ...(input.location ? { location: locationOf(input) } : {}),
    isPublic: input.isPublic,
    isAnonymous: input.isAnonymous,
    reporterId: input.reporterId ? String(input.reporterId) : null,
    reporterName: input.reporterName,
    reporterPhone: input.reporterPhone,
    // Only when there is one: filings without an e-mail hash as they did before it was kept.
    ...(input.reporterEmail ? { reporterEmail: input.reporterEmail } : {}),
    roomId: input.roomId ?? null,
    reporterContactId: input.reporterContactId ?? null,
  };
}
