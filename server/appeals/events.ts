/**
 * Building timeline events and the update that appends one. Every write that adds an event bumps
 * `eventCount` (the appeal's version) and marks it for the notification relay (notify.ts).
 */
import { Types } from 'mongoose';
import type { AuthUser } from '../core/route';
import type { Role } from '../../common/roles';
import type { AppealState, EventAction } from './state-machine';
import type { TimelineEvent } from './model';

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

export function event(at: Date, action: EventAction, actor: Actor, from: AppealState | null, to: AppealState | null, note: string | null = null): TimelineEvent {
  return { _id: new Types.ObjectId(), at, action, from, to, byId: actor.id, byName: actor.name, byRole: actor.role, note };
}

/** `$push` the events and bump the version, in the same single-document update as the change. */
export function appendEvents(events: TimelineEvent[]) {
  return {
    $push: { timeline: { $each: events } },
    $inc: { eventCount: events.length },
  };
}
