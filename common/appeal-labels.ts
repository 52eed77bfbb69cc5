/**
 * The appeal's vocabulary and its Chinese labels: the one definition, shared by the server (which
 * derives its zod enums and model enums from these arrays) and the mini-program. No imports: the
 * mini-program bundles this file.
 */
export const APPEAL_STATES = ['submitted', 'accepted', 'assigned', 'in_progress', 'replied', 'closed', 'rejected', 'merged'] as const;
export type AppealState = (typeof APPEAL_STATES)[number];

export const STATE_LABELS: Record<AppealState, string> = {
  submitted: '待受理',
  accepted: '已受理',
  assigned: '已派单',
  in_progress: '办理中',
  replied: '已答复',
  closed: '已办结',
  rejected: '不予受理',
  merged: '已合并',
};

export const APPEAL_KINDS = ['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise'] as const;
export type AppealKind = (typeof APPEAL_KINDS)[number];
export const KIND_LABELS: Record<AppealKind, string> = {
  consultation: '咨询',
  help: '求助',
  complaint: '投诉',
  report: '举报',
  suggestion: '建议',
  praise: '表扬',
};

export const APPEAL_CHANNELS = ['miniprogram', 'group_chat', 'grid_worker', 'hotline', 'open311'] as const;
export type AppealChannel = (typeof APPEAL_CHANNELS)[number];
export const CHANNEL_LABELS: Record<AppealChannel, string> = {
  miniprogram: '小程序',
  group_chat: '群聊',
  grid_worker: '网格员代报',
  hotline: '热线代录',
  open311: 'Open311',
};

export const SATISFACTION = ['satisfied', 'basically', 'unsatisfied'] as const;
export type Satisfaction = (typeof SATISFACTION)[number];
export const SATISFACTION_LABELS: Record<Satisfaction, string> = { satisfied: '满意', basically: '基本满意', unsatisfied: '不满意' };
