/**
 * The moves of the state machine and the other timeline events (催办, 同问, 复核), each checked
 * against who the caller is to this appeal and made with one conditional single-document update:
 * the condition is the state the move starts from, so of two people pressing 受理 at once one
 * wins and the other gets 409 naming the state it is in now.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { badRequest, forbidden, invalidState, notFound, rateLimited } from '../core/errors';
import { chinaDay } from '../../common/china-time';
import { categoryService, type CategoryDoc } from '../categories';
import { departmentService, type DepartmentDoc } from '../departments';
import { appealModels, type AppealDoc } from './model';
import type { MoveBodies } from './schemas';
import { assertMove, MOVES, OPEN_STATES, STATE_LABELS, type Move } from './state-machine';
import { canRead, standingOf, type Standing } from './scope';
import { actingRole, actorOf, appendEvents, event, factsOfMove, SYSTEM, type Actor } from './events';
import { deadlinesFrom, dueAtFor, RATING_WINDOW_MS, resolveAgainFrom } from './deadlines';
import { requirePhotos } from './photos';
import { appealFollows } from './follows';
import type { Filter } from './scope';

type Who = 'dispatcher' | 'handler' | 'reporter';
const REFUSALS: Record<Who, string> = {
  dispatcher: '只有负责该区域的调度员可以',
  handler: '只有承办部门可以',
  reporter: '只有反映人可以',
};

export interface MoveOptions {
  /**
   * Called after a move has read the appeal and before it writes. Tests hold two moves here until
   * both have read, which makes the race of two presses certain instead of likely.
   */
  afterRead?: () => Promise<void>;
}

