/**
 * The cells of a period, each once: the rolled-up days from `measurecells`, the rest (today, days
 * not rolled up yet) from the timelines now, both tallied by formulas.ts. The figures, the
 * groupings, the series and the rankings all read a period through here, so they agree.
 */
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { pathPrefixRegex } from '../regions';
import { readScopePaths } from '../users';
import type { Role } from '../../common/roles';
import type { CellKey, Tally } from './formulas';
import { measureModels, type MeasureCellDoc } from './model';
import { computeDays, SPAN_DAYS } from './rollup';
import { dayIndexOf, dayKey, spans } from './days';

const REGION_ROLES: readonly Role[] = ['grid_worker', 'community_staff', 'dispatcher'];

/** Who sees which cells: null for everything (admins), else region subtrees and a department. */
export interface Scope {
  paths: string[];
  departmentId: string | null;
}

export function scopeOf(user: AuthUser): Scope | null {
  if (user.roles.includes('admin')) return null;
  const paths = readScopePaths(user, REGION_ROLES);
  // Every appeal lies under the county: a county-wide dispatcher sees everything.
  if (paths.some((p) => p.split('/').filter(Boolean).length === 1)) return null;
  return { paths, departmentId: user.roles.includes('department_staff') ? user.departmentId : null };
}

export const inScope = (s: Scope | null, c: CellKey) => !s || s.paths.some((p) => c.regionPath.startsWith(p)) || (!!s.departmentId && c.departmentId === s.departmentId);

/** A period as China day numbers, both included. */
export interface DaySpan {
  first: number;
  last: number;
}

/** How a period was read: days from the rollup, days computed from the timelines now. */
export interface DaysRead {
  rolledUp: number;
  live: number;
}

export type CellVisit = (day: string, cell: CellKey, tally: Tally) => void;

export function periodCells(ctx: AppContext) {
  const { MeasureCell, MeasureDay } = measureModels(ctx.conn);

  return {
    /**
     * Calls `visit` once per (day, cell) of the period in `scope` that `wanted` keeps. Days after
     * today have nothing yet.
     */
    async each(span: DaySpan, scope: Scope | null, wanted: (c: CellKey) => boolean, visit: CellVisit): Promise<DaysRead> {
      const now = ctx.now();
      const today = dayIndexOf(now);
      const { first } = span;
      const last = Math.min(span.last, today);
      if (first > last || (scope && scope.paths.length === 0 && !scope.departmentId)) return { rolledUp: 0, live: 0 };
      const keep = (c: CellKey) => inScope(scope, c) && wanted(c);
      const rolled = new Set(
        (await MeasureDay.find({ _id: { $gte: dayKey(first), $lte: dayKey(Math.min(last, today - 1)) }, done: true }, { _id: 1 }).lean<{ _id: string }[]>()).map((d) => d._id),
      );
      const live: number[] = [];
      for (let i = first; i <= last; i++) if (!rolled.has(dayKey(i))) live.push(i);
      const rolledUp = last - first + 1 - live.length;
      if (rolledUp > 0) {
        const days = { day: { $gte: dayKey(first), $lte: dayKey(last) } };
        const where = scope ? { ...days, $or: [...scope.paths.map((p) => ({ regionPath: pathPrefixRegex(p) })), ...(scope.departmentId ? [{ departmentId: scope.departmentId }] : [])] } : days;
        for await (const c of MeasureCell.find(where).lean<MeasureCellDoc>().cursor()) {
          const cell = c as unknown as MeasureCellDoc;
          if (rolled.has(cell.day) && keep(cell)) visit(cell.day, cell, cell);
        }
      }
      for (const [a, b] of spans(live, SPAN_DAYS)) {
        for (const { day, cell, tally } of (await computeDays(ctx, a, b, now)).values()) if (keep(cell)) visit(day, cell, tally);
      }
      return { rolledUp, live: live.length };
    },
  };
}
