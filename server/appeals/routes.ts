import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { route } from '../core/route';
import { idParams } from '../core/validate';
import { auditService } from '../audit';
import type { Role } from '../../common/roles';
import type { AppealDoc } from './model';
import {
  AcceptBody,
  AppealCounts,
  AppealDetail,
  AppealPage,
  AssignBody,
  CreateAppealBody,
  FollowBody,
  ListAppealsQuery,
  MergeBody,
  RateBody,
  RejectBody,
  RemindBody,
  ReopenBody,
  ReplyBody,
  ReturnBody,
  ReviewBody,
  SimilarList,
  SimilarQuery,
  StartBody,
  TransferBody,
} from './schemas';
import { appealService, type AppealServiceOptions } from './service';
import { toDetail } from './views';
import { UnpublishBody } from './board-schemas';
import { publicBoard } from './board';

const DISPATCH: readonly Role[] = ['dispatcher'];
const HANDLE: readonly Role[] = ['department_staff'];
/** Residents, and staff filing for someone else (grid workers' 代报, dispatchers' 热线代录). */
const FILE: readonly Role[] = ['resident', 'grid_worker', 'dispatcher'];

/** `suggest`: the category suggestion (app.ts), so a 代报 or 热线代录 without a category gets one, and a sure one is dispatched directly. */
export function appealRoutes(ctx: AppContext, opts: AppealServiceOptions = {}) {
  const appeals = appealService(ctx, opts);
  const audit = auditService(ctx);
  const board = publicBoard(ctx);

  /** The detail as this caller may see it; reads of someone else's personal data are audited. */
  async function detail(user: AuthUser, a: AppealDoc): Promise<AppealDetail> {
    const { detail: d, personal } = toDetail(a, user, ctx.now());
    if (personal) await audit.record(user.id, 'appeal.read_personal', 'appeal', String(a._id));
    return d;
  }

  return [
    route({
      method: 'post', path: '/', summary: '提交诉求（居民；网格员代报、调度员热线代录）', access: FILE, body: CreateAppealBody, response: AppealDetail, status: 201,
      // The default write limit counted with the filing limits in one write (appeals/limits.ts).
      limit: 'joined',
      handler: async ({ body, user, req, res, write }) => {
        const { appeal, created } = await appeals.create(user!, body, req, write);
        // A retry answers 200 with the first appeal.
        if (!created) res.locals.status = 200;
        return detail(user!, appeal);
      },
    }),
    route({ method: 'get', path: '/', summary: '诉求列表（按角色范围；超期优先，游标分页）', access: 'user', query: ListAppealsQuery, response: AppealPage, handler: ({ query, user, req, res }) => appeals.list(user!, query, { req, res }) }),
    route({ method: 'get', path: '/counts', summary: '各状态诉求数（工作台角标）', access: 'user', response: AppealCounts, handler: ({ user, req, res }) => appeals.counts(user!, { req, res }) }),
    route({ method: 'get', path: '/similar', summary: '同类诉求（同问）', access: 'user', query: SimilarQuery, response: SimilarList, handler: ({ query, user }) => appeals.similar(user!, query.categoryId, query.regionId) }),
    route({ method: 'get', path: '/:id', summary: '诉求详情', access: 'user', params: idParams, response: AppealDetail, handler: async ({ params, user }) => detail(user!, await appeals.read(user!, params.id)) }),
    route({ method: 'post', path: '/:id/accept', summary: '受理', access: DISPATCH, params: idParams, body: AcceptBody, response: AppealDetail, handler: async ({ params, body, user }) => detail(user!, await appeals.moves.accept(user!, params.id, body)) }),
    route({ method: 'post', path: '/:id/reject', summary: '不予受理', access: DISPATCH, params: idParams, body: RejectBody, response: AppealDetail, handler: async ({ params, body, user }) => detail(user!, await appeals.moves.reject(user!, params.id, body)) }),
    route({ method: 'post', path: '/:id/merge', summary: '合并重复诉求', access: DISPATCH, params: idParams, body: MergeBody, response: AppealDetail, handler: async ({ params, body, user }) => detail(user!, await appeals.moves.merge(user!, params.id, body)) }),
    route({ method: 'post', path: '/:id/assign', summary: '派单', access: DISPATCH, params: idParams, body: AssignBody, response: AppealDetail, handler: async ({ params, body, user }) => detail(user!, await appeals.moves.assign(user!, params.id, body)) }),
    route({ method: 'post', path: '/:id/transfer', summary: '改派', access: DISPATCH, params: idParams, body: TransferBody, response: AppealDetail, handler: async ({ params, body, user }) => detail(user!, await appeals.moves.transfer(user!, params.id, body)) }),
    route({ method: 'post', path: '/:id/review', summary: '复核直派', access: DISPATCH, params: idParams, body: ReviewBody, response: AppealDetail, handler: async ({ params, body, user }) => detail(user!, await appeals.moves.review(user!, params.id, body.note ?? null)) }),
    route({
      method: 'post', path: '/:id/unpublish', summary: '撤下公开诉求（说明原因；带上诉求版本）', access: DISPATCH, params: idParams, body: UnpublishBody, response: AppealDetail,
      handler: async ({ params, body, user }) => {
        const a = await board.unpublish(user!, params.id, body);
        appeals.relay.kick(a._id, a);
        return detail(user!, a);
      },
    }),
    route({ method: 'post', path: '/:id/return', summary: '退回（非本部门职责）', access: HANDLE, params: idParams, body: ReturnBody, response: AppealDetail, handler: async ({ params, body, user }) => detail(user!, await appeals.moves.return(user!, params.id, body)) }),
    route({ method: 'post', path: '/:id/start', summary: '开始办理', access: HANDLE, params: idParams, body: StartBody, response: AppealDetail, handler: async ({ params, body, user }) => detail(user!, await appeals.moves.start(user!, params.id, body)) }),
    route({ method: 'post', path: '/:id/reply', summary: '答复', access: HANDLE, params: idParams, body: ReplyBody, response: AppealDetail, handler: async ({ params, body, user }) => detail(user!, await appeals.moves.reply(user!, params.id, body)) }),
    route({ method: 'post', path: '/:id/rate', summary: '评价（回访）', access: 'user', params: idParams, body: RateBody, response: AppealDetail, handler: async ({ params, body, user }) => detail(user!, await appeals.moves.rate(user!, params.id, body)) }),
    route({ method: 'post', path: '/:id/reopen', summary: '不满意，重新办理（答复后7天内）', access: 'user', params: idParams, body: ReopenBody, response: AppealDetail, handler: async ({ params, body, user }) => detail(user!, await appeals.moves.reopen(user!, params.id, body)) }),
    route({ method: 'post', path: '/:id/remind', summary: '催办（每天一次）', access: 'user', params: idParams, body: RemindBody, response: AppealDetail, handler: async ({ params, body, user }) => detail(user!, await appeals.moves.remind(user!, params.id, body.note ?? null)) }),
    route({
      method: 'post', path: '/:id/follow', summary: '同问（加入相同诉求）', access: ['resident'], params: idParams, body: FollowBody, response: AppealDetail,
      handler: async ({ params, user }) => detail(user!, await appeals.moves.follow(user!, params.id)),
    }),
  ];
}
