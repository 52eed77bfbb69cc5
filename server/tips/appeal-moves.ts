/**
 * Moving a record between the newsroom and the appeal loop, both ways, from the tips side (the
 * arrows stay one way: tips use the appeals' face; appeals know nothing of tips).
 *
 * - 转为诉求 (tip → appeal): the newsroom files the tip as an appeal through the appeals' own
 *   filing (appealCreator: numbered, deadlines, direct dispatch), with the editor as the submitter
 *   (like 代报) and the tipster as the reporter when they have an account, never public, anonymous
 *   unless they agreed to be contacted. The tip ends in `moved` with the appeal's id and number,
 *   and the tipster hears it the way a reply reaches them.
 * - 转为新闻线索 (appeal → tip): a dispatcher refuses a submitted appeal (不予受理, the appeals' own
 *   move, whose notification tells the reporter) and the newsroom gets a tip of it, private like
 *   every tip, with no consent to contact or credit (the reporter gave none to the newsroom).
 *
 * Both are idempotent: a retry (the answer was lost, the process died half way) makes one appeal,
 * one tip. The tip → appeal move claims the tip first (one conditional write on its version), so
 * of two editors only the claimer files; the appeal → tip move is keyed by the appeal.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { AppError, invalidState, notFound } from '../core/errors';
import { createOnce, requestHash } from '../core/create-once';
import { staleVersion, versionFilter } from '../core/versions';
import { auditService } from '../audit';
import { outbox } from '../outbox';
import { BOT_USER } from '../auth';
import { ANONYMOUS_NAME } from '../people';
import { actorOf, appealService, type AppealDoc, type AppealKind, type AppealServiceOptions } from '../appeals';
import { STATE_LABELS, type AppealChannel } from '../../common/appeal-labels';
import { chinaLongTime } from '../../common/china-time';
import type { Role } from '../../common/roles';
import { tipModels, type TipChannel, type TipDoc, type TipEvent, type TipState } from './model';
import { tipLimits } from './limits';
import { TIP_STATE_LABELS, type FromAppealBody, type FromAppealResult } from './schemas';
import { hasAccount, inNewsroom, NEWSROOM, tipLabel, tipsterMessage, TIP_BOT_ACCOUNT_ID, TIP_NO_ACCOUNT_ID, type MoveBody } from './service';

/** The states a tip may leave for the appeal loop (as a decline may). */
const TO_APPEAL_FROM: readonly TipState[] = ['new', 'taken'];
/** The reason the reporter reads on their appeal: where it went, nothing of the newsroom. */
export const FROM_APPEAL_REASON = '属于新闻线索，已转编辑部';
const appealKey = (appealId: Types.ObjectId | string) => `appeal:${appealId}`;
/** The appeal was refused by this move (its last 不予受理 gives the newsroom reason). */
function rejectedHere(a: AppealDoc): boolean {
  const last = [...a.timeline].reverse().find((e) => e.action === 'reject');
  return a.state === 'rejected' && last?.note === FROM_APPEAL_REASON;
}

/** What the tipster is told: where to follow the appeal, only where they can (their account, or 查询 in the chat). */
export function movedText(t: Pick<TipDoc, 'tipsterId'>, number: string): string {
  return hasAccount(t) ? `您的爆料已转为诉求，编号 ${number}，可在「我的诉求」查看进度` : `您的爆料已转为诉求，编号 ${number}，可发送「查询 ${number}」查看进度`;
}

/** The appeal channel of a tip's channel: a chat through the bot is a group-chat appeal; the others keep theirs. */
const appealChannelOf = (c: TipChannel): AppealChannel => (c === 'bot' ? 'group_chat' : c);
/** And back: an appeal from a chat becomes a bot tip (a reply goes back to that chat). */
const tipChannelOf = (c: AppealChannel): TipChannel => (c === 'group_chat' ? 'bot' : c);

