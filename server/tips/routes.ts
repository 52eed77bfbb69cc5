import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import type { AuthUser } from '../core/route';
import { route, type RouteDef } from '../core/route';
import { idParams } from '../core/validate';
import { requiredVersion, sendVersion } from '../core/versions';
import type { Role } from '../../common/roles';
import type { TipDoc } from './model';
import { CreateTipBody, FromAppealBody, FromAppealResult, ListTipsQuery, TipDetail, TipMoveBodies, TipPage } from './schemas';
import { NEWSROOM, tipService } from './service';
import { tipAppealMoves } from './appeal-moves';
import type { AppealServiceOptions } from '../appeals';
import { toDetail, toSummary } from './views';

/** The tips (爆料) routes: residents send and read their own; the newsroom reads the queue and moves tips. */
export function tipRoutes(ctx: AppContext, opts: AppealServiceOptions = {}): RouteDef[] {
  const tips = tipService(ctx);
  const between = tipAppealMoves(ctx, opts);
  const WRITERS: readonly Role[] = ['editor'];

  /** The detail as this caller may see it, with its ETag; a newsroom read of the tipster's name and phone is audited. */
  async function detail(user: AuthUser, res: Response, t: TipDoc): Promise<TipDetail> {
    const { detail: d, personal } = toDetail(t, user);
    if (personal) await tips.auditPersonal(user, t);
    sendVersion(res, d.version);
    return d;
  }
  const v = (req: Request, version: number | undefined) => requiredVersion(req, version);

  return [
    route({
      method: 'post', path: '/', summary: '爆料（居民；同一提交标识的重试返回第一次的爆料）', access: ['resident'], body: CreateTipBody, response: TipDetail, status: 201,
      handler: async ({ user, body, res }) => {
        const { tip, created } = await tips.create(user!, body);
        if (!created) res.locals.status = 200;
        return detail(user!, res, tip);
      },
    }),
    route({
      // Before '/:id': a dispatcher decides on submitted appeals, so the move from the appeal loop is theirs.
      method: 'post', path: '/from-appeal', summary: '诉求转为新闻线索（调度员；不予受理并转编辑部，重试只生成一条爆料）', access: ['dispatcher'], body: FromAppealBody, response: FromAppealResult, status: 201,
      handler: async ({ user, body, res }) => {
        const { result, created } = await between.fromAppeal(user!, body);
        if (!created) res.locals.status = 200;
        return result;
      },
    }),
    route({
      method: 'get', path: '/', summary: '爆料列表：本人的（view=mine），编辑部线索队列（view=queue，按状态）', access: 'user', query: ListTipsQuery, response: TipPage,
      handler: async ({ user, query }) => {
        const page = await tips.list(user!, query);
        return { items: page.items.map(toSummary), nextCursor: page.nextCursor };
      },
    }),
    route({ method: 'get', path: '/:id', summary: '爆料详情（爆料人本人与编辑部；爆料人同意联系时编辑部可见其姓名电话）', access: 'user', params: idParams, response: TipDetail, handler: async ({ user, params, res }) => detail(user!, res, await tips.get(user!, params.id)) }),
    route({ method: 'post', path: '/:id/take', summary: '认领爆料', access: NEWSROOM, params: idParams, body: TipMoveBodies.take, response: TipDetail, handler: async ({ user, params, body, req, res }) => detail(user!, res, await tips.take(user!, params.id, body, v(req, body.version))) }),
    route({ method: 'post', path: '/:id/decline', summary: '不予采用（附理由）', access: NEWSROOM, params: idParams, body: TipMoveBodies.decline, response: TipDetail, handler: async ({ user, params, body, req, res }) => detail(user!, res, await tips.decline(user!, params.id, body, v(req, body.version))) }),
    route({ method: 'post', path: '/:id/reply', summary: '回复爆料人（订阅消息或来源群聊）', access: NEWSROOM, params: idParams, body: TipMoveBodies.reply, response: TipDetail, handler: async ({ user, params, body, req, res }) => detail(user!, res, await tips.reply(user!, params.id, body, v(req, body.version))) }),
    route({ method: 'post', path: '/:id/use', summary: '标记已采用（关联稿件）', access: NEWSROOM, params: idParams, body: TipMoveBodies.use, response: TipDetail, handler: async ({ user, params, body, req, res }) => detail(user!, res, await tips.use(user!, params.id, body, v(req, body.version))) }),
    route({
      method: 'post', path: '/:id/to-appeal', summary: '爆料转为诉求（编辑部；带上版本，重试只提交一条诉求）', access: NEWSROOM, params: idParams, body: TipMoveBodies.to_appeal, response: TipDetail,
      handler: async ({ user, params, body, req, res }) => detail(user!, res, (await between.toAppeal(user!, params.id, body, v(req, body.version))).tip),
    }),
    route({ method: 'post', path: '/:id/draft', summary: '转为稿件草稿（稿件保留爆料关联）', access: WRITERS, params: idParams, body: TipMoveBodies.draft, response: TipDetail, handler: async ({ user, params, body, req, res }) => detail(user!, res, await tips.draft(user!, params.id, body, v(req, body.version))) }),
  ];
}
