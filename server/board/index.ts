/**
 * The public board's face (公开诉求): its routes, which read appeals through the appeals face
 * (`publicBoard`: the answered public appeals, masked) and the month's rates through the measures
 * face (`measureRankings`). It owns no data; the 撤下 move is the appeals' own.
 */
export { boardRoutes } from './routes';
export { BoardRates, BoardRatesQuery } from './schemas';