/** `opts.suggest`: a tip moved without a category is filed as any filing without one (suggested, and dispatched directly when sure). */
export function tipAppealMoves(ctx: AppContext, opts: AppealServiceOptions = {}) {
  const { Tip } = tipModels(ctx.conn);
  const appeals = appealService(ctx, opts);
  const audit = auditService(ctx);
  const limits = tipLimits(ctx);

  async function tell(t: TipDoc): Promise<void> {
    const e = [...t.history].reverse().find((h) => h.action === 'to_appeal');
    if (!e || !t.appealNumber || !t.appealId) return;
    const text = movedText(t, t.appealNumber);
    const message = tipsterMessage(t, String(e._id), () => text, {
      page: `pages/appeal-detail/index?id=${t.appealId}`,
      data: { number: t.appealNumber, state: TIP_STATE_LABELS.moved, time: chinaLongTime(e.at), note: hasAccount(t) ? '可在「我的诉求」查看进度' : '已转为诉求' },
    });
    if (!message) return;
    // The dedupe key (tip, event) makes a retry's second enqueue a no-op.
    const { rejected = [] } = await outbox(ctx).enqueue([message], { invalid: 'skip' });
    for (const r of rejected) ctx.logger.error({ tipId: String(t._id), dedupeKey: r.dedupeKey, problems: r.problems }, 'tip moved notice refused by the outbox');
  }

  /** Files the claimed tip's appeal (the same submitter and key on every try: one appeal) and records it on the tip. */
  async function fileClaimed(t: TipDoc): Promise<TipDoc> {
    const claim = t.toAppeal!;
    // The editor who claimed it, in the newsroom role they acted in (a retry after a crash files as them).
    const submitter: ReturnType<typeof actorOf> = { id: claim.byId, name: claim.byName, role: claim.byRole as Role };
    const { appeal, created } = await appeals.file({
      idempotencyKey: `tip:${t._id}`,
      submittedById: claim.byId,
      submitter,
      channel: appealChannelOf(t.channel),
      kind: claim.kind as AppealKind,
      categoryId: claim.categoryId,
      description: t.text,
      photoIds: t.photoIds,
      // The bot's uploads for a tip said in a chat, the tipster's own for one from the mini-program.
      photoOwnerId: t.channel === 'bot' ? BOT_USER.id : String(t.tipsterId),
      regionId: claim.regionId,
      place: t.place,
      location: null,
      // The tipster sent it to the newsroom, not to the public board.
      isPublic: false,
      // Without consent to be contacted, the appeal carries neither their name nor their phone.
      isAnonymous: !t.mayContact,
      reporterId: hasAccount(t) ? t.tipsterId : null,
      reporterName: t.mayContact ? t.tipsterName : ANONYMOUS_NAME,
      reporterPhone: t.mayContact ? t.tipsterPhone : null,
      roomId: t.channel === 'bot' ? t.roomId : null,
      reporterContactId: t.channel === 'bot' ? t.contactId : null,
      limits: limits.toAppeal(claim.byId),
    });
    if (created) appeals.relay.kick(appeal._id, appeal);
    const e: TipEvent = {
      _id: new Types.ObjectId(),
      at: ctx.now(),
      action: 'to_appeal',
      byId: claim.byId,
      byName: claim.byName,
      byKind: 'staff',
      byRole: claim.byRole,
      from: claim.from,
      to: 'moved',
      note: `转为诉求 ${appeal.number}`,
    };
    const done = await Tip.findOneAndUpdate(
      { _id: t._id, state: 'moved', appealId: null },
      { $set: { appealId: appeal._id, appealNumber: appeal.number }, $push: { history: e }, $inc: { version: 1 } },
      { returnDocument: 'after' },
    ).lean<TipDoc>();
    // A concurrent retry recorded it first: the same appeal (same key).
    return done ?? (await Tip.findById(t._id).lean<TipDoc>())!;
  }

  return {
    /** 转为诉求. `created`: this call made the move (201), not a retry of it (200). */
    async toAppeal(user: AuthUser, id: string, b: MoveBody<'to_appeal'>, version: number): Promise<{ tip: TipDoc; created: boolean }> {
      const t = await Tip.findById(id).lean<TipDoc>();
      if (!t || !inNewsroom(user)) throw notFound('爆料');
      const claim = t.toAppeal;
      // A retry of this editor's move on the version it was made on: finish it, or answer it again.
      if (t.state === 'moved' && claim && claim.version === version && String(claim.byId) === user.id) {
        const done = t.appealId ? t : await fileClaimed(t);
        await tell(done);
        return { tip: done, created: false };
      }
      if ((t.version ?? 0) !== version) throw staleVersion(t.version);
      if (!TO_APPEAL_FROM.includes(t.state)) throw invalidState(`爆料当前状态为「${TIP_STATE_LABELS[t.state]}」，不能转为诉求`);
      // Back and forth would make a second appeal of what a dispatcher already refused.
      if (t.fromAppeal) throw invalidState(`这条爆料由诉求 ${t.appealNumber ?? ''} 转来，不能再转为诉求`);

      const claimed = await Tip.findOneAndUpdate(
        { _id: t._id, version: versionFilter(version), state: { $in: TO_APPEAL_FROM } },
        {
          $set: {
            state: 'moved',
            toAppeal: {
              version,
              from: t.state,
              byId: new Types.ObjectId(user.id),
              byName: user.name,
              byRole: user.roles.find((r) => NEWSROOM.includes(r)) ?? 'admin',
              regionId: b.regionId,
              kind: b.kind,
              categoryId: b.categoryId ?? null,
            },
          },
          $inc: { version: 1 },
        },
        { returnDocument: 'after' },
      ).lean<TipDoc>();
      if (!claimed) {
        const now = await Tip.findById(t._id, { version: 1 }).lean<Pick<TipDoc, 'version'>>();
        throw staleVersion(now?.version);
      }
      let done: TipDoc;
      try {
        done = await fileClaimed(claimed);
      } catch (err) {
        // Refused (a region that is no community, a spent limit ...): the tip goes back to where it was.
        await Tip.updateOne({ _id: t._id, state: 'moved', appealId: null, version: version + 1 }, { $set: { state: t.state, toAppeal: null }, $inc: { version: 1 } });
        throw err;
      }
      await audit.record(user.id, 'tip.to_appeal', 'tip', String(t._id));
      await tell(done);
      return { tip: done, created: true };
    },

    /** 转为新闻线索: only a dispatcher of the appeal's region, only from 待受理. */
    async fromAppeal(user: AuthUser, b: FromAppealBody): Promise<{ result: FromAppealResult; created: boolean }> {
      let a: AppealDoc = await appeals.read(user, b.appealId);
      const tipsterId = a.reporterId ?? (a.channel === 'group_chat' && a.reporterContactId ? TIP_BOT_ACCOUNT_ID : TIP_NO_ACCOUNT_ID);
      const key = appealKey(a._id);
      const existing = await Tip.findOne({ tipsterId, idempotencyKey: key }).lean<TipDoc>();
      const result = (t: TipDoc, appeal: AppealDoc): FromAppealResult => ({ tipLabel: tipLabel(t), appealId: String(appeal._id), appealState: appeal.state });
      if (existing) return { result: result(existing, a), created: false };

      // Refused by this move before, and the tip not made (the process died in between, or a
      // concurrent retry is making it): make it now; createOnce lets one tip in.
      if (!rejectedHere(a)) {
        if (a.eventCount !== b.version) throw staleVersion(a.eventCount);
        if (a.state !== 'submitted') throw invalidState(`诉求当前状态为「${STATE_LABELS[a.state]}」，只有待受理的诉求可以转为新闻线索`);
        try {
          // The appeals' own move: the region's dispatcher only, conditioned on 待受理 and on the version the
          // dispatcher saw (a 催办 or a note since is a 409); its notification tells the reporter.
          a = await appeals.moves.reject(user, b.appealId, { reason: FROM_APPEAL_REASON }, { eventCount: b.version });
        } catch (err) {
          // Two presses at once: the other one refused it for the newsroom; this one goes on to the same tip.
          const now = err instanceof AppError && err.status === 409 ? await appeals.read(user, b.appealId) : null;
          if (!now || !rejectedHere(now)) throw err;
          a = now;
        }
      }

      const at = ctx.now();
      const channel = tipChannelOf(a.channel);
      const fromEvent: TipEvent = {
        _id: new Types.ObjectId(),
        at,
        action: 'from_appeal',
        byId: new Types.ObjectId(user.id),
        byName: user.name,
        byKind: 'staff',
        byRole: 'dispatcher',
        from: null,
        to: 'new',
        note: `由诉求 ${a.number} 转来${b.note ? `：${b.note}` : ''}`,
      };
      const { doc, created } = await createOnce<TipDoc>({
        findFirst: () => Tip.findOne({ tipsterId, idempotencyKey: key }).lean<TipDoc>(),
        insert: async () =>
          (
            await Tip.create({
              text: a.description,
              photoIds: a.photoIds.slice(0, 9),
              place: a.place,
              happenedAt: null,
              // The reporter asked the government, not the newsroom: no consent to contact or credit.
              mayContact: false,
              mayCredit: false,
              state: 'new',
              channel,
              tipsterId,
              tipsterName: a.reporterName,
              // Nobody in the newsroom may see it without consent: not copied.
              tipsterPhone: null,
              roomId: channel === 'bot' ? a.roomId : null,
              contactId: channel === 'bot' ? a.reporterContactId : null,
              idempotencyKey: key,
              requestHash: requestHash({ appealId: String(a._id) }),
              appealId: a._id,
              appealNumber: a.number,
              fromAppeal: true,
              history: [fromEvent],
              version: 0,
            })
          ).toObject() as TipDoc,
      });
      if (created) await audit.record(user.id, 'tip.from_appeal', 'tip', String(doc._id));
      return { result: result(doc, a), created };
    },
  };
}
