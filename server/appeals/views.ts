/**
 * An appeal as a given viewer may see it: personal data only for those handling it (PIPL), masked
 * names elsewhere, and the buttons the viewer may press now.
 */
import type { AuthUser } from '../core/route';
import { photoRef } from '../photos';
import { appearance, maskPrivateText, pointFor, type PersonOnRecord } from '../people';
import type { AppealDoc, TimelineEvent } from './model';
import type { AllowedAction, AppealDetail, AppealSummary } from './schemas';
import { SATISFACTION_LABELS } from './schemas';
import { readsFullText, seesPersonalData, standingOf, worksOn, type Standing } from './scope';
import { ACTION_LABELS, CHANNEL_LABELS, KIND_LABELS, OPEN_STATES, STATE_LABELS } from './state-machine';
import { RATING_WINDOW_MS } from './deadlines';
import { onBoard } from './board-view';
import { chinaDay } from '../../common/china-time';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** What one viewer may see of one appeal: people (people/privacy.ts's one rule) and the text as written. */
export interface AppealSight {
  standing: Standing;
  /** The reporter's name and phone (and followers' names): handlers, the dispatcher (PIPL). */
  personal: boolean;
  /** The text as written; others get phone, ID and house numbers masked. */
  fullText: boolean;
  anonymous: boolean;
}

export function sightOf(user: AuthUser, a: AppealDoc): AppealSight {
  const standing = standingOf(user, a);
  return { standing, personal: seesPersonalData(standing, a.isAnonymous), fullText: readsFullText(standing), anonymous: a.isAnonymous };
}

/** How someone on this appeal appears to the viewer. */
function shown(sight: AppealSight, p: PersonOnRecord): string {
  return appearance(p, { personal: sight.personal, anonymous: sight.anonymous, staff: worksOn(sight.standing) });
}

const reporterName = (a: AppealDoc, sight: AppealSight) => shown(sight, { name: a.reporterName, kind: 'public', self: sight.standing.reporter });

/**
 * The actor of a timeline event: the server (系统); the reporter or a follower (a resident, or a
 * group member through the bot, whose name the bot recorded); or staff in the role they acted in.
 */
function actorName(e: TimelineEvent, sight: AppealSight, user: AuthUser): string {
  const self = e.byId !== null && String(e.byId) === user.id;
  if (e.byRole === 'bot') return shown(sight, { name: e.byName, kind: 'public', self: sight.standing.reporter });
  if (e.byRole === 'resident') return shown(sight, { name: e.byName, kind: 'public', self });
  return shown(sight, { name: e.byName, kind: e.byId === null && !e.byRole ? 'system' : 'staff', role: e.byRole, self });
}

/** The suggested category (建议分类): staff's hint while the appeal has no category, nobody else's. */
function suggestionFor(a: AppealDoc, sight: AppealSight): Pick<AppealSummary, 'suggestion'> {
  const s = a.suggestion;
  if (!s || a.categoryId || !worksOn(sight.standing)) return {};
  return { suggestion: { categoryId: String(s.categoryId), categoryName: s.categoryName, score: s.score } };
}

/** A list's row as this viewer may see it. */
export function toSummary(a: AppealDoc, user: AuthUser, sight: AppealSight = sightOf(user, a)): AppealSummary {
  const text = (t: string) => (sight.fullText ? t : maskPrivateText(t));
  const firstPhoto = a.photoIds[0];
  return {
    id: String(a._id),
    number: a.number,
    kind: a.kind,
    kindLabel: KIND_LABELS[a.kind],
    state: a.state,
    stateLabel: STATE_LABELS[a.state],
    channel: a.channel,
    channelLabel: CHANNEL_LABELS[a.channel],
    categoryId: a.categoryId ? String(a.categoryId) : null,
    categoryName: a.categoryName,
    ...suggestionFor(a, sight),
    regionId: String(a.regionId),
    regionName: a.regionName,
    departmentId: a.departmentId ? String(a.departmentId) : null,
    departmentName: a.departmentName,
    excerpt: [...text(a.description)].slice(0, 80).join(''),
    thumbUrl: firstPhoto ? photoRef(firstPhoto).thumbUrl : null,
    reporterName: reporterName(a, sight),
    isPublic: a.isPublic,
    submittedAt: a.submittedAt.toISOString(),
    dueAt: iso(a.dueAt),
    overdue: a.overdue,
    directDispatch: a.directDispatch,
    followersCount: a.followersCount,
  };
}

/** What the viewer may press now: the state table intersected with their standing. */
export function allowedActions(user: AuthUser, s: Standing, a: AppealDoc, now: Date): AllowedAction[] {
  const out: AllowedAction[] = [];
  const dispatcher = s.admin || s.dispatcher;
  const handler = s.admin || s.handler;
  if (dispatcher) {
    if (a.state === 'submitted') out.push('accept', 'reject');
    if (a.state === 'submitted' || a.state === 'accepted') out.push('merge');
    if (a.state === 'accepted') out.push('assign');
    if (a.state === 'assigned' || a.state === 'in_progress') out.push('transfer');
    if (a.directDispatch && !a.dispatchReviewed) out.push('review');
  }
  if (handler && a.departmentId) {
    if (a.state === 'assigned') out.push('return', 'start');
    if (a.state === 'in_progress') out.push('reply');
  }
  if (s.reporter) {
    if (a.state === 'replied') out.push('rate');
    if ((a.state === 'replied' || a.state === 'closed') && a.repliedAt && now.getTime() - a.repliedAt.getTime() <= RATING_WINDOW_MS) out.push('reopen');
  }
  if (s.own && OPEN_STATES.includes(a.state) && a.lastRemindDay !== chinaDay(now)) out.push('remind');
  if (!s.own && user.roles.includes('resident') && a.isPublic && (OPEN_STATES.includes(a.state) || a.state === 'replied')) out.push('follow');
  if (dispatcher && onBoard(a)) out.push('unpublish');
  return out;
}

export function toDetail(a: AppealDoc, user: AuthUser, now: Date): { detail: AppealDetail; personal: boolean } {
  const sight = sightOf(user, a);
  const s = sight.standing;
  const text = (t: string | null) => (sight.fullText ? t : maskPrivateText(t));
  // The reporter sees their own name and phone; only handlers see someone else's.
  const ownData = sight.personal || s.reporter;
  const detail: AppealDetail = {
    ...toSummary(a, user, sight),
    description: text(a.description)!,
    place: text(a.place),
    // The point like the text place: exact to those who read it as written, about 1 km to the public.
    location: a.location ? pointFor(a.location, sight.fullText) : null,
    photos: a.photoIds.map(photoRef),
    reporter: { name: reporterName(a, sight), phone: ownData ? a.reporterPhone : null, ...(ownData && a.reporterEmail ? { email: a.reporterEmail } : {}), masked: !ownData },
    isAnonymous: a.isAnonymous,
    deadlines: { acceptBy: a.acceptBy.toISOString(), firstContactBy: a.firstContactBy.toISOString(), resolveBy: a.resolveBy.toISOString() },
    answer: a.answer ? { text: text(a.answer.text)!, photos: a.answer.photoIds.map(photoRef), at: a.answer.at.toISOString(), departmentName: a.answer.departmentName } : null,
    rating: a.rating
      ? { resolved: a.rating.resolved, satisfaction: a.rating.satisfaction, satisfactionLabel: SATISFACTION_LABELS[a.rating.satisfaction], comment: text(a.rating.comment), at: a.rating.at.toISOString() }
      : null,
    duplicateOf: a.duplicateOfId ? { id: String(a.duplicateOfId), number: a.duplicateOfNumber ?? '' } : null,
    timeline: a.timeline.map((e) => ({
      at: e.at.toISOString(),
      action: e.action,
      actionLabel: ACTION_LABELS[e.action] ?? e.action,
      from: e.from,
      to: e.to,
      byName: actorName(e, sight, user),
      byRole: e.byRole,
      note: text(e.note),
    })),
    dispatchSeconds: a.dispatchMs === null ? null : Math.round(a.dispatchMs / 100) / 10,
    mine: s.own,
    allowedActions: allowedActions(user, s, a, now),
    version: a.eventCount,
    boardRemoved: a.boardRemoved && worksOn(s) ? { at: a.boardRemoved.at.toISOString(), byName: a.boardRemoved.byName, reason: a.boardRemoved.reason } : null,
  };
  // Someone else's personal data shown: the caller audits the read.
  return { detail, personal: sight.personal && !s.reporter };
}
