/**
 * A period's figures for a caller, whole (figures), per unit (groups) or per step (series): the
 * cells in the caller's scope and the filters (cells.ts), summed. The dashboard puts them together.
 */
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { badRequest } from '../core/errors';
import { regionLookup } from '../regions';
import { addTally, emptyTally, median, ratesOf, type CellKey, type Tally } from './formulas';
import { periodCells, scopeOf, type DaySpan } from './cells';
import { GroupTallies, unitsOf } from './groups';
import { measureRankings, monthOf, monthSpan, previousMonth } from './rankings';
import { dayIndexOf, dayIndexOfIso, dayKey, dayStart } from './days';
import { chinaIsoDate } from '../../common/china-time';
import type { Dashboard, Groups, GroupsQuery, Measures, MeasuresQuery, Series, SeriesQuery } from './schemas';

/** How long the dashboard's figures are reused: the big screen refreshes each minute, many may watch. */
export const DASHBOARD_TTL_MS = 30_000;

type Filters = Omit<MeasuresQuery, 'from' | 'to'>;

export function measureService(ctx: AppContext) {
  const cells = periodCells(ctx);
  const rankings = measureRankings(ctx);
  const dashboards = new Map<string, { until: number; value: Promise<Dashboard> }>();

  /** What a cell must be to count: in the filters (the scope is the cells' own rule). */
  async function wantedBy(q: Filters): Promise<(c: CellKey) => boolean> {
    let regionPath: string | null = null;
    if (q.regionId) {
      regionPath = await regionLookup(ctx).pathOf(q.regionId);
      if (regionPath === null) throw badRequest('区域不存在', [{ path: 'query.regionId', message: '不存在' }]);
    }
    return (c) =>
      (!regionPath || c.regionPath.startsWith(regionPath)) &&
      (!q.departmentId || c.departmentId === q.departmentId) &&
      (!q.categoryId || c.categoryId === q.categoryId) &&
      (!q.channel || c.channel === q.channel);
  }
  const spanOf = (q: { from: string; to: string }): DaySpan => ({ first: dayIndexOfIso(q.from), last: dayIndexOfIso(q.to) });

  async function figures(user: AuthUser, q: MeasuresQuery): Promise<Measures> {
    const total = emptyTally();
    const read = await cells.each(spanOf(q), scopeOf(user), await wantedBy(q), (_d, _c, t) => addTally(total, t));
    return { from: q.from, to: q.to, ...present(total), days: read };
  }

  async function groups(user: AuthUser, q: GroupsQuery): Promise<Groups> {
    const g = new GroupTallies(q.by);
    await cells.each(spanOf(q), scopeOf(user), await wantedBy(q), (_d, c, t) => g.add(c, t));
    const names = new Map((await unitsOf(ctx, q.by)).map((u) => [u.id, u.name]));
    const items = [...g.tallies]
      .map(([id, t]) => ({ id, name: names.get(id) ?? '已删除', counts: headCounts(t), rates: ratesOf(t) }))
      .sort((a, b) => b.counts.received - a.counts.received || a.name.localeCompare(b.name, 'zh-CN'));
    return { from: q.from, to: q.to, by: q.by, items };
  }

  async function series(user: AuthUser, q: SeriesQuery): Promise<Series> {
    const span = spanOf(q);
    const steps = stepsOf(span, q.step);
    const tallies = steps.map(() => emptyTally());
    const stepOfDay = new Map<string, number>();
    steps.forEach((s, i) => {
      for (let d = s.first; d <= s.last; d++) stepOfDay.set(dayKey(d), i);
    });
    await cells.each(span, scopeOf(user), await wantedBy(q), (day, _c, t) => addTally(tallies[stepOfDay.get(day)!], t));
    const iso = (d: number) => chinaIsoDate(dayStart(d));
    return { from: q.from, to: q.to, step: q.step, items: steps.map((s, i) => ({ from: iso(s.first), to: iso(s.last), counts: headCounts(tallies[i]), rates: ratesOf(tallies[i]) })) };
  }

  async function dashboard(user: AuthUser): Promise<Dashboard> {
    const now = ctx.now();
    const month = monthOf(now);
    const today = chinaIsoDate(now);
    const last = previousMonth(month);
    const lastSpan = monthSpan(last);
    const all = await wantedBy({});
    const scope = scopeOf(user);
    const thisMonth = { from: `${month}-01`, to: today };
    const sum = async (span: DaySpan) => {
      const t = emptyTally();
      await cells.each(span, scope, all, (_d, _c, x) => addTally(t, x));
      return t;
    };
    const [todays, monthly, before, ranking, byCategory, byTownship] = await Promise.all([
      sum({ first: dayIndexOf(now), last: dayIndexOf(now) }),
      sum(spanOf(thisMonth)),
      sum(lastSpan),
      rankings.rank(month, 'township'),
      groups(user, { ...thisMonth, by: 'category' }),
      groups(user, { ...thisMonth, by: 'township' }),
    ]);
    return {
      at: now.toISOString(),
      today: headCounts(todays),
      month: { month, counts: headCounts(monthly), rates: ratesOf(monthly) },
      previousMonth: { month: last, rates: ratesOf(before) },
      ranking: ranking.items,
      byCategory: byCategory.items,
      byTownship: byTownship.items,
    };
  }

  return {
    figures,
    groups,
    series,
    rankings: (q: { month: string; by: Parameters<typeof rankings.rank>[1] }) => rankings.rank(q.month, q.by),
    /** The dashboard, read at most once per DASHBOARD_TTL_MS for each scope. */
    dashboard(user: AuthUser): Promise<Dashboard> {
      const key = JSON.stringify(scopeOf(user));
      const at = ctx.now().getTime();
      const hit = dashboards.get(key);
      if (hit && hit.until > at) return hit.value;
      const value = dashboard(user);
      dashboards.set(key, { until: at + DASHBOARD_TTL_MS, value });
      // A failed read is not kept: the next refresh tries again.
      value.catch(() => dashboards.delete(key));
      return value;
    },
  };
}

