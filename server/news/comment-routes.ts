import type { AppContext } from '../context';
import { route, type RouteDef } from '../core/route';
import { idParams } from '../core/validate';
import { Comment, CommentListQuery, CommentPage, CreateCommentBody, ModerationDecisionBody, ModerationItem, ModerationPage, ModerationQuery, ReportCommentBody, ReportResult } from './schemas';
import { MODERATORS, commentService, toComment, type CommentServiceOptions } from './comments';

/** Comments under articles and the other records the composition root names (consultations): readers write and report; editors moderate. */
export function commentRoutes(ctx: AppContext, subjects: CommentServiceOptions['subjects'] = {}): RouteDef[] {
  const comments = commentService(ctx, { subjects });
  return [
    route({ method: 'get', path: '/', summary: '文章或议事的评论（最新在前；本人的待审核评论也在内）', access: 'public', query: CommentListQuery, response: CommentPage, handler: ({ query, user }) => comments.list(user, query) }),
    route({
      method: 'post', path: '/', summary: '发表评论（含敏感词的待审核）', access: 'user', body: CreateCommentBody, response: Comment, status: 201,
      handler: async ({ body, user, res }) => {
        const { comment, created } = await comments.create(user!, body);
        // A retry answers 200 with the first comment.
        if (!created) res.locals.status = 200;
        return toComment(comment, user);
      },
    }),
    route({ method: 'get', path: '/moderation', summary: '评论审核队列（待审核、被举报隐藏；最早的在前）', access: MODERATORS, query: ModerationQuery, response: ModerationPage, handler: ({ query, user }) => comments.moderation(user!, query) }),
    route({ method: 'post', path: '/:id/report', summary: '举报评论（每人一次；三人举报即隐藏）', access: 'user', params: idParams, body: ReportCommentBody, response: ReportResult, handler: ({ params, body, user }) => comments.report(user!, params.id, body.reason) }),
    route({ method: 'post', path: '/:id/decision', summary: '审核评论（通过或删除）', access: MODERATORS, params: idParams, body: ModerationDecisionBody, response: ModerationItem, handler: ({ params, body, user }) => comments.decide(user!, params.id, body.decision, body.note) }),
  ];
}
