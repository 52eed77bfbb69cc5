/**
 * A period's figures for a caller: the rolled-up days from `measurecells`, the rest (today, days
 * not rolled up yet) from the timelines now, both tallied by formulas.ts; then only the cells in
 * the caller's scope and the filters, summed.
 */
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { badRequest } from '../core/errors';
import { pathPrefixRegex, regionLookup } from '../regions';
import { readScopePaths } from '../users';
import type { Role } from '../../common/roles';
import { addTally, emptyTally, median, ratesOf, type CellKey, type Tally } from './formulas';
import { measureModels, type MeasureCellDoc } from './model';
import { computeDays, SPAN_DAYS } from './rollup';
import { dayIndexOf, dayIndexOfIso, dayKey, spans } from './days';
import type { Measures, MeasuresQuery } from './schemas';

const REGION_ROLES: readonly Role[] = ['grid_worker', 'community_staff', 'dispatcher'];

/** Who sees which cells: null for everything (admins), else region subtrees and a department. */
interface Scope {
  paths: string[];
  departmentId: string | null;
}

function scopeOf(user: AuthUser): Scope | null {
  if (user.roles.includes('admin')) return null;
  const paths = readScopePaths(user, REGION_ROLES);
  // Every appeal lies under the county: a county-wide dispatcher sees everything.
  if (paths.some((p) => p.split('/').filter(Boolean).length === 1)) return null;
  return { paths, departmentId: user.roles.includes('department_staff') ? user.departmentId : null };
}

const inScope = (s: Scope | null, c: CellKey) => !s || s.paths.some((p) => c.regionPath.startsWith(p)) || (!!s.departmentId && c.departmentId === s.departmentId);

export function measureService(ctx: AppContext) {
  const { MeasureCell, MeasureDay } = measureModels(ctx.conn);

  return {
    async figures(user: AuthUser, q: MeasuresQuery): Promise<Measures> {
      const scope = scopeOf(user);
      let regionPath: string | null = null;
      if (q.regionId) {
        regionPath = await regionLookup(ctx).pathOf(q.regionId);
        if (regionPath === null) throw badRequest('区域不存在', [{ path: 'query.regionId', message: '不存在' }]);
      }
      const wanted = (c: CellKey) =>
        inScope(scope, c) &&
        (!regionPath || c.regionPath.startsWith(regionPath)) &&
        (!q.departmentId || c.departmentId === q.departmentId) &&
        (!q.categoryId || c.categoryId === q.categoryId) &&
        (!q.channel || c.channel === q.channel);

      const now = ctx.now();
      const today = dayIndexOf(now);
      const first = dayIndexOfIso(q.from);
      // Days after today have nothing yet.
      const last = Math.min(dayIndexOfIso(q.to), today);
      const total = emptyTally();
      let rolledUp = 0;
      const live: number[] = [];
      if (first <= last && (!scope || scope.paths.length > 0 || scope.departmentId)) {
        const rolled = new Set(
          (await MeasureDay.find({ _id: { $gte: dayKey(first), $lte: dayKey(Math.min(last, today - 1)) }, done: true }, { _id: 1 }).lean<{ _id: string }[]>()).map((d) => d._id),
        );
        for (let i = first; i <= last; i++) if (!rolled.has(dayKey(i))) live.push(i);
        rolledUp = last - first + 1 - live.length;
        if (rolledUp > 0) {
          const days = { day: { $gte: dayKey(first), $lte: dayKey(last) } };
          const where = scope ? { ...days, $or: [...scope.paths.map((p) => ({ regionPath: pathPrefixRegex(p) })), ...(scope.departmentId ? [{ departmentId: scope.departmentId }] : [])] } : days;
          for await (const c of MeasureCell.find(where).lean<MeasureCellDoc>().cursor()) {
            const cell = c as unknown as MeasureCellDoc;
            if (rolled.has(cell.day) && wanted(cell)) addTally(total, cell);
          }
        }
        for (const [a, b] of spans(live, SPAN_DAYS)) {
          for (const { cell, tally } of (await computeDays(ctx, a, b, now)).values()) if (wanted(cell)) addTally(total, tally);
        }
      }
      return present(q, total, rolledUp, live.length);
    },
  };
}

const hours = (sec: number | null) => (sec === null ? null : Math.round((sec / 3600) * 100) / 100);

function present(q: MeasuresQuery, t: Tally, rolledUp: number, live: number): Measures {
  return {
    from: q.from,
    to: q.to,
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
    days: { rolledUp, live },
  };
}

