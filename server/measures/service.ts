/**
 * A period's figures for a caller, whole (figures), per unit (groups) or per step (series): the
 * cells in the caller's scope and the filters (cells.ts), summed. The dashboard puts them together.
 */
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { badRequest } from '../core/errors';
import { regionLookup } from '../regions';
import { emptyTally, median, ratesOf, type CellKey, type Tally } from './formulas';
import { periodCells, scopeOf, type DaySpan, type Scope } from './cells';
import { unitOf, unitsOf } from './groups';
import { measureRankings, monthOf, monthSpan, previousMonth, type RankedDimension } from './rankings';
import { dayIndexOf, dayIndexOfIso, dayKey, dayStart } from './days';
import { chinaIsoDate } from '../../common/china-time';
import type { Dashboard, Groups, GroupsQuery, Measures, MeasuresQuery, Series, SeriesQuery } from './schemas';

/** How long the dashboard's figures are reused: the big screen refreshes each minute, many may watch. */
export const DASHBOARD_TTL_MS = 30_000;

type Filters = Omit<MeasuresQuery, 'from' | 'to'>;

export function measureService(ctx: AppContext) {
  const cells = periodCells(ctx);
  const rankings = measureRankings(ctx, cells);
  const dashboards = new Map<string, { until: number; value: Promise<Dashboard> }>();

  /** The cells the filters keep, and a name for them (the memo's key). */
  async function filtersOf(q: Filters): Promise<{ wanted: (c: CellKey) => boolean; key: string }> {
    let regionPath: string | null = null;
    if (q.regionId) {
      regionPath = await regionLookup(ctx).pathOf(q.regionId);
      if (regionPath === null) throw badRequest('区域不存在', [{ path: 'query.regionId', message: '不存在' }]);
    }
    return {
      wanted: (c) =>
        (!regionPath || c.regionPath.startsWith(regionPath)) &&
        (!q.departmentId || c.departmentId === q.departmentId) &&
        (!q.categoryId || c.categoryId === q.categoryId) &&
        (!q.channel || c.channel === q.channel),
      key: JSON.stringify([regionPath, q.departmentId ?? null, q.categoryId ?? null, q.channel ?? null]),
    };
  }
  const spanOf = (q: { from: string; to: string }): DaySpan => ({ first: dayIndexOfIso(q.from), last: dayIndexOfIso(q.to) });

  /** The period's cells in the scope (null: the county) and the filters, summed into one tally. */
  async function total(scope: Scope | null, span: DaySpan, q: Filters) {
    const f = await filtersOf(q);
    const { tallies, days } = await cells.tally(span, { scope, wanted: f.wanted, keyOf: () => '', key: `total:${f.key}` });
    return { tally: tallies.get('') ?? emptyTally(), days };
  }

  async function figures(user: AuthUser, q: MeasuresQuery): Promise<Measures> {
    const { tally, days } = await total(scopeOf(user), spanOf(q), q);
    return { from: q.from, to: q.to, ...present(tally), days };
  }

  async function groups(scope: Scope | null, q: GroupsQuery): Promise<Groups> {
    const f = await filtersOf(q);
    const [{ tallies }, units] = await Promise.all([
      cells.tally(spanOf(q), { scope, wanted: f.wanted, keyOf: (_d, c) => unitOf(q.by, c), key: `unit:${q.by}:${f.key}` }),
      unitsOf(ctx, q.by),
    ]);
    const names = new Map(units.map((u) => [u.id, u.name]));
    const items = [...tallies]
      .map(([id, t]) => ({ id, name: names.get(id) ?? '已删除', counts: headCounts(t), rates: ratesOf(t) }))
      .sort((a, b) => b.counts.received - a.counts.received || a.name.localeCompare(b.name, 'zh-CN'));
    return { from: q.from, to: q.to, by: q.by, items };
  }

  async function series(user: AuthUser, q: SeriesQuery): Promise<Series> {
    const span = spanOf(q);
    const steps = stepsOf(span, q.step);
    const stepOfDay = new Map<string, string>();
    steps.forEach((s, i) => {
      for (let d = s.first; d <= s.last; d++) stepOfDay.set(dayKey(d), String(i));
    });
    const f = await filtersOf(q);
    // Steps are named by their first day: a memo of one period's weeks serves only that period.
    const { tallies } = await cells.tally(span, { scope: scopeOf(user), wanted: f.wanted, keyOf: (day) => stepOfDay.get(day) ?? null, key: `steps:${q.step}:${span.first}:${f.key}` });
    const iso = (d: number) => chinaIsoDate(dayStart(d));
    return {
      from: q.from,
      to: q.to,
      step: q.step,
      items: steps.map((s, i) => {
        const t = tallies.get(String(i)) ?? emptyTally();
        return { from: iso(s.first), to: iso(s.last), counts: headCounts(t), rates: ratesOf(t) };
      }),
    };
  }

  async function dashboard(scope: Scope | null): Promise<Dashboard> {
    const now = ctx.now();
    const month = monthOf(now);
    const today = chinaIsoDate(now);
    const last = previousMonth(month);
    const thisMonth = { from: `${month}-01`, to: today };
    const [todays, monthly, before, ranking, byCategory, byTownship] = await Promise.all([
      total(scope, { first: dayIndexOf(now), last: dayIndexOf(now) }, {}),
      total(scope, spanOf(thisMonth), {}),
      total(scope, monthSpan(last), {}),
      rankings.rank(month, 'township'),
      groups(scope, { ...thisMonth, by: 'category' }),
      groups(scope, { ...thisMonth, by: 'township' }),
    ]);
    return {
      at: now.toISOString(),
      today: headCounts(todays.tally),
      month: { month, counts: headCounts(monthly.tally), rates: ratesOf(monthly.tally) },
      previousMonth: { month: last, rates: ratesOf(before.tally) },
      ranking: ranking.items,
      byCategory: byCategory.items,
      byTownship: byTownship.items,
    };
  }

  /** The dashboard of a scope (null: the county), read at most once per DASHBOARD_TTL_MS for each. */
  function sharedDashboard(scope: Scope | null): Promise<Dashboard> {
    const key = JSON.stringify(scope);
    const at = ctx.now().getTime();
    const hit = dashboards.get(key);
    if (hit && hit.until > at) return hit.value;
    const value = dashboard(scope);
    dashboards.set(key, { until: at + DASHBOARD_TTL_MS, value });
    // A failed read is not kept: the next refresh tries again.
    value.catch(() => dashboards.delete(key));
    return value;
  }

  return {
    figures,
    groups: (user: AuthUser, q: GroupsQuery) => groups(scopeOf(user), q),
    series,
    rankings: (q: { month: string; by: RankedDimension }) => rankings.rank(q.month, q.by),
    /** The caller's dashboard (their scope). */
    dashboard: (user: AuthUser) => sharedDashboard(scopeOf(user)),
    /** The county's dashboard, for a big screen signed in with its key (screens.ts). */
    countyDashboard: () => sharedDashboard(null),
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

/**
 * What a tally shows, kept per tally object: a period of rolled-up days comes back as the same
 * memoized tally at every request (cells.ts), so its medians are sorted once, not per request.
 * Weak keys: a tally the memo dropped goes with its presentation.
 */
const presented = new WeakMap<Tally, Omit<Measures, 'from' | 'to' | 'days'>>();
function present(t: Tally): Omit<Measures, 'from' | 'to' | 'days'> {
  let p = presented.get(t);
  if (!p) presented.set(t, (p = presentNow(t)));
  return p;
}

function presentNow(t: Tally): Omit<Measures, 'from' | 'to' | 'days'> {
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
