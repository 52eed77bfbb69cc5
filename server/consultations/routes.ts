import type { AppContext } from '../context';
import { route, type RouteDef } from '../core/route';
import { idParams } from '../core/validate';
import { requiredVersion, sendVersion } from '../core/versions';
import type { Role } from '../../common/roles';
import {
  BotVoteBatchBody,
  BotVoteBatchResult,
  ConsultationDetail,
  ConsultationMoveBodies,
  ConsultationPage,
  CreateConsultationBody,
  ListConsultationsQuery,
  MyVote,
  VoteBody,
} from './schemas';
import { consultationService } from './service';

/** Who opens consultations: community staff (their communities), dispatchers (their township; the county's need a reviewer). */
const WRITERS: readonly Role[] = ['community_staff', 'dispatcher', 'reviewer'];
/** Who publishes a decision: as notices are written (community staff for their community, the newsroom for wider ones). */
const DECIDERS: readonly Role[] = ['community_staff', 'editor', 'reviewer'];

/** The consultations (议事) routes: public results, residents' votes, staff's moves. */
export function consultationRoutes(ctx: AppContext): RouteDef[] {
  const service = consultationService(ctx);
  const shown = async (res: Parameters<typeof sendVersion>[0], user: Parameters<typeof service.detail>[1], c: Parameters<typeof service.detail>[0]) => {
    const d = await service.detail(c, user);
    sendVersion(res, d.version);
    return d;
  };
  return [
    route({
      method: 'post', path: '/', summary: '发起议事（社区工作人员在本社区、乡镇调度员在本乡镇；全县议事待审核；同一提交标识的重试返回第一次的议事）', access: WRITERS, body: CreateConsultationBody, response: ConsultationDetail, status: 201,
      handler: async ({ user, body, res }) => {
        const { consultation, created } = await service.create(user!, body);
        if (!created) res.locals.status = 200;
        return shown(res, user!, consultation);
      },
    }),
    route({ method: 'get', path: '/', summary: '议事列表（投票中、已结束；待审核仅发起人与审核人员）；居民只看本社区及上级的', access: 'public', query: ListConsultationsQuery, response: ConsultationPage, handler: ({ user, query }) => service.list(user ?? null, query) }),
    route({
      method: 'get', path: '/:id', summary: '议事详情与结果（各选项票数、参与率；不含任何人的投票内容，本人的除外）', access: 'public', params: idParams, response: ConsultationDetail,
      handler: async ({ user, params, res }) => {
        // No version ETag here: votes change the counts without a new version, and the caller's own
        // choice is in the body. Express's ETag of the body lets a browser revalidate (304 only when
        // nothing changed); private: one resident's choice never sits in a shared cache.
        res.setHeader('Cache-Control', 'private, no-cache');
        return service.get(user ?? null, params.id);
      },
    }),
    route({ method: 'put', path: '/:id/vote', summary: '投票或改票（居民，本社区；截止前可改，每人一票）', access: ['resident'], params: idParams, body: VoteBody, response: MyVote, handler: ({ user, params, body }) => service.vote(user!, params.id, body.choices) }),
    route({ method: 'post', path: '/:id/approve', summary: '批准全县议事（审核）', access: ['reviewer'], params: idParams, body: ConsultationMoveBodies.approve, response: ConsultationDetail, handler: async ({ user, params, body, req, res }) => shown(res, user!, await service.approve(user!, params.id, requiredVersion(req, body.version))) }),
    route({ method: 'post', path: '/:id/reject', summary: '驳回全县议事（附理由）', access: ['reviewer'], params: idParams, body: ConsultationMoveBodies.reject, response: ConsultationDetail, handler: async ({ user, params, body, req, res }) => shown(res, user!, await service.reject(user!, params.id, body.reason, requiredVersion(req, body.version))) }),
    route({ method: 'post', path: '/:id/close', summary: '提前结束投票（发起人或审核）', access: WRITERS, params: idParams, body: ConsultationMoveBodies.close, response: ConsultationDetail, handler: async ({ user, params, body, req, res }) => shown(res, user!, await service.close(user!, params.id, requiredVersion(req, body.version))) }),
    route({ method: 'post', path: '/:id/decision', summary: '以通知公告公布议事决定', access: DECIDERS, params: idParams, body: ConsultationMoveBodies.decision, response: ConsultationDetail, handler: async ({ user, params, body, req, res }) => shown(res, user!, await service.decide(user!, params.id, body.body, requiredVersion(req, body.version))) }),
  ];
}

/** The bot's route: a room's votes gathered over a few seconds, each answered (counted, or why not). */
export function consultationBotRoutes(ctx: AppContext): RouteDef[] {
  const service = consultationService(ctx);
  return [
    route({
      method: 'post', path: '/consultations/votes', summary: '机器人：群聊投票（批量，每条单独结果）', access: 'bot', body: BotVoteBatchBody, response: BotVoteBatchResult,
      handler: ({ body }) => service.botVotes(body.votes),
    }),
  ];
}
