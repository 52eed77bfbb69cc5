import type { AppContext } from '../context';
import { recordsOf } from '../db/records';
import { outboxModels } from './model';

/** The outbox as records, written as given (the demo seed's deliveries, already sent). */
export const outboxRecords = (ctx: AppContext) => recordsOf(outboxModels(ctx.conn).Outbox);