/** The steps of a period: days, Monday-to-Sunday weeks, or calendar months, the first and last cut to the period. */
export function stepsOf(span: DaySpan, step: SeriesQuery['step']): DaySpan[] {
  const out: DaySpan[] = [];
  let start = span.first;
  while (start <= span.last) {
    let end: number;
    if (step === 'day') end = start;
    // Day 0 (1970-01-01) was a Thursday: (d + 3) % 7 is 0 on Mondays.
    else if (step === 'week') end = start + (6 - ((start + 3) % 7));
    else end = monthSpan(chinaIsoDate(dayStart(start)).slice(0, 7)).last;
    out.push({ first: start, last: Math.min(end, span.last) });
    start = end + 1;
  }
  return out;
}

const headCounts = (t: Tally) => ({
  received: t.received,
  accepted: t.accepted,
  replied: t.replied,
  closed: t.closed,
  rated: t.rated,
  overdue: t.overdueAccept + t.overdueFirstContact + t.overdueResolve,
  reopened: t.reopened,
});

const hours = (sec: number | null) => (sec === null ? null : Math.round((sec / 3600) * 100) / 100);

function present(t: Tally): Omit<Measures, 'from' | 'to' | 'days'> {
  return {
    counts: {
      received: t.received,
      accepted: t.accepted,
      rejected: t.rejected,
      merged: t.merged,
      overdue: { accept: t.overdueAccept, firstContact: t.overdueFirstContact, resolve: t.overdueResolve },
      replied: t.replied,
      closed: t.closed,
      rated: { total: t.rated, satisfied: t.ratedSatisfied, basic: t.ratedBasic, unsatisfied: t.ratedUnsatisfied, resolved: t.ratedResolved },
      reopened: t.reopened,
    },
    medians: { firstContactHours: hours(median(t.firstContactSec)), replyHours: hours(median(t.replySec)), assignmentSeconds: median(t.assignSec) },
    rates: ratesOf(t),
  };
}
