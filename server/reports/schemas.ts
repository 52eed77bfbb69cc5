/**
 * The reports API's shapes: the query of the monthly report. The report itself is a spreadsheet
 * (workbook.ts), described in the OpenAPI document by its media type.
 */
import { z } from 'zod';
import { isoMonth } from '../core/validate';

export const MonthlyReportQuery = z.strictObject({
  month: isoMonth.describe('The month, YYYY-MM (China time); the current month gives the figures so far'),
});
export type MonthlyReportQuery = z.infer<typeof MonthlyReportQuery>;

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
