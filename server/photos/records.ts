import type { AppContext } from '../context';
import { recordsOf } from '../db/records';
import { photoModels } from './model';

/** The photos' records (their files stay where they are): the seed's sandbox copies them, so articles can show covers. */
export const photoRecords = (ctx: AppContext) => recordsOf(photoModels(ctx.conn).Photo);
