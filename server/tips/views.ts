/**
 * A tip as a viewer may see it. Names go through the one appearance rule (people/privacy.ts): the
 * tipster sees their own name and the newsroom's moves by role (编辑); the newsroom sees the
 * tipster by name and phone only when they agreed to be contacted, 匿名 otherwise.
 */
import type { AuthUser } from '../core/route';
import { appearance } from '../people';
import type { TipDoc } from './model';
import { TIP_STATE_LABELS, type TipDetail, type TipSummary } from './schemas';
import { inNewsroom } from './service';

export function toSummary(t: TipDoc): TipSummary {
  return {
    id: String(t._id),
    text: t.text,
    state: t.state,
    stateLabel: TIP_STATE_LABELS[t.state],
    photoCount: t.photoIds.length,
    channel: t.channel,
    createdAt: t.createdAt.toISOString(),
  };
}

/** The detail, and whether it shows the tipster's personal data to someone else (a read to audit). */
export function toDetail(t: TipDoc, user: AuthUser): { detail: TipDetail; personal: boolean } {
  const staff = inNewsroom(user);
  const self = String(t.tipsterId) === user.id;
  // Personal data only to the newsroom, and only with the tipster's consent.
  const personal = staff && t.mayContact && !self;
  const sight = { personal, anonymous: true, staff };
  return {
    personal,
    detail: {
      ...toSummary(t),
      photoIds: t.photoIds,
      place: t.place,
      happenedAt: t.happenedAt ? t.happenedAt.toISOString() : null,
      mayContact: t.mayContact,
      mayCredit: t.mayCredit,
      tipsterName: appearance({ name: t.tipsterName, kind: 'public', self }, sight),
      tipsterPhone: personal || self ? t.tipsterPhone : null,
      takenBy: t.takenByName ? appearance({ name: t.takenByName, kind: 'staff', role: 'editor', self: String(t.takenById) === user.id }, sight) : null,
      declineReason: t.declineReason,
      articleId: t.articleId ? String(t.articleId) : null,
      draftArticleId: t.draftArticleId ? String(t.draftArticleId) : null,
      appealId: t.appealId ? String(t.appealId) : null,
      appealNumber: t.appealNumber ?? null,
      fromAppeal: t.fromAppeal ?? false,
      history: t.history.map((e) => ({
        at: e.at.toISOString(),
        action: e.action,
        by: appearance({ name: e.byName, kind: e.byKind, role: e.byRole, self: String(e.byId) === user.id }, sight),
        from: e.from,
        to: e.to,
        note: e.note,
      })),
      version: t.version ?? 0,
    },
  };
}
