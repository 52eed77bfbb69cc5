/**
 * The measures' definitions, written once: what each count counts, when, and the four rates
 * (三率 and 按期办结率). The API's description (schemas.ts) and the README quote RATE_TEXT.
 *
 * Every figure is a fact with a time of its own, taken from the appeal's timeline, and counts in
 * the China day of that time: a reply counts on the day it was given, whatever day the appeal was
 * received. A fact that depends on a deadline counts when its outcome became certain: on time at
 * the step that met the deadline, late at the deadline itself. So once a day has passed nothing
 * that happens later adds to it or changes it: a closed month's figures are final.
 *
 * - received: filings (the `submit` event).
 * - accepted, rejected, merged, replied, reopened: those moves; closed: moves into 已办结 (a rating
 *   or the automatic close 7 days after an unrated answer).
 * - overdue: 督办 flags by the step that was late: accept (waiting for a dispatcher), first contact
 *   (assigned, the unit has not started), resolve (in progress, or assigned again after contact).
 * - rated: ratings, by 满意 / 基本满意 / 不满意, and how many said resolved, as given (the `rate`
 *   event keeps its rating). A rating that a reopen withdrew the same China day counts as not
 *   resolved and 不满意: the resident reopened it because they were not satisfied (docs/PRODUCT.md),
 *   and the day ended so. A reopen on a later day leaves the rating's day as it was: that day had
 *   ended with the rating in force, and its figures are final (the reopen counts on its own day).
 * - durations (medians): submission → first contact (the unit's first start or reply); start of
 *   the handling (submission, or the reopen) → its reply; submission → first assignment.
 *
 * Cells: each fact counts for the appeal's region, department, category and channel as they were
 * at the end of the fact's China day (cellsOf): what a rollup run just after the day ended stores
 * (rollup.ts), and what the day's figures say whenever they are computed from the timelines. A
 * 改派, a 退回 or a category corrected later does not move it. Region and channel never change after
 * filing; the department and category before each move that changed them are in its event.
 *
 * So a day's facts depend only on the timeline up to the day's end, with two exceptions kept from
 * before: the deadlines (acceptBy, resolveBy) are the appeal's current ones, which a category
 * corrected at 受理 or 派单 re-dates from submission (factsOf); and moves made before the events
 * recorded ratings and departments (see ratingOf and cellsOf) are read as well as they can be.
 */
import type { AppealTimeline, TimelineEventFacts } from '../appeals';
import { chinaDay } from '../../common/china-time';
import { dayIndexOf, dayStart } from './days';

export const COUNT_NAMES = [
  'received',
  'accepted',
  'rejected',
  'merged',
  'overdueAccept',
  'overdueFirstContact',
  'overdueResolve',
  'replied',
  'closed',
  'rated',
  'ratedSatisfied',
  'ratedBasic',
  'ratedUnsatisfied',
  'ratedResolved',
  'reopened',
  /** 响应率: accept deadlines decided (met or passed), and met. */
  'responseDue',
  'responseOnTime',
  /** 解决率: answers decided (rated, closed unrated, or reopened), and resolved. */
  'answersDecided',
  'answersResolved',
  /** 按期办结率: resolve deadlines decided, and met by a reply. */
  'resolveDue',
  'resolveOnTime',
] as const;
export type CountName = (typeof COUNT_NAMES)[number];

export const DURATION_NAMES = ['firstContactSec', 'replySec', 'assignSec'] as const;
export type DurationName = (typeof DURATION_NAMES)[number];

export type Counts = Record<CountName, number>;
export type Durations = Record<DurationName, number[]>;
export interface Tally extends Counts, Durations {}

export const emptyTally = (): Tally => ({
  ...(Object.fromEntries(COUNT_NAMES.map((n) => [n, 0])) as Counts),
  ...(Object.fromEntries(DURATION_NAMES.map((n) => [n, []])) as unknown as Durations),
});

