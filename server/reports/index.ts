/**
 * The reports feature's face: the monthly report as a spreadsheet (GET /api/v1/reports/monthly.xlsx).
 * It has no data of its own: it reads the measures' figures and rankings (server/measures) and the
 * appeals' report rows (server/appeals, appealReportRows) through their faces.
 */
export { reportRoutes } from './routes';
export { MonthlyReportQuery, XLSX_TYPE } from './schemas';
