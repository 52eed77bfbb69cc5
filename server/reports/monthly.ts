/**
 * The monthly report of a caller's scope (issue 17): the figures of the month beside the month
 * before (the measures' face), the published rankings, the 督办 flags of the month and every
 * appeal filed in it (the appeals' face, in the caller's work scope), written into the response
 * as a stream. Nothing here reads another feature's collections.
 */
import { once } from 'node:events';
import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { badRequest } from '../core/errors';
import { appealReportRows } from '../appeals';
import { measureService, previousMonth, RANKING_TEXT, RATE_TEXT } from '../measures';
import { regionLookup } from '../regions';
import { departmentService } from '../departments';
import { chinaDayStart, chinaIsoDate } from '../../common/china-time';
import { XLSX_TYPE } from './schemas';
import { writeMonthlyReport, type RankedBy } from './workbook';

/** `2026-11` → `2026-12`. */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The download's names: ASCII for old clients, the county's Chinese name in RFC 5987 `filename*`. */
export function contentDisposition(countyName: string, month: string): string {
  const chinese = `${countyName}诉求月报-${month}.xlsx`;
  return `attachment; filename="xianrong-${month}.xlsx"; filename*=UTF-8''${encodeURIComponent(chinese)}`;
}

export function monthlyReports(ctx: AppContext) {
  const measures = measureService(ctx);
  const rows = appealReportRows(ctx);
  const regions = regionLookup(ctx);
  const departments = departmentService(ctx);

  /** Whose appeals the report holds, in words: 全县, or the caller's regions and department. */
  async function scopeLabel(user: AuthUser): Promise<string> {
    if (user.roles.includes('admin')) return '全县';
    const names = [...(await regions.namesOf(user.scopeRegionIds)).values()];
    const county = await regions.countyName();
    const parts = names.map((n) => (n === county ? '全县' : n));
    if (user.roles.includes('department_staff') && user.departmentId) parts.push((await departments.nameOf(user.departmentId)) ?? '本部门');
    return parts.length ? [...new Set(parts)].join('、') : '无';
  }

  return {
    /** Streams the report of `month` into `res`; a month that has not started is a 400 before anything is sent. */
    async send(user: AuthUser, month: string, req: Request, res: Response): Promise<void> {
      const now = ctx.now();
      const today = chinaIsoDate(now);
      if (month > today.slice(0, 7)) throw badRequest(`月份（month）${month} 尚未开始，不能生成月报`, [{ path: 'query.month', message: '该月尚未开始' }]);
      const next = nextMonth(month);
      const lastDay = chinaIsoDate(chinaDayStart(`${next}-01`).getTime() - 1);
      const inProgress = lastDay >= today;
      const to = inProgress ? today : lastDay;
      const last = previousMonth(month);
      const lastEnd = chinaIsoDate(chinaDayStart(`${month}-01`).getTime() - 1);
      const by: RankedBy[] = ['township', 'community', 'department'];
      // Everything small is read before the first byte, so a failure there is still a plain JSON error.
      const [figures, previous, ranked, countyName, scope] = await Promise.all([
        measures.figures(user, { from: `${month}-01`, to }),
        measures.figures(user, { from: `${last}-01`, to: lastEnd }),
        Promise.all(by.map((b) => measures.rankings({ month, by: b }))),
        regions.countyName(),
        scopeLabel(user),
      ]);
      const county = countyName ?? '本县';
      const from = chinaDayStart(`${month}-01`);
      const until = chinaDayStart(`${next}-01`);

      let closed = false;
      const gone = once(res, 'close').then(() => {
        closed = true;
      });
      res.status(200);
      res.setHeader('Content-Type', XLSX_TYPE);
      res.setHeader('Content-Disposition', contentDisposition(county, month));
      res.setHeader('Cache-Control', 'private, no-store');
      try {
        const written = writeMonthlyReport(
          res,
          {
            countyName: county,
            scopeLabel: scope,
            month,
            previousMonth: last,
            asOf: inProgress ? today : null,
            generatedAt: now,
            figures: { month: figures, previous },
            rateText: RATE_TEXT,
            rankingText: RANKING_TEXT,
            rankings: { township: ranked[0].items, community: ranked[1].items, department: ranked[2].items },
            overdue: rows.overdue(user, from, until),
            appeals: rows.filed(user, from, until),
          },
          { stopped: () => closed || res.destroyed, gone },
        );
        // After the client left nobody awaits the writer: its late failure (a write to the closed
        // response) must not become an unhandled rejection.
        written.catch(() => {});
        // A client that leaves mid-file never lets the response finish: stop waiting then.
        await Promise.race([written, gone]);
      } catch (err) {
        if (!res.headersSent) {
          // Nothing sent yet: the error middleware answers it as JSON.
          res.removeHeader('Content-Disposition');
          throw err;
        }
        // The headers (and maybe part of the file) are out: no JSON error can follow. Cut the
        // connection so the client sees a broken download, not a truncated file that looks whole.
        req.log?.error({ err }, 'monthly report failed mid-stream');
        res.destroy();
      }
    },
  };
}
