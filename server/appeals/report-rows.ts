/**
 * The appeals as the monthly report reads them (server/reports): in the caller's work scope (the
 * same clauses as the workbench lists, scope.ts), streamed with a cursor so that a month of 100k
 * appeals is never one array. A row says what the units did and when; it never names a person:
 * no reporter name, phone, contact or timeline actor leaves here, and the description is cut
 * short with phone, ID and house numbers masked (people/privacy.ts), so the file can be passed
 * around a township office.
 */
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { maskNamesIn, maskPrivateText } from '../people';
import { appealModels, type AppealDoc } from './model';
import { anyOf, workFilters, type Filter } from './scope';
import { FINAL_STATES, OPEN_STATES, type AppealChannel, type AppealKind, type AppealState } from './state-machine';
import type { Satisfaction } from '../../common/appeal-labels';

/** How much of the description a report row shows. */
export const REPORT_SUMMARY_CHARS = 60;

export interface ReportRow {
  number: string;
  kind: AppealKind;
  channel: AppealChannel;
  state: AppealState;
  categoryName: string | null;
  /** Township / community / grid, as filed. */
  regionName: string;
  departmentName: string | null;
  /** Masked and cut to REPORT_SUMMARY_CHARS. */
  summary: string;
  submittedAt: Date;
  acceptedAt: Date | null;
  assignedAt: Date | null;
  firstContactAt: Date | null;
  repliedAt: Date | null;
  closedAt: Date | null;
  resolveBy: Date;
  rating: { resolved: boolean; satisfaction: Satisfaction; at: Date } | null;
  reopened: number;
  overdueCount: number;
}

/** Which deadline a 督办 flag was raised for. */
export type OverdueStep = 'accept' | 'firstContact' | 'resolve';

export interface OverdueFlag {
  number: string;
  categoryName: string | null;
  regionName: string;
  departmentName: string | null;
  /** The appeal's state now. */
  state: AppealState;
  step: OverdueStep;
  /** The deadline that passed. */
  dueAt: Date;
  /** When the flag was raised. */
  flaggedAt: Date;
}

// Never reporterPhone, reporterEmail, reporterId, roomId, contacts or the timeline's actors; reporterName only to mask it in the summary.
const ROW_FIELDS = {
  number: 1, kind: 1, channel: 1, state: 1, categoryName: 1, regionName: 1, departmentName: 1, description: 1, reporterName: 1, submittedAt: 1,
  acceptedAt: 1, assignedAt: 1, firstContactAt: 1, repliedAt: 1, closedAt: 1, resolveBy: 1, rating: 1, overdueCount: 1, 'timeline.action': 1,
} as const;
const FLAG_FIELDS = {
  number: 1, state: 1, categoryName: 1, regionName: 1, departmentName: 1, submittedAt: 1, acceptBy: 1, firstContactBy: 1, resolveBy: 1,
  'timeline.at': 1, 'timeline.action': 1, 'timeline.to': 1,
} as const;

/** The work scope of a member of staff (an admin: every appeal); what they filed or follow is not their work. */
function workScope(user: AuthUser): Filter {
  return user.roles.includes('admin') ? {} : anyOf(workFilters(user));
}

const and = (a: Filter, b: Filter): Filter => (Object.keys(a).length === 0 ? b : { $and: [a, b] });

function summaryOf(description: string, reporterName: string): string {
  const chars = [...maskNamesIn(maskPrivateText(description), [reporterName]).replace(/\s+/g, ' ').trim()];
  return chars.length > REPORT_SUMMARY_CHARS ? chars.slice(0, REPORT_SUMMARY_CHARS).join('') + '…' : chars.join('');
}

/**
 * The 督办 flags of one timeline raised in [from, to), each with the deadline it was for: the step
 * the appeal was in (waiting for a dispatcher: accept; assigned and not yet contacted: first
 * contact; else resolve, whose deadline a reopen sets again: the current `resolveBy` minus the
 * start of the last handling gives the resolve time, as the measures read it).
 */
