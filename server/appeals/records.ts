import type { AppContext } from '../context';
import { recordsOf } from '../db/records';
import { appealModels } from './model';

/** The appeals as records, written as given: the demo seed writes the appeals this feature produced in its sandbox. */
export const appealRecords = (ctx: AppContext) => recordsOf(appealModels(ctx.conn).Appeal);