export function addTally(into: Tally, t: Partial<Tally>): void {
  for (const n of COUNT_NAMES) into[n] += t[n] ?? 0;
  for (const n of DURATION_NAMES) if (t[n]?.length) into[n].push(...t[n]!);
}

/** One fact: a count or a duration, at its time. */
export type Fact = { at: Date; count: CountName } | { at: Date; duration: DurationName; seconds: number };

const sec = (from: Date, to: Date) => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));

/**
 * The facts of one appeal's timeline up to `until` (now: a deadline still ahead is no fact yet).
 * The resolve time of a handling (the category's, from submission; again from each reopen) is
 * read off the deadline the appeal holds now: `resolveBy` minus the start of its last handling.
 */
export function factsOf(a: AppealTimeline, until: Date): Fact[] {
  const facts: Fact[] = [];
  const count = (at: Date, c: CountName) => facts.push({ at, count: c });
  const events = [...a.events].sort((x, y) => x.at.getTime() - y.at.getTime());
  const reopens = events.filter((e) => e.action === 'reopen');
  const resolveMs = a.resolveBy.getTime() - (reopens.length ? reopens[reopens.length - 1].at : a.submittedAt).getTime();

  let state: string | null = null;
  let contacted = false;
  let assigned = false;
  let responded = false;
  let respondedInTime = false;
  let ended: Date | null = null; // rejected or merged
  let handlingStart = a.submittedAt;
  let handlingReplied = false;
  let answerOpen = false;

  /** Close one handling's deadline: decided late at the deadline unless met, or ended first. */
  const closeHandling = (upTo: Date) => {
    if (handlingReplied) return;
    const due = new Date(handlingStart.getTime() + resolveMs);
    if (due <= upTo && due <= until && !(ended && ended <= due)) count(due, 'resolveDue');
  };

  for (const [i, e] of events.entries()) {
    if (e.at > until) break;
    switch (e.action) {
      case 'submit':
        count(a.submittedAt, 'received');
        break;
      case 'accept':
      case 'reject':
      case 'merge':
        count(e.at, e.action === 'accept' ? 'accepted' : e.action === 'reject' ? 'rejected' : 'merged');
        if (!responded) {
          responded = true;
          if (e.at <= a.acceptBy) {
            respondedInTime = true;
            count(e.at, 'responseDue');
            count(e.at, 'responseOnTime');
          }
        }
        if (e.action !== 'accept') ended = e.at;
        break;
      case 'assign':
        if (!assigned) facts.push({ at: e.at, duration: 'assignSec', seconds: sec(a.submittedAt, e.at) });
        assigned = true;
        break;
      case 'start':
        if (!contacted) facts.push({ at: e.at, duration: 'firstContactSec', seconds: sec(a.submittedAt, e.at) });
        contacted = true;
        break;
      case 'reply':
        count(e.at, 'replied');
        if (!contacted) facts.push({ at: e.at, duration: 'firstContactSec', seconds: sec(a.submittedAt, e.at) });
        contacted = true;
        if (!handlingReplied) {
          facts.push({ at: e.at, duration: 'replySec', seconds: sec(handlingStart, e.at) });
          if (e.at.getTime() <= handlingStart.getTime() + resolveMs) {
            count(e.at, 'resolveDue');
            count(e.at, 'resolveOnTime');
          } else closeHandling(e.at);
          handlingReplied = true;
        }
        answerOpen = true;
        break;
      case 'rate': {
        count(e.at, 'closed');
        count(e.at, 'rated');
        const r = ratingOf(a, events, i);
        const satisfaction = r?.satisfaction ?? 'unsatisfied';
        count(e.at, satisfaction === 'satisfied' ? 'ratedSatisfied' : satisfaction === 'basically' ? 'ratedBasic' : 'ratedUnsatisfied');
        if (r?.resolved) count(e.at, 'ratedResolved');
        if (answerOpen) {
          count(e.at, 'answersDecided');
          if (r?.resolved) count(e.at, 'answersResolved');
          answerOpen = false;
        }
        break;
      }
      case 'close':
        count(e.at, 'closed');
        // Closed 7 days after the answer without a rating or a reopen: the answer stands.
        if (answerOpen) {
          count(e.at, 'answersDecided');
          count(e.at, 'answersResolved');
          answerOpen = false;
        }
        break;
      case 'reopen':
        count(e.at, 'reopened');
        if (answerOpen) {
          count(e.at, 'answersDecided');
          answerOpen = false;
        }
        handlingStart = e.at;
        handlingReplied = false;
        break;
      case 'overdue': {
        const step = state === 'submitted' || state === 'accepted' ? 'overdueAccept' : state === 'assigned' && !contacted ? 'overdueFirstContact' : 'overdueResolve';
        count(e.at, step);
        break;
      }
      default:
        break;
    }
    if (e.to) state = e.to;
  }
  // The accept deadline passed with no answer by then (answered later or not yet): late, at the deadline.
  if (!respondedInTime && a.acceptBy <= until) count(a.acceptBy, 'responseDue');
  closeHandling(until);
  return facts;
}

