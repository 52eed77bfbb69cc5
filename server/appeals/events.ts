/**
 * Building timeline events and the update that appends one. Every write that adds an event bumps
 * `eventCount` (the appeal's version) and marks it for the notification relay (notify.ts).
 */
import { Types } from 'mongoose';
import type { AuthUser } from '../core/route';
import type { Role } from '../../common/roles';
import type { AppealState, EventAction } from './state-machine';
import type { AppealDoc, TimelineEvent } from './model';

/** Who acts: a signed-in person in one of their roles, or the server itself. */
export interface Actor {
  id: Types.ObjectId | null;
  name: string;
  role: Role | null;
}

export const SYSTEM: Actor = { id: null, name: '系统', role: null };

/** The caller acting as `role` (the role that allows the move: dispatcher, department_staff …). */
export function actorOf(user: AuthUser, role: Role): Actor {
  return { id: Types.ObjectId.isValid(user.id) ? new Types.ObjectId(user.id) : null, name: user.name, role };
}

/** The role a caller acts in for a staff move: their most specific role that allows it. */
export function actingRole(user: AuthUser, preferred: Role): Role {
  return user.roles.includes(preferred) ? preferred : user.roles.includes('admin') ? 'admin' : preferred;
}

/** What an event records for the measures beside the move (TimelineEvent `rating` and `before`). */
export type EventFacts = Pick<TimelineEvent, 'rating' | 'before'>;

export function event(at: Date, action: EventAction, actor: Actor, from: AppealState | null, to: AppealState | null, note: string | null = null, facts: EventFacts = {}): TimelineEvent {
  return { _id: new Types.ObjectId(), at, action, from, to, byId: actor.id, byName: actor.name, byRole: actor.role, note, ...facts };
}

const sameId = (x: Types.ObjectId | null | undefined, y: Types.ObjectId | null | undefined) => String(x ?? '') === String(y ?? '');

/**
 * The facts a move that writes `set` on `a` records in its event: the rating it gives, and the
 * department and category before it when it changes either. The appeal keeps only their values
 * now; the measures read a past day as it was at its end from these (server/measures/formulas.ts),
 * so a later reopen or 改派 does not change a day's figures.
 */
export function factsOfMove(a: Pick<AppealDoc, 'departmentId' | 'categoryId'>, set: Partial<AppealDoc>): EventFacts {
  const facts: EventFacts = {};
  if (set.rating) facts.rating = { resolved: set.rating.resolved, satisfaction: set.rating.satisfaction };
  const moved = ('departmentId' in set && !sameId(set.departmentId, a.departmentId)) || ('categoryId' in set && !sameId(set.categoryId, a.categoryId));
  if (moved) facts.before = { departmentId: a.departmentId ?? null, categoryId: a.categoryId ?? null };
  return facts;
}

/** `$push` the events and bump the version, in the same single-document update as the change. */
export function appendEvents(events: TimelineEvent[]) {
  return {
    $push: { timeline: { $each: events } },
    $inc: { eventCount: events.length },
  };
}
