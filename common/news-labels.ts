/**
 * The vocabulary of news, notices and the services directory with their Chinese labels: the one
 * definition, shared by the server (which derives its zod enums and model enums from these arrays)
 * and the mini-program. No imports: the mini-program bundles this file.
 */

/**
 * draft → review (level 1..N of the column) → published, or scheduled until its time; sent back
 * (reject) is a draft again with the reason; withdrawn leaves the feed and can be edited again.
 */
export const ARTICLE_STATES = ['draft', 'review', 'scheduled', 'published', 'withdrawn'] as const;
export type ArticleStateName = (typeof ARTICLE_STATES)[number];
export const ARTICLE_STATE_LABELS: Record<ArticleStateName, string> = {
  draft: '草稿',
  review: '审核中',
  scheduled: '定时发布',
  published: '已发布',
  withdrawn: '已撤回',
};

export const REVIEW_LEVEL_LABELS: Record<number, string> = { 1: '初审', 2: '复审', 3: '终审' };

export const ARTICLE_ACTION_LABELS: Record<string, string> = {
  create: '创建',
  edit: '修改',
  submit: '提交审核',
  approve: '审核通过',
  reject: '退回修改',
  schedule: '定时发布',
  publish: '发布',
  withdraw: '撤回',
  pin: '置顶',
  unpin: '取消置顶',
};

/** visible; held (a sensitive word, waiting for an editor); hidden (three reports); removed by an editor. */
export const COMMENT_STATES = ['visible', 'held', 'hidden', 'removed'] as const;
export type CommentStateName = (typeof COMMENT_STATES)[number];
export const COMMENT_STATE_LABELS: Record<CommentStateName, string> = {
  visible: '已显示',
  held: '待审核',
  hidden: '已隐藏（被举报）',
  removed: '已删除',
};
/** What a reader picks when reporting a comment (the editor sees the reasons). */
export const REPORT_REASONS = ['垃圾广告', '辱骂攻击', '虚假信息', '违法违规', '其他'] as const;

/** This many different readers' reports hide a comment until an editor decides. */
export const REPORTS_TO_HIDE = 3;

export const NOTICE_LEVELS = ['normal', 'important', 'emergency'] as const;
export type NoticeLevelName = (typeof NOTICE_LEVELS)[number];
export const NOTICE_LEVEL_LABELS: Record<NoticeLevelName, string> = { normal: '通知', important: '重要', emergency: '紧急' };

export const NOTICE_STATES = ['draft', 'published', 'withdrawn'] as const;
export type NoticeStateName = (typeof NOTICE_STATES)[number];
export const NOTICE_STATE_LABELS: Record<NoticeStateName, string> = { draft: '草稿', published: '已发布', withdrawn: '已撤回' };

/** A delivery of a notice to one group chat, as the outbox records it. */
export const DELIVERY_STATE_LABELS: Record<string, string> = { pending: '待发送', sending: '发送中', sent: '已发送', failed: '发送失败' };
