// Labels and formatting for appeals (诉求) on the residents' and staff pages. The server sends
// Chinese labels with every appeal; the tables here are for what the client shows before it has an
// appeal (the report form) and for the values it sends.
import { API_BASE } from '../api/base';
import type { AppealKind, AppealState, AppealSummary } from '../api/types';
import { APPEAL_KINDS, KIND_LABELS, SATISFACTION, SATISFACTION_LABELS, type Satisfaction } from '../../common/appeal-labels';
import { chinaClock, chinaDayIndex, chinaParts, chinaShortTime, parseInstant } from '../../common/china-time';

// The labels themselves are the server's (one definition, a module with no imports).
export { KIND_LABELS, STATE_LABELS } from '../../common/appeal-labels';

export const KIND_OPTIONS: ReadonlyArray<{ value: AppealKind; label: string }> = APPEAL_KINDS.map((value) => ({ value, label: KIND_LABELS[value] }));

/** Colour family of a state's tag: waiting, being handled, answered, ended. */
export type StateTone = 'waiting' | 'working' | 'answered' | 'ended';
const STATE_TONES: Record<AppealState, StateTone> = {
  submitted: 'waiting',
  accepted: 'waiting',
  assigned: 'working',
  in_progress: 'working',
  replied: 'answered',
  closed: 'ended',
  rejected: 'ended',
  merged: 'ended',
};
export function stateTone(state: AppealState): StateTone {
  return STATE_TONES[state];
}

export const SATISFACTION_OPTIONS = SATISFACTION.map((value) => ({ value, label: SATISFACTION_LABELS[value] }));
export type SatisfactionValue = Satisfaction;

export const DESCRIPTION_MIN = 5;
export const DESCRIPTION_MAX = 2000;
export const PLACE_MAX = 100;
export const MAX_PHOTOS = 9;
export const REASON_MIN = 2;
export const REASON_MAX = 500;
export const COMMENT_MAX = 500;

/** '今天 14:05', '昨天 09:30', '11月26日 14:05', or with the year when it is not this year (China time). */
export function formatTime(iso: string | null | undefined, now: Date = new Date()): string {
  const ms = parseInstant(iso);
  if (ms === null) return '';
  const days = chinaDayIndex(now) - chinaDayIndex(ms);
  if (days === 0) return `今天 ${chinaClock(ms)}`;
  if (days === 1) return `昨天 ${chinaClock(ms)}`;
  const md = chinaShortTime(ms);
  return chinaParts(ms).year === chinaParts(now).year ? md : `${chinaParts(ms).year}年${md}`;
}

/** '3天后到期' style hint for a deadline, or '已超期' once past. */
export function dueLabel(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '';
  const ms = new Date(iso).getTime() - now.getTime();
  if (Number.isNaN(ms)) return '';
  if (ms <= 0) return '已超期';
  const hours = Math.ceil(ms / 3600_000);
  if (hours < 24) return `${hours}小时内到期`;
  return `${Math.ceil(hours / 24)}天内到期`;
}

/** Photo addresses come as paths on the API origin (/api/v1/photos/…); <Image> needs a full URL in the WeChat build. */
export function photoSrc(url: string): string {
  return /^https?:\/\//.test(url) ? url : `${API_BASE}${url}`;
}

/** The page a resident opens for one appeal. */
export function appealDetailUrl(id: string): string {
  return `/pages/appeal-detail/index?id=${encodeURIComponent(id)}`;
}

/** One answered public appeal on the board (公开诉求), readable without signing in. */
export function boardItemUrl(id: string): string {
  return `/pages/board-item/index?id=${encodeURIComponent(id)}`;
}

/** '咨询 · 停水、水质问题' */
export function kindAndCategory(a: Pick<AppealSummary, 'kindLabel' | 'categoryName'>): string {
  return a.categoryName ? `${a.kindLabel} · ${a.categoryName}` : a.kindLabel;
}
