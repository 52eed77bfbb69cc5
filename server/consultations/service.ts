/**
 * Consultations (议事): community staff put a question to their community (a township's
 * dispatcher to the township), opened at once; one for the whole county waits for a reviewer.
 * Residents whose community is in scope vote in the mini-program, group members in every bound
 * room in scope (ballots.ts: one vote per person). Results are public: counts and turnout, never
 * who voted what. The closer (closer.ts) closes each at its time with an exact recount; staff
 * publish the decision as a notice.
 */
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { AppError, badRequest, forbidden, invalidState, notFound } from '../core/errors';
import { createOnce, requestHash } from '../core/create-once';
import { staleVersion, versionFilter } from '../core/versions';
import { regionLookup, type RegionDoc } from '../regions';
import { countResidentsHomedIn, coversRegion, rolePaths, userService, type UserDoc } from '../users';
import { boundRooms } from '../bindings';
import { photoService } from '../photos';
import { noticeService } from '../notices';
import { auditService } from '../audit';
import { appearance } from '../people';
import { freshReadByKey } from '../core/cache/fresh-read';
import { isStaff } from '../../common/roles';
import { ballots, countKey, type Voter } from './ballots';
import { consultationFanOut } from './fan-out';
import { consultationModels, type ConsultationDoc, type ConsultationState } from './model';
import {
  CONSULTATION_STATE_LABELS,
  MAX_OPEN_DAYS,
  type BotVoteBatchBody,
  type BotVoteBatchResult,
  type BotVoteBody,
  type BotVoteReceipt,
  type ConsultationDetail,
  type ConsultationPage,
  type ConsultationSummary,
  type CreateConsultationBody,
  type ListConsultationsQuery,
} from './schemas';

/** Reviewers approve county-wide consultations (the admin passes every role check). */
const REVIEWERS = ['reviewer'] as const;
const isReviewer = (u: Pick<AuthUser, 'roles'>) => u.roles.includes('admin') || u.roles.includes('reviewer');
/** Who may see pending and rejected ones: their writer and the reviewers. */
const mayManage = (u: AuthUser, c: ConsultationDoc) => isReviewer(u) || String(c.createdById) === u.id;

/** `/a/b/c/` → `/a/`, `/a/b/`, `/a/b/c/`: a room's community and every region above it. */
function ancestorPaths(path: string): string[] {
  const ids = path.split('/').filter(Boolean);
  return ids.map((_, i) => `/${ids.slice(0, i + 1).join('/')}/`);
}

const encodeCursor = (id: Types.ObjectId) => Buffer.from(String(id)).toString('base64url');
function decodeCursor(s: string): Types.ObjectId {
  const id = Buffer.from(s, 'base64url').toString('utf8');
  if (!/^[a-f0-9]{24}$/.test(id)) throw badRequest('分页标记无效，请从第一页重新加载', [{ path: 'query.cursor', message: '无效' }]);
  return new Types.ObjectId(id);
}

/** A group vote without a number this soon after a consultation of the room closed is told that it closed. */
const RECENTLY_CLOSED_MS = 24 * 60 * 60 * 1000;

export const closedError = (c: Pick<ConsultationDoc, 'title'>) => new AppError(409, 'INVALID_STATE', `议事「${c.title}」的投票已结束`);

export function toSummary(c: ConsultationDoc): ConsultationSummary {
  return {
    id: String(c._id),
    number: c.number,
    title: c.title,
    regionName: c.regionName,
    state: c.state,
    stateLabel: CONSULTATION_STATE_LABELS[c.state],
    closesAt: c.closesAt.toISOString(),
    voters: c.voters,
  };
}

/** What one batch of group votes reads once: rooms by id, open consultations by a room's region path, linked accounts by contact. */
interface VoteBatch {
  rooms: Map<string, Promise<Awaited<ReturnType<ReturnType<typeof boundRooms>['byRoomId']>>>>;
  open: Map<string, Promise<ConsultationDoc[]>>;
  linked: Map<string, UserDoc>;
}

