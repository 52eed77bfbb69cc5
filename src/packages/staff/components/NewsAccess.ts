// Who does what in the newsroom and with notices (the server's role lists, for showing entries
// only: the server decides), and the small helpers the news and notice pages share.
import { ApiError } from '../../../api/request';
import { chinaClock, chinaIsoDate, chinaShortTime, parseInstant } from '../../../../common/china-time';
import type { ManageCounts, Me, Role } from '../../../api/types';

type WithRoles = Pick<Me, 'roles'>;

/** Admins pass every role check, as on the server. */
const has = (user: WithRoles, role: Role) => user.roles.includes(role) || user.roles.includes('admin');

/** Editors write articles, manage notices and moderate comments. */
export const isEditor = (user: WithRoles) => has(user, 'editor');
/** Reviewers approve or send back articles at each review level and moderate comments. */
export const isReviewer = (user: WithRoles) => has(user, 'reviewer');
export const worksOnNews = (user: WithRoles) => isEditor(user) || isReviewer(user);
/** Notices are written by editors and reviewers (county-wide) and community staff (for their communities). */
export const writesNotices = (user: WithRoles) => worksOnNews(user) || has(user, 'community_staff');
/** Community staff who are not in the newsroom may only address their own communities. */
export const noticeScopeIsOwnCommunities = (user: WithRoles) => !worksOnNews(user) && has(user, 'community_staff');

/** Articles waiting at any review level. */
export const reviewWaiting = (counts: ManageCounts | null): number | null =>
  counts ? Object.values(counts.review).reduce((sum, n) => sum + n, 0) : null;

/** A 409: someone (or the clock) moved it first; the page shows what is true now. */
export const isConflict = (e: unknown) => e instanceof ApiError && e.status === 409;

/** '2026-11-28' + '08:30' → '2026-11-28T08:30:00+08:00' (what the server's publishAt takes). */
export function publishAtIso(date: string, time: string): string {
  return `${date}T${time}:00+08:00`;
}

/** A moment as the date and time pickers' values in Beijing time. */
export function splitBeijing(at: Date | string): { date: string; time: string } {
  const ms = new Date(at).getTime();
  return { date: chinaIsoDate(ms), time: chinaClock(ms) };
}

/** The pickers' first values: tomorrow 08:00 Beijing time. */
export function defaultSchedule(now = new Date()): { date: string; time: string } {
  return { date: splitBeijing(new Date(now.getTime() + 24 * 3600_000)).date, time: '08:00' };
}

/** Why a chosen publish time cannot be used, or null. */
export function scheduleError(date: string, time: string, now = new Date()): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return '请选择定时发布的日期和时间';
  const at = Date.parse(publishAtIso(date, time));
  if (Number.isNaN(at)) return '请选择定时发布的日期和时间';
  if (at <= now.getTime()) return '定时发布时间须晚于现在';
  return null;
}

/** '11月28日 08:30' in Beijing time ('' for no date). */
export function beijingLabel(iso: string | null | undefined): string {
  const ms = parseInstant(iso);
  return ms === null ? '' : chinaShortTime(ms);
}
