/**
 * News tips (爆料): a resident sends one (idempotent per account and key, limited per account),
 * reads their own; the newsroom (editors, reviewers; the admin passes every role check) reads the
 * queue and moves a tip: take, decline, reply (written back to the tipster through the outbox),
 * mark used with the article, or write a draft from it in the news feature (the draft keeps
 * `tipId`). Everyone else is told a tip does not exist (404), never that it is someone else's.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { badRequest, forbidden, invalidState, notFound } from '../core/errors';
import { createOnce, requestHash } from '../core/create-once';
import { staleVersion, versionFilter } from '../core/versions';
import { photoService } from '../photos';
import { userService } from '../users';
import { articleService } from '../news';
import { auditService } from '../audit';
import { outbox, type OutboxItemInput } from '../outbox';
import { maskNamesIn, maskPrivateText } from '../people';
import { chinaLongTime } from '../../common/china-time';
import type { Role } from '../../common/roles';
import { tipModels, type TipAction, type TipDoc, type TipEvent, type TipState } from './model';
import { tipLimits } from './limits';
import { TIP_STATE_LABELS, type CreateTipBody, type ListTipsQuery, type TipPage, type TipMoveBodies } from './schemas';
import type { z } from 'zod';

/** The newsroom reads and moves tips and their photos' originals. */
export const NEWSROOM: readonly Role[] = ['editor', 'reviewer'];
export const inNewsroom = (user: Pick<AuthUser, 'roles'>) => user.roles.includes('admin') || NEWSROOM.some((r) => user.roles.includes(r));

/** Which states each move starts from, and where it leaves the tip (null: where it was). */
const MOVES: Record<Exclude<TipAction, 'submit' | 'to_appeal' | 'from_appeal'>, { from: readonly TipState[]; to: TipState | null }> = {
  take: { from: ['new'], to: 'taken' },
  decline: { from: ['new', 'taken'], to: 'declined' },
  reply: { from: ['new', 'taken', 'used', 'declined'], to: null },
  use: { from: ['new', 'taken'], to: 'used' },
  draft: { from: ['new', 'taken'], to: 'taken' },
};

