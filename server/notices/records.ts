import type { AppContext } from '../context';
import { recordsOf } from '../db/records';
import { noticeModels } from './model';

/** The notices as records, written as given (the demo seed's notices). */
export const noticeRecords = (ctx: AppContext) => recordsOf(noticeModels(ctx.conn).Notice);
