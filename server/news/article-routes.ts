import type { Request, Response } from 'express';
import type { AppContext } from '../context';
import { route, type RouteDef } from '../core/route';
import { idParams } from '../core/validate';
import { expectedVersion, requiredVersion, sendVersion } from '../core/versions';
import { articleService } from './articles';
import { articleWorkflow } from './workflow';
import { ArticleManageDetail, ArticleManagePage, ArticleMoveBodies, CreateArticleBody, ManageCounts, ManageQuery, UpdateArticleBody } from './schemas';

const STAFF = ['editor', 'reviewer'] as const;

/**
 * The newsroom's workflow: write, submit, review per level, schedule, publish, withdraw, pin. Every
 * answer with one article carries its version as the ETag; PATCH must name the version it was made
 * on (If-Match or body.version: 409 STALE_VERSION when stale, 428 when missing); a move may name one
 * (If-Match) and is then refused when the article changed since.
 */
export function articleRoutes(ctx: AppContext): RouteDef[] {
  const articles = articleService(ctx);
  const flow = articleWorkflow(ctx);
  const response = ArticleManageDetail;
  const versioned = async (res: Response, work: Promise<ArticleManageDetail>) => {
    const a = await work;
    sendVersion(res, a.version);
    return a;
  };
  const ifMatch = (req: Request) => expectedVersion(req, undefined);
  return [
    route({ method: 'get', path: '/', summary: '稿件列表（按状态、审核级别、本人、栏目、关键词）', access: STAFF, query: ManageQuery, response: ArticleManagePage, handler: ({ user, query }) => articles.list(user!, query) }),
    route({ method: 'get', path: '/counts', summary: '工作台计数：各级待审、草稿、定时、待处理评论', access: STAFF, response: ManageCounts, handler: () => articles.counts() }),
    route({ method: 'get', path: '/:id', summary: '稿件详情（含审核记录与当前可执行的操作）', access: STAFF, params: idParams, response, handler: ({ user, params, res }) => versioned(res, articles.get(user!, params.id)) }),
    route({
      method: 'post', path: '/', summary: '新建稿件（草稿；同一提交标识的重试返回第一次的稿件）', access: ['editor'], body: CreateArticleBody, response, status: 201,
      handler: async ({ user, body, res }) => {
        const { article, created } = await articles.create(user!, body);
        if (!created) res.locals.status = 200;
        sendVersion(res, article.version);
        return article;
      },
    }),
    route({
      method: 'patch', path: '/:id', summary: '修改稿件（仅草稿或已撤回；须带 If-Match 或 version，过期为 409）', access: ['editor'], params: idParams, body: UpdateArticleBody, response,
      handler: ({ user, params, body: { version, ...body }, req, res }) => versioned(res, articles.update(user!, params.id, body, requiredVersion(req, version))),
    }),
    route({ method: 'post', path: '/:id/submit', summary: '提交审核（可附定时发布时间）', access: ['editor'], params: idParams, body: ArticleMoveBodies.submit, response, handler: ({ user, params, body, req, res }) => versioned(res, flow.submit(user!, params.id, body, ifMatch(req))) }),
    route({ method: 'post', path: '/:id/approve', summary: '审核通过当前一级（末级通过即发布或定时）', access: ['reviewer'], params: idParams, body: ArticleMoveBodies.approve, response, handler: ({ user, params, body, req, res }) => versioned(res, flow.approve(user!, params.id, body, ifMatch(req))) }),
    route({ method: 'post', path: '/:id/reject', summary: '退回修改（附理由）', access: ['reviewer'], params: idParams, body: ArticleMoveBodies.reject, response, handler: ({ user, params, body, req, res }) => versioned(res, flow.reject(user!, params.id, body, ifMatch(req))) }),
    route({ method: 'post', path: '/:id/schedule', summary: '修改定时发布时间', access: STAFF, params: idParams, body: ArticleMoveBodies.schedule, response, handler: ({ user, params, body, req, res }) => versioned(res, flow.schedule(user!, params.id, body, ifMatch(req))) }),
    route({ method: 'post', path: '/:id/publish', summary: '定时稿件立即发布', access: STAFF, params: idParams, body: ArticleMoveBodies.publish, response, handler: ({ user, params, req, res }) => versioned(res, flow.publish(user!, params.id, ifMatch(req))) }),
    route({ method: 'post', path: '/:id/withdraw', summary: '撤回（附理由）', access: STAFF, params: idParams, body: ArticleMoveBodies.withdraw, response, handler: ({ user, params, body, req, res }) => versioned(res, flow.withdraw(user!, params.id, body, ifMatch(req))) }),
    route({ method: 'post', path: '/:id/pin', summary: '置顶或取消置顶', access: STAFF, params: idParams, body: ArticleMoveBodies.pin, response, handler: ({ user, params, body, req, res }) => versioned(res, flow.pin(user!, params.id, body, ifMatch(req))) }),
  ];
}