export function flagsOf(a: Pick<AppealDoc, 'submittedAt' | 'acceptBy' | 'firstContactBy' | 'resolveBy'> & { timeline: Pick<AppealDoc['timeline'][number], 'at' | 'action' | 'to'>[] }, from: Date, to: Date): { step: OverdueStep; dueAt: Date; flaggedAt: Date }[] {
  const events = [...a.timeline].sort((x, y) => x.at.getTime() - y.at.getTime());
  const reopens = events.filter((e) => e.action === 'reopen');
  const resolveMs = a.resolveBy.getTime() - (reopens.length ? reopens[reopens.length - 1].at : a.submittedAt).getTime();
  const out: { step: OverdueStep; dueAt: Date; flaggedAt: Date }[] = [];
  let state: AppealState | null = null;
  let contacted = false;
  let handlingStart = a.submittedAt;
  for (const e of events) {
    if (e.action === 'start' || e.action === 'reply') contacted = true;
    if (e.action === 'reopen') handlingStart = e.at;
    if (e.action === 'overdue') {
      if (e.at >= from && e.at < to) {
        const step: OverdueStep = state === 'submitted' || state === 'accepted' ? 'accept' : state === 'assigned' && !contacted ? 'firstContact' : 'resolve';
        const dueAt = step === 'accept' ? a.acceptBy : step === 'firstContact' ? a.firstContactBy : new Date(handlingStart.getTime() + resolveMs);
        out.push({ step, dueAt, flaggedAt: e.at });
      }
      continue;
    }
    if (e.to) state = e.to;
  }
  return out;
}

export function appealReportRows(ctx: AppContext) {
  const { Appeal } = appealModels(ctx.conn);
  return {
    /** Every appeal filed in [from, to) in the caller's work scope, in filing order, one at a time. */
    async *filed(user: AuthUser, from: Date, to: Date): AsyncGenerator<ReportRow> {
      const filter = and(workScope(user), { submittedAt: { $gte: from, $lt: to } });
      const cursor = Appeal.find(filter, ROW_FIELDS).sort({ submittedAt: 1 }).lean<AppealDoc>().cursor({ batchSize: 500 });
      for await (const raw of cursor) {
        const a = raw as unknown as AppealDoc;
        yield {
          number: a.number,
          kind: a.kind,
          channel: a.channel,
          state: a.state,
          categoryName: a.categoryName,
          regionName: a.regionName,
          departmentName: a.departmentName,
          summary: summaryOf(a.description, a.reporterName),
          submittedAt: a.submittedAt,
          acceptedAt: a.acceptedAt,
          assignedAt: a.assignedAt,
          firstContactAt: a.firstContactAt,
          repliedAt: a.repliedAt,
          closedAt: a.closedAt,
          resolveBy: a.resolveBy,
          rating: a.rating ? { resolved: a.rating.resolved, satisfaction: a.rating.satisfaction, at: a.rating.at } : null,
          reopened: a.timeline.filter((e) => e.action === 'reopen').length,
          overdueCount: a.overdueCount,
        };
      }
    },

    /**
     * The 督办 flags raised in [from, to) on appeals in the caller's work scope, whenever they were
     * filed: the appeals that may have an event then (filed before `to`, not finished before
     * `from`, as the measures' timelines read them) and were ever flagged.
     */
    async *overdue(user: AuthUser, from: Date, to: Date): AsyncGenerator<OverdueFlag> {
      const filter = and(workScope(user), {
        submittedAt: { $lt: to },
        overdueCount: { $gt: 0 },
        $or: [{ state: { $in: [...OPEN_STATES, 'replied' as const] } }, { state: { $in: [...FINAL_STATES] }, closedAt: { $gte: from } }],
      });
      // Unsorted: each branch runs on its own index (scope, {state, closedAt}); the sheet lists the flags as they come.
      const cursor = Appeal.find(filter, FLAG_FIELDS).lean<AppealDoc>().cursor({ batchSize: 500 });
      for await (const raw of cursor) {
        const a = raw as unknown as AppealDoc;
        for (const f of flagsOf(a, from, to)) {
          yield { number: a.number, categoryName: a.categoryName, regionName: a.regionName, departmentName: a.departmentName, state: a.state, ...f };
        }
      }
    },
  };
}
