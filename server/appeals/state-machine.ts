/**
 * The appeal's states and the moves between them (docs/PRODUCT.md "Appeals"), as data: one table
 * says from which states a move may start, where it ends and who may make it. The service checks a
 * move against this table and then makes it with a conditional update on the current state, so two
 * staff pressing the same button at once give one move and one 409.
 */
import type { Role } from '../../common/roles';
import { invalidState } from '../core/errors';
import { APPEAL_STATES, STATE_LABELS, type AppealState } from '../../common/appeal-labels';

export { APPEAL_STATES, STATE_LABELS, type AppealState };
export { APPEAL_KINDS, KIND_LABELS, APPEAL_CHANNELS, CHANNEL_LABELS, type AppealKind, type AppealChannel } from '../../common/appeal-labels';

/** States in which the appeal is still someone's work (deadlines run, 督办 applies). */
export const OPEN_STATES: readonly AppealState[] = ['submitted', 'accepted', 'assigned', 'in_progress'];
/** States that end the appeal for good. */
export const FINAL_STATES: readonly AppealState[] = ['closed', 'rejected', 'merged'];

/**
 * Who may make a move. `reporter` is the resident who filed it (or follows it: 同问 joins them);
 * `handler` is department staff of the department it is assigned to; `dispatcher` a dispatcher
 * whose regions hold it; `system` the server itself (direct dispatch, the deadline scheduler).
 * Admins may make every staff move.
 */
export type Actor = 'reporter' | 'dispatcher' | 'handler' | 'system';

export const MOVES = {
  accept: { from: ['submitted'], to: 'accepted', by: ['dispatcher', 'system'], label: '受理' },
  reject: { from: ['submitted'], to: 'rejected', by: ['dispatcher'], label: '不予受理' },
  merge: { from: ['submitted', 'accepted'], to: 'merged', by: ['dispatcher'], label: '合并' },
  assign: { from: ['accepted'], to: 'assigned', by: ['dispatcher', 'system'], label: '派单' },
  return: { from: ['assigned'], to: 'accepted', by: ['handler'], label: '退回' },
  transfer: { from: ['assigned', 'in_progress'], to: 'assigned', by: ['dispatcher'], label: '改派' },
  start: { from: ['assigned'], to: 'in_progress', by: ['handler'], label: '开始办理' },
  reply: { from: ['in_progress'], to: 'replied', by: ['handler'], label: '答复' },
  rate: { from: ['replied'], to: 'closed', by: ['reporter'], label: '评价' },
  close: { from: ['replied'], to: 'closed', by: ['system'], label: '办结' },
  reopen: { from: ['replied', 'closed'], to: 'in_progress', by: ['reporter'], label: '重新办理' },
} as const satisfies Record<string, { from: readonly AppealState[]; to: AppealState; by: readonly Actor[]; label: string }>;
export type Move = keyof typeof MOVES;

/**
 * Timeline entries that are not state moves: 催办 by the resident, 督办 by the scheduler, a
 * dispatcher's review of a direct dispatch, a 同问 join, a photo added from the group chat, a
 * dispatcher taking an answered appeal off the public board (撤下公开, board.ts).
 */
export const EVENTS = {
  submit: '提交',
  remind: '催办',
  overdue: '督办',
  review: '复核直派',
  follow: '同问',
  photo: '补充图片',
  merged_in: '合并诉求',
  unpublish: '撤下公开',
} as const;
export type EventAction = Move | keyof typeof EVENTS;

export const ACTION_LABELS: Record<EventAction, string> = {
  ...Object.fromEntries(Object.entries(MOVES).map(([k, v]) => [k, v.label])),
  ...EVENTS,
} as Record<EventAction, string>;

/** Refuse a move from a state the table does not list: 409 naming the current state in Chinese. */
export function assertMove(move: Move, current: AppealState): AppealState {
  const def = MOVES[move];
  if (!(def.from as readonly AppealState[]).includes(current)) {
    throw invalidState(`诉求当前状态为「${STATE_LABELS[current]}」，不能${def.label}`);
  }
  return def.to;
}

/** The roles that stand behind each actor, for the role matrix and the workbench's buttons. */
export const ACTOR_ROLES: Record<Exclude<Actor, 'system'>, readonly Role[]> = {
  reporter: ['resident', 'grid_worker', 'community_staff', 'dispatcher', 'department_staff', 'editor', 'reviewer'],
  dispatcher: ['dispatcher'],
  handler: ['department_staff'],
};