/**
 * How the rating of the `rate` event `events[i]` counts on its day: as given, unless a reopen
 * withdrew it before that China day ended (then null: 不满意, not resolved). Only the day's events
 * decide it, so a reopen on a later day changes nothing the day counted.
 *
 * A `rate` event recorded before events kept their rating has none: the appeal's rating in force
 * is its only record, so such a rating counts as given while in force, and as withdrawn (as before
 * this was kept) once a reopen cleared it, on whatever day; nothing else remembers what it said.
 */
function ratingOf(a: AppealTimeline, events: readonly TimelineEventFacts[], i: number): { resolved: boolean; satisfaction: string } | null {
  const e = events[i];
  if (!e.rating) return a.rating && a.rating.at.getTime() === e.at.getTime() ? a.rating : null;
  // After a rating the appeal is closed: its next move, if any, is the reopen that withdraws it.
  const reopen = events.slice(i + 1).find((x) => x.action === 'reopen');
  return reopen && chinaDay(reopen.at) === chinaDay(e.at) ? null : e.rating;
}

/** A cell of the figures: the appeal's region (leaf path), department, category and channel. */
export interface CellKey {
  regionPath: string;
  departmentId: string | null;
  categoryId: string | null;
  channel: string;
}
export const cellId = (day: string, c: CellKey) => `${day}|${c.regionPath}|${c.departmentId ?? '-'}|${c.categoryId ?? '-'}|${c.channel}`;

/** The facts of appeals in [from, to) and up to `until`, tallied per China day and cell. */
export function tallyByDayAndCell(appeals: Iterable<AppealTimeline>, from: Date, to: Date, until: Date): Map<string, { day: string; cell: CellKey; tally: Tally }> {
  const out = new Map<string, { day: string; cell: CellKey; tally: Tally }>();
  for (const a of appeals) addAppeal(out, a, from, to, until);
  return out;
}

/**
 * The cell of an appeal's facts of a China day: its department and category as they were at the
 * day's end, that is before the first move after it that changed either (the event's `before`),
 * or as they are now when none has since. Region and channel are written at filing and never change.
 *
 * Moves made before events recorded `before` (older appeals) left no record of the department or
 * category they replaced: the timeline says a 派单 or 改派 happened and its note may name the new
 * unit in words, but not which unit it had before. For the days before such a move the best
 * knowledge is the appeal's fields now (what the figures used before), which is what a day gets
 * when no recorded change follows it.
 */