const BEYOND_ANY_ID = new Types.ObjectId('ffffffffffffffffffffffff');
const encodeCursor = (id: Types.ObjectId) => Buffer.from(String(id)).toString('base64url');
function decodeCursor(s: string): Types.ObjectId {
  const id = Buffer.from(s, 'base64url').toString('utf8');
  if (!/^[a-f0-9]{24}$/.test(id)) throw badRequest('分页标记无效，请从第一页重新加载', [{ path: 'query.cursor', message: '无效' }]);
  return new Types.ObjectId(id);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const excerpt = (text: string, n: number) => {
  const chars = [...text];
  return chars.length > n ? `${chars.slice(0, n - 1).join('')}…` : text;
};
/** How a tip is named in a message to its tipster: readable, not the whole id. */
export const tipLabel = (t: Pick<TipDoc, '_id'>) => `BL-${String(t._id).slice(-6).toUpperCase()}`;

/**
 * The newsroom's reply as the chat it goes back to hears it. Said by the bot, so never a person's
 * name: everyone on the tip (the tipster, the editors who moved it) is masked where the editor's
 * text names them (张三 → 张*), and the newsroom signs as 编辑部. A group is not the tipster: there
 * phone, ID and house numbers are masked too, as in every text shown to others.
 */
export function replyChatText(t: Pick<TipDoc, '_id' | 'tipsterName' | 'takenByName' | 'history'>, e: Pick<TipEvent, 'note' | 'byName'>, inGroup: boolean): string {
  const names = [t.tipsterName, t.takenByName ?? '', e.byName, ...t.history.map((h) => h.byName)];
  const masked = maskNamesIn(e.note ?? '', names);
  const text = excerpt(inGroup ? maskPrivateText(masked) : masked, 300);
  return `您的爆料（${tipLabel(t)}）有了编辑部的回复：${text}`;
}

/**
 * Tipsters with no mini-program account of their own: WeChat contacts not linked to one (bot-routes.ts)
 * and the reporters of appeals filed for them (代报, 热线, Open311) that became tips (tip-appeal-moves.ts).
 * Such a tipster hears back only in the chat their tip came from, if it came from one.
 */
export const TIP_BOT_ACCOUNT_ID = new Types.ObjectId('b07b07b07b07b07b07b07b1b');
export const TIP_NO_ACCOUNT_ID = new Types.ObjectId('b07b07b07b07b07b07b07b1c');
export const hasAccount = (t: Pick<TipDoc, 'tipsterId'>) => !t.tipsterId.equals(TIP_BOT_ACCOUNT_ID) && !t.tipsterId.equals(TIP_NO_ACCOUNT_ID);

/**
 * A message to a tipster, the way their tip came: a tip through the bot to the chat it was said in
 * (the group, @mentioning its sender; or the private chat), any other as a subscribe message to the
 * tipster's account (one of their grants). Null when there is no one to reach (no account, no chat).
 * `key` makes it one message per event however often it is enqueued.
 */
export function tipsterMessage(t: TipDoc, key: string, chatText: (inGroup: boolean) => string, subscribe: { page: string; data: Record<string, string> }): OutboxItemInput | null {
  if (t.channel === 'bot' && t.contactId) {
    const payload = { text: chatText(!!t.roomId) };
    if (t.roomId) {
      return { dedupeKey: `tip:${t._id}:${key}:bot_room:${t.roomId}`, channel: 'bot_room', recipient: t.roomId, ref: `tip:${t._id}`, payload: { ...payload, mentionContactIds: [t.contactId] } };
    }
    return { dedupeKey: `tip:${t._id}:${key}:bot_contact`, channel: 'bot_contact', recipient: t.contactId, ref: `tip:${t._id}`, payload };
  }
  if (!hasAccount(t)) return null;
  return {
    dedupeKey: `tip:${t._id}:${key}:wechat_subscribe:${t.tipsterId}`,
    channel: 'wechat_subscribe',
    recipient: String(t.tipsterId),
    ref: `tip:${t._id}`,
    // The template residents grant for their reports' progress (the one the app asks for).
    payload: { template: 'appeal_progress', ...subscribe },
  };
}

type Moves = typeof TipMoveBodies;
export type MoveBody<A extends keyof Moves> = z.infer<Moves[A]>;

export function tipService(ctx: AppContext) {
  const { Tip } = tipModels(ctx.conn);
  const limits = tipLimits(ctx);
  const audit = auditService(ctx);

  /** The tip if this caller may see it: its tipster or the newsroom. Anyone else: 404. */
  async function visible(user: AuthUser, id: string): Promise<TipDoc> {
    const t = await Tip.findById(id).lean<TipDoc>();
    if (!t || !(inNewsroom(user) || String(t.tipsterId) === user.id)) throw notFound('爆料');
    return t;
  }

  function event(user: AuthUser, action: TipAction, from: TipState | null, to: TipState, note: string | null): TipEvent {
    const staff = inNewsroom(user);
    return {
      _id: new Types.ObjectId(),
      at: ctx.now(),
      action,
      byId: new Types.ObjectId(user.id),
      byName: user.name,
      byKind: staff && action !== 'submit' ? 'staff' : 'public',
      byRole: staff && action !== 'submit' ? (user.roles.find((r) => NEWSROOM.includes(r)) ?? 'admin') : null,
      from,
      to,
      note,
    };
  }

  /**
   * One move: one conditional write on the version it was made on and the states it may start
   * from. A stale version is a 409 STALE_VERSION; a state the move cannot start from a 409 naming it.
   */
  async function move(user: AuthUser, id: string, action: keyof typeof MOVES, version: number, apply: (t: TipDoc) => { set?: Partial<TipDoc>; note: string | null }): Promise<{ tip: TipDoc; event: TipEvent }> {
    const t = await visible(user, id);
    if (!inNewsroom(user)) throw notFound('爆料');
    if ((t.version ?? 0) !== version) throw staleVersion(t.version);
    const m = MOVES[action];
    if (!m.from.includes(t.state)) throw invalidState(`爆料当前状态为「${TIP_STATE_LABELS[t.state]}」，不能执行此操作`);
    const { set = {}, note } = apply(t);
    const to = m.to ?? t.state;
    const e = event(user, action, t.state, to, note);
    const updated = await Tip.findOneAndUpdate(
      { _id: t._id, version: versionFilter(version), state: { $in: m.from } },
      { $set: { ...set, state: to }, $inc: { version: 1 }, $push: { history: e } },
      { returnDocument: 'after' },
    ).lean<TipDoc>();
    if (!updated) {
      const now = await Tip.findById(t._id, { version: 1 }).lean<Pick<TipDoc, 'version'>>();
      throw staleVersion(now?.version);
    }
    await audit.record(user.id, `tip.${action}`, 'tip', String(t._id));
    return { tip: updated, event: e };
  }

  /** The reply goes back the way the tip came (tipsterMessage). */
  function replyMessage(t: TipDoc, e: TipEvent): OutboxItemInput | null {
    return tipsterMessage(t, String(e._id), (inGroup) => replyChatText(t, e, inGroup), {
      page: `pages/tip-detail/index?id=${t._id}`,
      data: { number: tipLabel(t), state: TIP_STATE_LABELS[t.state], time: chinaLongTime(e.at), note: e.note ?? '编辑部回复' },
    });
  }

  return {
    async create(user: AuthUser, body: CreateTipBody): Promise<{ tip: TipDoc; created: boolean }> {
      if (!user.roles.includes('resident')) throw forbidden('爆料请使用居民账号');
      const tipsterId = new Types.ObjectId(user.id);
      const { idempotencyKey, ...content } = body;
      const hash = requestHash(content);
      const { doc, created } = await createOnce<TipDoc>({
          findFirst: () => Tip.findOne({ tipsterId, idempotencyKey }).lean<TipDoc>(),
          admit: () => limits.admit(tipsterId),
          hash,
          hashOf: (t) => t.requestHash,
          insert: async () => {
            await photoService(ctx).requireOwned([...body.photoIds], user.id, 'body.photoIds');
            const me = await userService(ctx).reporterDetails(tipsterId);
            const at = ctx.now();
            const doc = await Tip.create({
              text: body.text,
              photoIds: body.photoIds,
              place: body.place,
              happenedAt: body.happenedAt ? new Date(body.happenedAt) : null,
              mayContact: body.mayContact,
              mayCredit: body.mayCredit,
              state: 'new',
              channel: 'miniprogram',
              tipsterId,
              tipsterName: me?.name ?? user.name,
              tipsterPhone: me?.phone ?? null,
              roomId: null,
              contactId: null,
              idempotencyKey,
              requestHash: hash,
              history: [{ ...event(user, 'submit', null, 'new', null), at }],
              version: 0,
            });
            return doc.toObject() as TipDoc;
          },
        });
      return { tip: doc, created };
    },

    get: visible,

    /** `mine`: the caller's own; `queue`: the newsroom's, by state. Newest first, paged by `_id`. */
    async list(user: AuthUser, q: ListTipsQuery): Promise<{ items: TipDoc[]; nextCursor: string | null }> {
      const filter: Record<string, unknown> = {};
      if (q.view === 'mine') filter.tipsterId = new Types.ObjectId(user.id);
      else if (!inNewsroom(user)) throw forbidden('只有编辑部可以查看爆料线索');
      if (q.state) filter.state = q.state;
      filter._id = { $lt: q.cursor ? decodeCursor(q.cursor) : BEYOND_ANY_ID };
      const rows = await Tip.find(filter).sort({ _id: -1 }).limit(q.limit + 1).lean<TipDoc[]>();
      const items = rows.slice(0, q.limit);
      return { items, nextCursor: rows.length > q.limit ? encodeCursor(items[items.length - 1]._id) : null };
    },

    take: (user: AuthUser, id: string, b: MoveBody<'take'>, v: number) =>
      move(user, id, 'take', v, () => ({ set: { takenById: new Types.ObjectId(user.id), takenByName: user.name }, note: null })).then((r) => r.tip),

    decline: (user: AuthUser, id: string, b: MoveBody<'decline'>, v: number) => move(user, id, 'decline', v, () => ({ set: { declineReason: b.reason }, note: b.reason })).then((r) => r.tip),

    async reply(user: AuthUser, id: string, b: MoveBody<'reply'>, v: number): Promise<TipDoc> {
      const { tip, event: e } = await move(user, id, 'reply', v, () => ({ note: b.text }));
      // After the write that records it: the dedupe key (tip, event) makes a second enqueue a no-op.
      const message = replyMessage(tip, e);
      const { rejected = [] } = message ? await outbox(ctx).enqueue([message], { invalid: 'skip' }) : {};
      for (const r of rejected) ctx.logger.error({ tipId: String(tip._id), dedupeKey: r.dedupeKey, problems: r.problems }, 'tip reply refused by the outbox');
      return tip;
    },

    async use(user: AuthUser, id: string, b: MoveBody<'use'>, v: number): Promise<TipDoc> {
      // The article must exist (the news feature answers 404 otherwise).
      await articleService(ctx).get(user, b.articleId);
      return (await move(user, id, 'use', v, () => ({ set: { articleId: new Types.ObjectId(b.articleId) }, note: b.articleId }))).tip;
    },

    /** A draft in the news feature written from the tip; the article keeps `tipId`, and credits the tipster when they agreed. */
    async draft(user: AuthUser, id: string, b: MoveBody<'draft'>, v: number): Promise<TipDoc> {
      const t = await visible(user, id);
      if (!inNewsroom(user)) throw notFound('爆料');
      if ((t.version ?? 0) !== v) throw staleVersion(t.version);
      if (t.draftArticleId) throw invalidState('这条爆料已写成稿件');
      if (!MOVES.draft.from.includes(t.state)) throw invalidState(`爆料当前状态为「${TIP_STATE_LABELS[t.state]}」，不能写成稿件`);
      const title = b.title ?? (excerpt(t.text.replace(/\s+/g, ' '), 30).padEnd(4, '。'));
      const credit = t.mayCredit ? `<p>（线索提供：${escapeHtml(t.tipsterName)}）</p>` : '';
      const { article } = await articleService(ctx).create(
        user,
        {
          columnId: b.columnId,
          title,
          summary: '',
          bodyHtml: `<p>${escapeHtml(t.text)}</p>${credit}`,
          coverPhotoId: null,
          source: '县融媒体中心',
          author: user.name,
          regionIds: [],
          // One draft per tip and editor: a retried move finds it again.
          idempotencyKey: `tip-draft:${t._id}`,
        },
        { tipId: t._id },
      );
      const first = t.takenById ? {} : { takenById: new Types.ObjectId(user.id), takenByName: user.name };
      return (await move(user, id, 'draft', v, () => ({ set: { ...first, draftArticleId: new Types.ObjectId(article.id) }, note: article.id }))).tip;
    },

    /** Reads of a tipster's name and phone by the newsroom are audited. */
    auditPersonal: (user: AuthUser, t: TipDoc) => audit.record(user.id, 'tip.read_personal', 'tip', String(t._id)),
  };
}
export type TipService = ReturnType<typeof tipService>;