/** The value under `key`, made by `make` the first time it is asked. */
function once<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) map.set(key, (p = make()));
  return p;
}

export function consultationService(ctx: AppContext) {
  const { Consultation, ConsultationCounter } = consultationModels(ctx.conn);
  const regions = regionLookup(ctx);
  const rooms = boundRooms(ctx);
  const users = userService(ctx);
  const box = ballots(ctx);
  const fanOut = consultationFanOut(ctx);
  const audit = auditService(ctx);

  // A consultation's page is read by a whole community at once while it votes: concurrent reads of
  // one consultation share one database read, never one that started before the caller arrived
  // (so a vote that finished before a read is in it, in any process).
  const readFresh = freshReadByKey((id) => Consultation.findById(id).lean<ConsultationDoc>().exec());
  async function load(id: string): Promise<ConsultationDoc> {
    const c = await readFresh(id);
    if (!c) throw notFound('议事');
    return c;
  }

  /** Visible to everyone once open; before (pending, rejected) only to its writer and the reviewers; others: 404. */
  async function visible(user: AuthUser | null, id: string): Promise<ConsultationDoc> {
    const c = await load(id);
    if (c.state === 'open' || c.state === 'closed') return c;
    if (user && mayManage(user, c)) return c;
    throw notFound('议事');
  }

  /** Whether this writer may put a question to that region: community staff their communities, dispatchers their townships. */
  function mayOpenIn(user: AuthUser, r: RegionDoc): boolean {
    if (user.roles.includes('admin')) return true;
    if (r.level === 'community') return coversRegion(user, r.path, ['community_staff']);
    if (r.level === 'township') return rolePaths(user, 'dispatcher').includes(r.path);
    // The whole county: the county's dispatchers ask, a reviewer approves.
    if (r.level === 'county') return rolePaths(user, 'dispatcher').includes(r.path) || user.roles.includes('reviewer');
    return false;
  }

  /** The role a writer opens a consultation of that region in (what the public reads instead of their name). */
  function roleOpening(user: AuthUser, r: RegionDoc): ConsultationDoc['createdByRole'] {
    if (r.level === 'community' && coversRegion(user, r.path, ['community_staff'])) return 'community_staff';
    if (rolePaths(user, 'dispatcher').includes(r.path)) return 'dispatcher';
    if (user.roles.includes('reviewer')) return 'reviewer';
    return 'admin';
  }

  async function nextNumber(): Promise<number> {
    const c = await ConsultationCounter.findOneAndUpdate({ _id: 'consultation' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }).lean<{ seq: number }>();
    return c!.seq;
  }

  /** The residents whose community lies in the region (turnout's denominator). */
  async function eligibleIn(r: RegionDoc): Promise<number> {
    const communities = (await regions.all(['community'])).filter((x) => x.path.startsWith(r.path));
    return countResidentsHomedIn(ctx, communities.map((x) => x._id));
  }

  /** Opens it (pending → open or a new one): counts the eligible, then posts it to the rooms in scope. */
  async function afterOpen(c: ConsultationDoc): Promise<void> {
    if (c.state === 'open') await fanOut.run(c);
  }

  /** The voter the caller is in the mini-program: the account and its linked contact. */
  async function accountVoter(user: AuthUser): Promise<Voter> {
    const u = await users.find(user.id);
    return { userId: user.id, contactId: u?.wechatContactId ?? null };
  }

  /** The resident's community path, or null (not a resident, no community set). */
  async function homePath(user: AuthUser): Promise<string | null> {
    if (!user.roles.includes('resident') || !user.regionId) return null;
    return regions.pathOf(user.regionId);
  }

  function checkChoices(c: ConsultationDoc, choices: number[], path: string): number[] {
    const unique = [...new Set(choices)].sort((a, b) => a - b);
    const max = c.options.length;
    const wrong = unique.find((n) => n < 1 || n > max);
    if (wrong !== undefined) throw badRequest(`没有第${wrong}项，请在1到${max}中选择`, [{ path, message: `选项应为1到${max}` }]);
    if (unique.length > c.maxChoices) throw badRequest(c.maxChoices === 1 ? '本次议事只能选择一项' : `本次议事最多选择${c.maxChoices}项`, [{ path, message: `最多${c.maxChoices}项` }]);
    return unique;
  }

  function checkOpen(c: ConsultationDoc): void {
    if (c.state !== 'open' || c.closesAt.getTime() <= ctx.now().getTime()) throw closedError(c);
  }

  async function detail(c: ConsultationDoc, user: AuthUser | null): Promise<ConsultationDetail> {
    const total = c.voters;
    let myChoices: number[] | null = null;
    let mayVote = false;
    if (user && user.roles.includes('resident') && (c.state === 'open' || c.state === 'closed')) {
      myChoices = await box.mine(c, await accountVoter(user));
      const home = await homePath(user);
      mayVote = c.state === 'open' && c.closesAt.getTime() > ctx.now().getTime() && !!home && home.startsWith(c.regionPath);
    }
    return {
      ...toSummary(c),
      description: c.description,
      photoIds: c.photoIds,
      maxChoices: c.maxChoices,
      options: c.options.map((o) => {
        const votes = Math.max(0, c.counts[countKey(o.no)] ?? 0);
        return { no: o.no, text: o.text, votes, share: total > 0 ? Math.round((votes / total) * 1000) / 1000 : 0 };
      }),
      eligible: c.eligible,
      turnout: c.eligible > 0 ? Math.round((total / c.eligible) * 1000) / 1000 : null,
      final: c.state === 'closed',
      myChoices,
      mayVote,
      // Staff by name to staff, by role to everyone else (the one rule, people/privacy.ts).
      createdByName: appearance({ name: c.createdByName, kind: 'staff', role: c.createdByRole ?? 'community_staff', self: !!user && user.id === String(c.createdById) }, { staff: !!user && isStaff(user.roles), personal: false, anonymous: false }),
      rejectReason: c.rejectReason,
      decisionNoticeId: c.decisionNoticeId ? String(c.decisionNoticeId) : null,
      version: c.version,
    };
  }

  /** One conditional move on the version it was made on; a stale version is a 409 STALE_VERSION. */
  async function move(c: ConsultationDoc, from: ConsultationState[], version: number, set: Record<string, unknown>): Promise<ConsultationDoc> {
    if ((c.version ?? 0) !== version) throw staleVersion(c.version);
    if (!from.includes(c.state)) throw invalidState(`议事当前状态为「${CONSULTATION_STATE_LABELS[c.state]}」，不能执行此操作`);
    const updated = await Consultation.findOneAndUpdate({ _id: c._id, version: versionFilter(version), state: { $in: from } }, { $set: set, $inc: { version: 1 } }, { returnDocument: 'after' }).lean<ConsultationDoc>();
    if (!updated) throw staleVersion((await load(String(c._id))).version);
    return updated;
  }

  /**
   * A group member's vote, said in a bound room: the open consultation that asks the room's
   * community (the one numbered, when several are open). The member is their account when their
   * contact is linked (a linked resident of another community may not vote); otherwise the
   * contact votes for the room's community.
   */
  async function botVote(batch: VoteBatch, v: BotVoteBody): Promise<BotVoteReceipt> {
    const room = await once(batch.rooms, v.roomId, async () => rooms.byRoomId(v.roomId));
    if (!room) throw notFound('已绑定的群聊');
    const open = await once(batch.open, room.regionPath, () => Consultation.find({ state: 'open', regionPath: { $in: ancestorPaths(room.regionPath) } }).sort({ _id: -1 }).lean<ConsultationDoc[]>().exec());
    let c: ConsultationDoc | undefined;
    if (v.number !== undefined) {
      c = open.find((x) => x.number === v.number);
      if (!c) {
        const closed = await Consultation.findOne({ number: v.number, state: 'closed', regionPath: { $in: ancestorPaths(room.regionPath) } }).lean<ConsultationDoc>();
        if (closed) throw closedError(closed);
        throw notFound(`第${v.number}号议事`);
      }
    } else {
      if (open.length === 0) {
        // A vote just after the closing time: say that one has ended, not that there is none.
        const since = new Date(ctx.now().getTime() - RECENTLY_CLOSED_MS);
        const ended = await Consultation.findOne({ state: { $in: ['open', 'closed'] }, regionPath: { $in: ancestorPaths(room.regionPath) }, closesAt: { $gte: since, $lte: ctx.now() } }).sort({ closesAt: -1, _id: -1 }).lean<ConsultationDoc>();
        if (ended) throw closedError(ended);
        throw notFound('本群进行中的议事');
      }
      if (open.length > 1) throw badRequest(`本群有${open.length}项议事正在投票，请写上编号，例如：投票 #${open[0].number} 1`, [{ path: 'body.number', message: '有多项议事' }]);
      c = open[0];
    }
    checkOpen(c);
    const linked = batch.linked.get(v.contactId) ?? null;
    if (linked?.homeRegionId) {
      const home = await regions.pathOf(linked.homeRegionId);
      if (home && !home.startsWith(c.regionPath)) throw forbidden(`本次议事仅限「${c.regionName}」的居民参与`);
    }
    const picked = checkChoices(c, v.choices, 'body.choices');
    const { changed } = await box.cast(c, { userId: linked ? String(linked._id) : null, contactId: v.contactId }, picked, 'group_chat');
    return { number: c.number, title: c.title, changed };
  }

  return {
    load,
    detail,

    async create(user: AuthUser, body: CreateConsultationBody): Promise<{ consultation: ConsultationDoc; created: boolean }> {
      const createdById = new Types.ObjectId(user.id);
      const { idempotencyKey, ...content } = body;
      const hash = requestHash(content);
      const { doc, created } = await createOnce<ConsultationDoc>({
        findFirst: () => Consultation.findOne({ createdById, idempotencyKey }).lean<ConsultationDoc>(),
        hash,
        hashOf: (c) => c.requestHash,
        insert: async () => {
          const r = await regions.byId(body.regionId);
          if (!r || r.level === 'grid') throw badRequest('议事范围只能是社区、乡镇或全县', [{ path: 'body.regionId', message: r ? '不能选择网格' : '区域不存在' }]);
          if (!mayOpenIn(user, r)) throw forbidden(`不能在「${r.name}」发起议事：社区工作人员在本社区，乡镇调度员在本乡镇`);
          const closesAt = new Date(body.closesAt);
          const now = ctx.now();
          if (closesAt.getTime() <= now.getTime() + 60 * 60 * 1000) throw badRequest('截止时间至少在一小时之后', [{ path: 'body.closesAt', message: '太早' }]);
          if (closesAt.getTime() > now.getTime() + MAX_OPEN_DAYS * 24 * 60 * 60 * 1000) throw badRequest(`投票最长${MAX_OPEN_DAYS}天`, [{ path: 'body.closesAt', message: '太晚' }]);
          if (body.photoIds.length) await photoService(ctx).requireOwned([...body.photoIds], user.id, 'body.photoIds');
          const open = r.level !== 'county';
          const c = await Consultation.create({
            number: await nextNumber(),
            title: body.title,
            description: body.description,
            photoIds: body.photoIds,
            options: body.options.map((text, i) => ({ no: i + 1, text })),
            maxChoices: body.maxChoices,
            regionId: r._id,
            regionPath: r.path,
            regionName: r.name,
            regionLevel: r.level,
            state: open ? 'open' : 'pending',
            closesAt,
            openedAt: open ? now : null,
            counts: Object.fromEntries(body.options.map((_, i) => [countKey(i + 1), 0])),
            voters: 0,
            eligible: await eligibleIn(r),
            ballotSalt: randomBytes(16).toString('base64url'),
            createdById,
            createdByName: user.name,
            createdByRole: roleOpening(user, r),
            idempotencyKey,
            requestHash: hash,
            version: 0,
          });
          return c.toObject() as ConsultationDoc;
        },
      });
      if (created) {
        await audit.record(user.id, 'consultation.create', 'consultation', String(doc._id));
        await afterOpen(doc);
      }
      return { consultation: doc, created };
    },

    async approve(user: AuthUser, id: string, version: number): Promise<ConsultationDoc> {
      const c = await load(id);
      if (!isReviewer(user)) throw forbidden('只有审核人员可以批准全县议事');
      const now = ctx.now();
      if (c.closesAt.getTime() <= now.getTime()) throw invalidState('截止时间已过，请重新发起');
      const r = await regions.byId(c.regionId);
      const updated = await move(c, ['pending'], version, { state: 'open', openedAt: now, reviewedById: new Types.ObjectId(user.id), reviewedByName: user.name, eligible: r ? await eligibleIn(r) : c.eligible });
      await audit.record(user.id, 'consultation.approve', 'consultation', id);
      await afterOpen(updated);
      return updated;
    },

    async reject(user: AuthUser, id: string, reason: string, version: number): Promise<ConsultationDoc> {
      const c = await load(id);
      if (!isReviewer(user)) throw forbidden('只有审核人员可以驳回全县议事');
      const updated = await move(c, ['pending'], version, { state: 'rejected', rejectReason: reason, reviewedById: new Types.ObjectId(user.id), reviewedByName: user.name });
      await audit.record(user.id, 'consultation.reject', 'consultation', id);
      return updated;
    },

    /** Closes it now (its writer or a reviewer): the recount is the final result. */
    async close(user: AuthUser, id: string, version: number): Promise<ConsultationDoc> {
      const c = await load(id);
      if (!mayManage(user, c)) throw forbidden('只有发起人或审核人员可以提前结束议事');
      const closing = await move(c, ['open'], version, { state: 'closed', closedAt: ctx.now(), closesAt: ctx.now() });
      await audit.record(user.id, 'consultation.close', 'consultation', id);
      return this.finish(closing);
    },

    /** Writes the recount of a closed consultation as its result. */
    async finish(c: ConsultationDoc): Promise<ConsultationDoc> {
      const { counts, voters } = await box.recount(c);
      return (await Consultation.findOneAndUpdate({ _id: c._id, state: 'closed' }, { $set: { counts, voters }, $inc: { version: 1 } }, { returnDocument: 'after' }).lean<ConsultationDoc>()) ?? c;
    },

    /** Publishes the decision as a notice to the consultation's region and links it. */
    async decide(user: AuthUser, id: string, text: string, version: number): Promise<ConsultationDoc> {
      const c = await load(id);
      if (c.state !== 'closed') throw invalidState('议事结束后才能公布决定');
      if (c.decisionNoticeId) throw invalidState('决定已公布');
      if ((c.version ?? 0) !== version) throw staleVersion(c.version);
      const notices = noticeService(ctx);
      const body = `${text}\n（议事第${c.number}号「${c.title}」：${c.voters}人参与投票）`;
      // The key ties the notice to this consultation: a retried decision publishes one notice.
      const { notice } = await notices.create(
        user,
        { title: [...`议事结果：${c.title}`].slice(0, 40).join(''), body: [...body].slice(0, 1500).join(''), level: 'normal', regionIds: c.regionLevel === 'county' ? [] : [String(c.regionId)], idempotencyKey: `consultation-decision-${c._id}` },
        { link: { kind: 'consultation', id: String(c._id) } },
      );
      if (notice.state === 'draft') await notices.publish(user, notice.id);
      return move(c, ['closed'], version, { decisionNoticeId: new Types.ObjectId(notice.id) });
    },

    async list(user: AuthUser | null, q: ListConsultationsQuery): Promise<ConsultationPage> {
      const filter: Record<string, unknown> = { state: q.state };
      if (q.state === 'pending') {
        if (!user) throw forbidden('请先登录');
        if (!isReviewer(user)) filter.createdById = new Types.ObjectId(user.id);
      } else if (user?.roles.includes('resident') && user.regionId) {
        // A resident sees the ones that ask their community (and the township's, the county's).
        const home = await homePath(user);
        if (home) filter.regionPath = { $in: ancestorPaths(home) };
      }
      if (q.cursor) filter._id = { $lt: decodeCursor(q.cursor) };
      const docs = await Consultation.find(filter).sort({ _id: -1 }).limit(q.limit + 1).lean<ConsultationDoc[]>();
      const more = docs.length > q.limit;
      const items = docs.slice(0, q.limit);
      return { items: items.map(toSummary), nextCursor: more ? encodeCursor(items[items.length - 1]._id) : null };
    },

    async get(user: AuthUser | null, id: string): Promise<ConsultationDetail> {
      return detail(await visible(user, id), user);
    },

    /** A resident's vote in the mini-program. */
    async vote(user: AuthUser, id: string, choices: number[]): Promise<{ choices: number[]; changed: boolean }> {
      const c = await visible(user, id);
      if (!user.roles.includes('resident')) throw forbidden('请使用居民账号投票');
      checkOpen(c);
      const home = await homePath(user);
      if (!home) throw forbidden('请先在「我的」中设置所在社区');
      if (!home.startsWith(c.regionPath)) throw forbidden(`本次议事仅限「${c.regionName}」的居民参与`);
      const picked = checkChoices(c, choices, 'body.choices');
      const { changed } = await box.cast(c, await accountVoter(user), picked, 'miniprogram');
      return { choices: picked, changed };
    },

    /**
     * A room's votes gathered by the bot, one after another (two votes of one member keep their
     * order: the later one stands), each answered on its own: counted, or why not. What the votes
     * share is read once for the batch: the room, its open consultations, the linked accounts.
     */
    async botVotes(votes: BotVoteBatchBody['votes']): Promise<BotVoteBatchResult> {
      const batch: VoteBatch = { rooms: new Map(), open: new Map(), linked: await users.contactUsers(votes.map((v) => v.contactId)) };
      const results: BotVoteBatchResult['results'] = [];
      for (const { messageId, ...vote } of votes) {
        try {
          results.push({ messageId, receipt: await botVote(batch, vote), error: null });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          results.push({ messageId, receipt: null, error: { status: err.status, code: err.code, message: err.message } });
        }
      }
      return { results };
    },

    /**
     * A consultation as a subject of comments (the news feature's moderation): its title, and
     * whether the discussion takes new comments (while voting is open). Null when it is not
     * public (pending, rejected, none).
     */
    async commentSubject(id: string): Promise<{ title: string; open: boolean } | null> {
      const c = await Consultation.findById(id, { title: 1, state: 1, closesAt: 1 }).lean<Pick<ConsultationDoc, '_id' | 'title' | 'state' | 'closesAt'>>();
      if (!c || (c.state !== 'open' && c.state !== 'closed')) return null;
      return { title: `议事：${c.title}`, open: c.state === 'open' && c.closesAt.getTime() > ctx.now().getTime() };
    },

    /** A contact was linked to an account: a person who voted both ways counts once (the later vote). */
    async contactLinked(userId: string, contactId: string): Promise<number> {
      const open = await Consultation.find({ state: 'open' }).lean<ConsultationDoc[]>();
      return box.mergeLinked(open, userId, contactId);
    },
  };
}
export type ConsultationService = ReturnType<typeof consultationService>;
export { REVIEWERS };