export function cellsOf(a: AppealTimeline): (day: string, at: Date) => CellKey {
  const now: CellKey = { regionPath: a.regionPath, departmentId: a.departmentId, categoryId: a.categoryId, channel: a.channel };
  const changes = a.events.filter((e) => e.before).sort((x, y) => x.at.getTime() - y.at.getTime());
  if (changes.length === 0) return () => now;
  const byDay = new Map<string, CellKey>();
  return (day, at) => {
    let cell = byDay.get(day);
    if (!cell) {
      const end = dayStart(dayIndexOf(at) + 1);
      const next = changes.find((e) => e.at >= end);
      cell = next ? { ...now, departmentId: next.before!.departmentId, categoryId: next.before!.categoryId } : now;
      byDay.set(day, cell);
    }
    return cell;
  };
}

export function addAppeal(out: Map<string, { day: string; cell: CellKey; tally: Tally }>, a: AppealTimeline, from: Date, to: Date, until: Date): void {
  const cellOf = cellsOf(a);
  for (const f of factsOf(a, until)) {
    if (f.at < from || f.at >= to) continue;
    const day = chinaDay(f.at);
    const cell = cellOf(day, f.at);
    const id = cellId(day, cell);
    let entry = out.get(id);
    if (!entry) out.set(id, (entry = { day, cell, tally: emptyTally() }));
    if ('count' in f) entry.tally[f.count]++;
    else entry.tally[f.duration].push(f.seconds);
  }
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The four rates: numerator, denominator, and their quotient (null when nothing is due). */
export const RATES = {
  response: { label: '响应率', numerator: 'responseOnTime', denominator: 'responseDue' },
  resolution: { label: '解决率', numerator: 'answersResolved', denominator: 'answersDecided' },
  satisfaction: { label: '满意率', numerator: ['ratedSatisfied', 'ratedBasic'], denominator: 'rated' },
  onTime: { label: '按期办结率', numerator: 'resolveOnTime', denominator: 'resolveDue' },
} as const satisfies Record<string, { label: string; numerator: CountName | readonly CountName[]; denominator: CountName }>;
export type RateName = keyof typeof RATES;

/** Each rate's formula, as the API description and the README write it. */
export const RATE_TEXT: Record<RateName, string> = {
  response:
    '响应率 = appeals answered by a dispatcher (受理, 不予受理 or 合并; a direct dispatch at filing) by their accept deadline / appeals whose accept deadline was decided in the period (met at that move, or passed unanswered at the deadline). Counted when decided, so it follows the period\'s receipts by the accept time (2 h by default) and is final when the period ends.',
  resolution:
    '解决率 = answers judged resolved / answers decided in the period. An answer (答复) is decided by the first of: the resident\'s rating (resolved if they said 已解决), the automatic close 7 days after an unrated answer (resolved), or a reopen (not resolved). Counted on the day of the decision.',
  satisfaction:
    '满意率 = (满意 + 基本满意) / ratings given in the period. Answers closed without a rating are not in it; a rating withdrawn by a reopen the same day counts as 不满意 (a reopen on a later day leaves the rating\'s day as it was).',
  onTime:
    '按期办结率 = handlings answered by their resolve deadline / handlings whose resolve deadline was decided in the period (answered in time, or the deadline passed unanswered). A handling starts at filing and again at each reopen, with the category\'s resolve time; appeals rejected or merged before their deadline are not due.',
};

/** Counts summed over cells → the rates. */
export function ratesOf(t: Counts): Record<RateName, { value: number | null; numerator: number; denominator: number }> {
  const out = {} as Record<RateName, { value: number | null; numerator: number; denominator: number }>;
  for (const [name, def] of Object.entries(RATES) as [RateName, (typeof RATES)[RateName]][]) {
    const parts: readonly CountName[] = typeof def.numerator === 'string' ? [def.numerator] : def.numerator;
    const numerator = parts.reduce((s, p) => s + t[p], 0);
    const denominator = t[def.denominator];
    out[name] = { value: denominator ? Math.round((numerator / denominator) * 10000) / 10000 : null, numerator, denominator };
  }
  return out;
}
