import type { AppContext } from '../context';
import { recordsOf } from '../db/records';
import { serviceDirectoryModels } from './model';

/** The directory's entries as records, written as given (the demo seed's services). */
export const serviceRecords = (ctx: AppContext) => recordsOf(serviceDirectoryModels(ctx.conn).ServiceEntry);
