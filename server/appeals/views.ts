/**
 * An appeal as a given viewer may see it: personal data only for those handling it (PIPL), masked
 * names elsewhere, and the buttons the viewer may press now.
 */
import type { AuthUser } from '../core/route';
import { photoRef } from '../photos/schemas';
import { ROLE_LABELS, type Role } from '../users/roles';
import type { AppealDoc } from './model';
import type { AllowedAction, AppealDetail, AppealSummary } from './schemas';
import { SATISFACTION_LABELS } from './schemas';
import { seesPersonalData, standingOf, type Standing } from './scope';
import { ACTION_LABELS, CHANNEL_LABELS, KIND_LABELS, OPEN_STATES, STATE_LABELS } from './state-machine';
import { RATING_WINDOW_MS } from './deadlines';
import { chinaDay } from '../../common/china-time';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** 张* for 张三, 欧阳* for 欧阳修 is not attempted: one visible character is the common practice. */
export const maskName = (name: string) => (name ? `${[...name][0]}*` : '居民');

function reporterNameFor(a: AppealDoc, personal: boolean): string {
  if (personal) return a.reporterName;
  if (a.isAnonymous) return '匿名';
  return maskName(a.reporterName);
}

export function toSummary(a: AppealDoc, personal: boolean): AppealSummary {
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
    regionId: String(a.regionId),
    regionName: a.regionName,
    departmentId: a.departmentId ? String(a.departmentId) : null,
    departmentName: a.departmentName,
    excerpt: [...a.description].slice(0, 80).join(''),
    thumbUrl: firstPhoto ? photoRef(firstPhoto).thumbUrl : null,
    reporterName: reporterNameFor(a, personal),
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
  return out;
}

export function toDetail(a: AppealDoc, user: AuthUser, now: Date): { detail: AppealDetail; personal: boolean } {
  const s = standingOf(user, a);
  const personal = seesPersonalData(s, a.isAnonymous);
  const staffView = s.admin || s.dispatcher || s.handler || s.gridWorker || s.communityStaff;
  const detail: AppealDetail = {
    ...toSummary(a, personal),
    description: a.description,
    place: a.place,
    photos: a.photoIds.map(photoRef),
    reporter: { name: reporterNameFor(a, personal), phone: personal ? a.reporterPhone : null, masked: !personal },
    isAnonymous: a.isAnonymous,
    deadlines: { acceptBy: a.acceptBy.toISOString(), firstContactBy: a.firstContactBy.toISOString(), resolveBy: a.resolveBy.toISOString() },
    answer: a.answer ? { text: a.answer.text, photos: a.answer.photoIds.map(photoRef), at: a.answer.at.toISOString(), departmentName: a.answer.departmentName } : null,
    rating: a.rating
      ? { resolved: a.rating.resolved, satisfaction: a.rating.satisfaction, satisfactionLabel: SATISFACTION_LABELS[a.rating.satisfaction], comment: a.rating.comment, at: a.rating.at.toISOString() }
      : null,
    duplicateOf: a.duplicateOfId ? { id: String(a.duplicateOfId), number: a.duplicateOfNumber ?? '' } : null,
    // Staff names are for staff; residents see the role that acted (县水务局 answers, not a person).
    timeline: a.timeline.map((e) => ({
      at: e.at.toISOString(),
      action: e.action,
      actionLabel: ACTION_LABELS[e.action] ?? e.action,
      from: e.from,
      to: e.to,
      byName: staffView || String(e.byId) === user.id ? e.byName : publicActor(e.byRole, e.byId === null),
      byRole: e.byRole,
      note: e.note,
    })),
    dispatchSeconds: a.dispatchMs === null ? null : Math.round(a.dispatchMs / 100) / 10,
    mine: s.own,
    allowedActions: allowedActions(user, s, a, now),
  };
  // Someone else's personal data shown: the caller audits the read.
  return { detail, personal: personal && !s.reporter };
}

function publicActor(role: string | null, system: boolean): string {
  if (system) return '系统';
  if (!role) return '工作人员';
  if (role === 'resident') return '居民';
  return ROLE_LABELS[role as Role] ?? '工作人员';
}