export function appealMoves(ctx: AppContext, onChange: (appealId: Types.ObjectId) => void, opts: MoveOptions = {}) {
  const { Appeal } = appealModels(ctx.conn);
  const categories = categoryService(ctx);
  const departments = departmentService(ctx);
  const follows = appealFollows(ctx);

  /** The appeal as the caller may see it; 404 when they may not (no hint that it exists). */
  async function load(user: AuthUser, id: string): Promise<{ a: AppealDoc; s: Standing }> {
    const a = await Appeal.findById(id).lean<AppealDoc>();
    await opts.afterRead?.();
    if (!a) throw notFound('诉求');
    const s = standingOf(user, a);
    if (!canRead(s, a.isPublic)) throw notFound('诉求');
    return { a, s };
  }

  function require(s: Standing, who: Who, move: string): void {
    const ok = who === 'reporter' ? s.reporter : s.admin || (who === 'dispatcher' ? s.dispatcher : s.handler);
    if (!ok) throw forbidden(`${REFUSALS[who]}${move}`);
  }

  async function department(id: string): Promise<DepartmentDoc> {
    const d = await departments.activeById(id);
    if (!d) throw badRequest('承办部门不存在或已停用', [{ path: 'body.departmentId', message: '不存在或已停用' }]);
    return d;
  }

  async function category(id: string): Promise<CategoryDoc> {
    const c = await categories.activeById(id);
    if (!c) throw badRequest('诉求分类不存在或已停用', [{ path: 'body.categoryId', message: '不存在或已停用' }]);
    return c;
  }

  /** A new category re-dates the deadlines from submission (the dispatcher corrected it). */
  async function recategorise(a: AppealDoc, categoryId: string | undefined): Promise<Partial<AppealDoc>> {
    if (!categoryId) return {};
    const c = await category(categoryId);
    return { categoryId: c._id, categoryName: c.name, ...deadlinesFrom(a.submittedAt, c.deadlines) };
  }

  /**
   * Make `move` on `a`: the state table's check, then the update conditioned on the state (and
   * `cond`), which appends the event and sets the deadline of the step it lands in.
   */
  async function commit(a: AppealDoc, move: Move, actor: Actor, set: Partial<AppealDoc>, note: string | null, cond: Filter = {}): Promise<AppealDoc> {
    const to = assertMove(move, a.state);
    const now = ctx.now();
    const next = { ...a, ...set, state: to };
    const dueAt = dueAtFor(to, next);
    const sameDue = (dueAt?.getTime() ?? null) === (a.dueAt?.getTime() ?? null);
    const updated = await Appeal.findOneAndUpdate(
      { _id: a._id, state: a.state, ...cond },
      { $set: { ...set, state: to, dueAt, overdue: sameDue ? a.overdue : false, notifyPending: true }, ...appendEvents([event(now, move, actor, a.state, to, note, factsOfMove(a, set))]) },
      { returnDocument: 'after' },
    ).lean<AppealDoc>();
    if (updated) {
      onChange(updated._id);
      return updated;
    }
    // Someone else moved it first: say where it is now (409), or that it changed under us.
    const current = await Appeal.findById(a._id, { state: 1 }).lean<AppealDoc>();
    if (!current) throw notFound('诉求');
    assertMove(move, current.state);
    throw invalidState(`诉求刚刚被其他人更新（当前状态「${STATE_LABELS[current.state]}」），请刷新后重试`);
  }

  const label = (m: Move) => MOVES[m].label;

  const moves = {
    async accept(user: AuthUser, id: string, b: MoveBodies['accept']) {
      const { a, s } = await load(user, id);
      require(s, 'dispatcher', label('accept'));
      assertMove('accept', a.state);
      return commit(a, 'accept', actorOf(user, actingRole(user, 'dispatcher')), { acceptedAt: ctx.now(), ...(await recategorise(a, b.categoryId)) }, b.note ?? null);
    },
    /** `seen`: the appeal's event count the caller decided on (another feature's move); a 409 when it has moved on since. */
    async reject(user: AuthUser, id: string, b: MoveBodies['reject'], seen?: { eventCount: number }) {
      const { a, s } = await load(user, id);
      require(s, 'dispatcher', label('reject'));
      return commit(a, 'reject', actorOf(user, actingRole(user, 'dispatcher')), { closedAt: ctx.now() }, b.reason, seen ? { eventCount: seen.eventCount } : {});
    },
    async merge(user: AuthUser, id: string, b: MoveBodies['merge']) {
      const { a, s } = await load(user, id);
      require(s, 'dispatcher', label('merge'));
      assertMove('merge', a.state);
      if (b.intoId === id) throw badRequest('不能合并到自身', [{ path: 'body.intoId', message: '不能是同一条诉求' }]);
      const target = await Appeal.findById(b.intoId).lean<AppealDoc>();
      if (!target || !canRead(standingOf(user, target), false)) throw badRequest('要合并到的诉求不存在', [{ path: 'body.intoId', message: '不存在' }]);
      if (['rejected', 'merged'].includes(target.state)) throw invalidState(`要合并到的诉求状态为「${STATE_LABELS[target.state]}」，不能合并`);
      const actor = actorOf(user, actingRole(user, 'dispatcher'));
      const merged = await commit(a, 'merge', actor, { duplicateOfId: target._id, duplicateOfNumber: target.number, closedAt: ctx.now() }, b.note ?? `合并至 ${target.number}`);
      await joinTarget(target._id, a, actor);
      return merged;
    },
    async assign(user: AuthUser, id: string, b: MoveBodies['assign']) {
      const { a, s } = await load(user, id);
      require(s, 'dispatcher', label('assign'));
      assertMove('assign', a.state);
      const d = await department(b.departmentId);
      const now = ctx.now();
      const first = a.assignedAt ?? now;
      return commit(
        a,
        'assign',
        actorOf(user, actingRole(user, 'dispatcher')),
        { departmentId: d._id, departmentName: d.name, assignedAt: first, dispatchMs: a.dispatchMs ?? now.getTime() - a.submittedAt.getTime(), ...(await recategorise(a, b.categoryId)) },
        b.note ?? `派至${d.name}`,
      );
    },
    async return(user: AuthUser, id: string, b: MoveBodies['return']) {
      const { a, s } = await load(user, id);
      require(s, 'handler', label('return'));
      return commit(a, 'return', actorOf(user, actingRole(user, 'department_staff')), { departmentId: null, departmentName: null }, b.reason, { departmentId: a.departmentId });
    },
    async transfer(user: AuthUser, id: string, b: MoveBodies['transfer']) {
      const { a, s } = await load(user, id);
      require(s, 'dispatcher', label('transfer'));
      assertMove('transfer', a.state);
      const d = await department(b.departmentId);
      if (String(a.departmentId) === String(d._id)) throw badRequest('已由该部门承办，请选择其他部门', [{ path: 'body.departmentId', message: '与当前承办部门相同' }]);
      return commit(a, 'transfer', actorOf(user, actingRole(user, 'dispatcher')), { departmentId: d._id, departmentName: d.name }, `改派至${d.name}：${b.reason}`, { departmentId: a.departmentId });
    },
    async start(user: AuthUser, id: string, b: MoveBodies['start']) {
      const { a, s } = await load(user, id);
      require(s, 'handler', label('start'));
      return commit(a, 'start', actorOf(user, actingRole(user, 'department_staff')), { firstContactAt: a.firstContactAt ?? ctx.now() }, b.note ?? null, { departmentId: a.departmentId });
    },
    async reply(user: AuthUser, id: string, b: MoveBodies['reply']) {
      const { a, s } = await load(user, id);
      require(s, 'handler', label('reply'));
      assertMove('reply', a.state);
      await requirePhotos(ctx, b.photoIds, user.id, 'body.photoIds');
      const now = ctx.now();
      return commit(
        a,
        'reply',
        actorOf(user, actingRole(user, 'department_staff')),
        { answer: { text: b.answer, photoIds: b.photoIds, at: now, departmentName: a.departmentName }, repliedAt: now, firstContactAt: a.firstContactAt ?? now },
        null,
        { departmentId: a.departmentId },
      );
    },
    async rate(user: AuthUser, id: string, b: MoveBodies['rate']) {
      const { a, s } = await load(user, id);
      require(s, 'reporter', label('rate'));
      const now = ctx.now();
      return commit(a, 'rate', actorOf(user, 'resident'), { rating: { resolved: b.resolved, satisfaction: b.satisfaction, comment: b.comment ?? null, at: now }, closedAt: now }, b.comment ?? null);
    },
    async reopen(user: AuthUser, id: string, b: MoveBodies['reopen']) {
      const { a, s } = await load(user, id);
      require(s, 'reporter', label('reopen'));
      assertMove('reopen', a.state);
      const now = ctx.now();
      const since = new Date(now.getTime() - RATING_WINDOW_MS);
      if (!a.repliedAt || a.repliedAt < since) throw invalidState('已超过答复后7天，不能重新办理');
      const c = a.categoryId ? await categories.byId(a.categoryId) : null;
      return commit(a, 'reopen', actorOf(user, 'resident'), { rating: null, closedAt: null, resolveBy: resolveAgainFrom(now, c?.deadlines) }, b.reason, { repliedAt: { $gte: since } });
    },

    /** 催办: the reporter or a follower, while it is open, at most once a China-time day. */
    async remind(user: AuthUser, id: string, note: string | null) {
      const { a, s } = await load(user, id);
      if (!s.own) throw forbidden('只有反映人或同问的居民可以催办');
      if (!OPEN_STATES.includes(a.state)) throw invalidState(`诉求当前状态为「${STATE_LABELS[a.state]}」，不能催办`);
      const now = ctx.now();
      const today = chinaDay(now);
      const updated = await Appeal.findOneAndUpdate(
        { _id: a._id, state: { $in: OPEN_STATES }, lastRemindDay: { $ne: today } },
        { $set: { lastRemindDay: today, notifyPending: true }, ...appendEvents([event(now, 'remind', actorOf(user, 'resident'), null, null, note)]) },
        { returnDocument: 'after' },
      ).lean<AppealDoc>();
      if (updated) {
        onChange(updated._id);
        return updated;
      }
      const current = await Appeal.findById(a._id, { state: 1 }).lean<AppealDoc>();
      if (current && !OPEN_STATES.includes(current.state)) throw invalidState(`诉求当前状态为「${STATE_LABELS[current.state]}」，不能催办`);
      throw rateLimited('今天已经催办过了，明天可以再催办', secondsToChinaMidnight(now));
    },

    /** 同问: a resident joins a public appeal instead of filing the same issue again. */
    async follow(user: AuthUser, id: string) {
      const { a, s } = await load(user, id);
      const me = new Types.ObjectId(user.id);
      // Already following (a retry): the same answer, and the follow row again in case the
      // first try stopped between the appeal's update and the row (follows.ts).
      if (a.followerIds.some((f) => f.equals(me))) {
        await follows.record(a._id, me);
        return a;
      }
      if (s.own) throw badRequest('这是您自己的诉求，无需同问');
      if (!a.isPublic || !(OPEN_STATES.includes(a.state) || a.state === 'replied')) throw invalidState(`诉求当前状态为「${STATE_LABELS[a.state]}」，不能同问`);
      const updated = await Appeal.findOneAndUpdate(
        { _id: a._id, followerIds: { $ne: me } },
        { $push: { followerIds: me, timeline: event(ctx.now(), 'follow', actorOf(user, 'resident'), null, null) }, $inc: { followersCount: 1, eventCount: 1 }, $set: { notifyPending: true } },
        { returnDocument: 'after' },
      ).lean<AppealDoc>();
      if (updated) onChange(updated._id);
      const now = updated ?? (await Appeal.findById(a._id).lean<AppealDoc>())!;
      // After the appeal's update, so the row never names a follow the appeal lacks (follows.ts);
      // also when another request of the same resident pushed it first.
      if (now?.followerIds.some((f) => f.equals(me))) await follows.record(a._id, me);
      return now;
    },

    /** A dispatcher has looked at a direct dispatch (直派复核); changing it is a transfer. */
    async review(user: AuthUser, id: string, note: string | null) {
      const { a, s } = await load(user, id);
      require(s, 'dispatcher', '复核直派');
      if (!a.directDispatch) throw invalidState('该诉求不是直派诉求，无需复核');
      const updated = await Appeal.findOneAndUpdate(
        { _id: a._id, dispatchReviewed: false },
        { $set: { dispatchReviewed: true, notifyPending: true }, ...appendEvents([event(ctx.now(), 'review', actorOf(user, actingRole(user, 'dispatcher')), null, null, note)]) },
        { returnDocument: 'after' },
      ).lean<AppealDoc>();
      if (!updated) throw invalidState('该直派诉求已复核');
      onChange(updated._id);
      return updated;
    },

    /** The server closes a replied appeal whose rating window has ended. */
    async closeExpired(a: AppealDoc): Promise<AppealDoc | null> {
      const now = ctx.now();
      if (a.state !== 'replied' || !a.dueAt || a.dueAt > now) return null;
      return commit(a, 'close', SYSTEM, { closedAt: now }, '答复后7天未评价，自动办结', { dueAt: a.dueAt }).catch(() => null);
    },
  };

  /** The merged appeal's reporter follows the one it was merged into, which records the merge. */
  async function joinTarget(targetId: Types.ObjectId, merged: AppealDoc, actor: Actor): Promise<void> {
    const ev = event(ctx.now(), 'merged_in', actor, null, null, `合并 ${merged.number}`);
    const reporter = merged.reporterId;
    const joined =
      reporter &&
      (await Appeal.findOneAndUpdate(
        { _id: targetId, followerIds: { $ne: reporter }, reporterId: { $ne: reporter } },
        { $push: { followerIds: reporter, timeline: ev }, $inc: { followersCount: 1, eventCount: 1 }, $set: { notifyPending: true } },
      ));
    // The merged reporter's follow row, after the appeal holds the follow (follows.ts).
    if (joined) await follows.record(targetId, reporter);
    if (!joined) await Appeal.updateOne({ _id: targetId }, { $push: { timeline: ev }, $inc: { eventCount: 1 }, $set: { notifyPending: true } });
    onChange(targetId);
  }

  return moves;
}

function secondsToChinaMidnight(now: Date): number {
  const day = 24 * 3600;
  const chinaSeconds = Math.floor((now.getTime() + 8 * 3600 * 1000) / 1000);
  return day - (chinaSeconds % day);
}

export type AppealMoves = ReturnType<typeof appealMoves>;
export type StaffMove = Exclude<Move, 'close'>;
