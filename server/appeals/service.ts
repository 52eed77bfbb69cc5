/**
 * The appeals feature as the routes and the bot gateway use it: filing from each channel, the
 * moves, the reads. Every change kicks the notification relay (notify.ts), which the deadline
 * scheduler also runs, so a notification missed by a crash is sent by the next sweep.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AuthUser, JoinedWrite } from '../core/route';
import { forbidden, notFound } from '../core/errors';
import { appealModels, type AppealDoc } from './model';
import type { CreateAppealBody } from './schemas';
import { appealCreator, type CategorySuggester, type Filed } from './create';
import { appealMoves } from './moves';
import { appealQueries } from './queries';
import { appealCounter } from './counts';
import { canRead, standingOf } from './scope';
import { coversRegion, userService } from '../users';
import { regionLookup } from '../regions';
import { actorOf } from './events';
import { notificationRelay } from './notify';

export interface AppealServiceOptions {
  /** The category suggestion for filings without a category (create.ts), handed in by app.ts. */
  suggest?: CategorySuggester;
}

export function appealService(ctx: AppContext, opts: AppealServiceOptions = {}) {
  const relay = notificationRelay(ctx);
  const creator = appealCreator(ctx, { suggest: opts.suggest, relay });
  const moves = appealMoves(ctx, (id) => relay.kick(id));
  const queries = appealQueries(ctx);
  const counter = appealCounter(ctx);

  return {
    moves,
    /** A list's page; sent from the cache when given the request (queries.ts). */
    list: queries.list,
    /** The workbench badges, sent from the cache (counts.ts). */
    counts: counter.respond,
    similar: queries.similar,

    async read(user: AuthUser, id: string): Promise<AppealDoc> {
      const a = await appealModels(ctx.conn).Appeal.findById(id).lean<AppealDoc>();
      if (!a || !canRead(standingOf(user, a), a.isPublic)) throw notFound('诉求');
      return a;
    },

    /**
     * The mini-program's form. A resident files for themselves; a grid worker (代报, in their grids)
     * and a dispatcher (热线代录, in their regions) file for the person named in `reporter`.
     * `within`: the request filing; its one stamp read (made for its identity) serves every cached
     * read of the filing: the reporter, the reference data and the relay's rosters. `write`: the
     * request's default write limit, counted with the filing limits (create.ts).
     */
    async create(user: AuthUser, body: CreateAppealBody, within?: object, write?: JoinedWrite): Promise<Filed> {
      const me = new Types.ObjectId(user.id);
      let reporter: { id: Types.ObjectId | null; name: string; phone: string | null };
      let role: 'resident' | 'grid_worker' | 'dispatcher' = 'resident';
      if (body.channel) {
        role = body.channel === 'grid_worker' ? 'grid_worker' : 'dispatcher';
        if (!user.roles.includes(role) && !user.roles.includes('admin')) throw forbidden(body.channel === 'grid_worker' ? '只有网格员可以代报' : '只有调度员可以热线代录');
        const regionPath = await regionLookup(ctx).pathOf(body.regionId);
        // In the regions of the role they file in: a grid worker's grids, a dispatcher's township.
        if (regionPath !== null && !coversRegion(user, regionPath, [role])) {
          throw forbidden('只能为自己负责区域内的群众代报、代录');
        }
        reporter = { id: null, name: body.reporter!.name, phone: body.reporter!.phone };
      } else {
        if (!user.roles.includes('resident')) throw forbidden('工作人员请使用代报或热线代录');
        const u = await userService(ctx).reporterDetails(me, within);
        reporter = { id: me, name: u?.name ?? user.name, phone: u?.phone ?? null };
      }
      const filed = await creator.file({
        idempotencyKey: body.idempotencyKey,
        submittedById: me,
        submitter: actorOf(user, role),
        channel: body.channel ?? 'miniprogram',
        kind: body.kind,
        categoryId: body.categoryId,
        description: body.description,
        photoIds: body.photoIds,
        photoOwnerId: user.id,
        regionId: body.regionId,
        place: body.place,
        location: body.location,
        isPublic: body.isPublic,
        isAnonymous: body.isAnonymous,
        reporterId: reporter.id,
        reporterName: reporter.name,
        reporterPhone: reporter.phone,
        within,
        write,
      });
      if (filed.created) relay.kick(filed.appeal._id, filed.appeal, within);
      return filed;
    },

    file: creator.file,
    relay,
  };
}
export type AppealService = ReturnType<typeof appealService>;
