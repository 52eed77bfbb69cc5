import { DEFAULT_DEADLINES, type CategoryDoc } from '../categories';
import type { AppealState } from './state-machine';

type Deadlines = CategoryDoc['deadlines'];
const HOUR = 3600 * 1000;
/** After a reply the resident has 7 days to rate or reopen; then it closes by itself. */
export const RATING_WINDOW_MS = 7 * 24 * HOUR;

export interface AppealDeadlines {
  acceptBy: Date;
  firstContactBy: Date;
  resolveBy: Date;
}

/** The category's deadlines from submission (a county sets them per category; defaults otherwise). */
export function deadlinesFrom(submittedAt: Date, d: Deadlines | null | undefined): AppealDeadlines {
  const h = d ?? DEFAULT_DEADLINES;
  const t = submittedAt.getTime();
  return { acceptBy: new Date(t + h.acceptHours * HOUR), firstContactBy: new Date(t + h.firstContactHours * HOUR), resolveBy: new Date(t + h.resolveHours * HOUR) };
}

/**
 * The deadline of the step an appeal is in, which the scheduler watches: waiting for a dispatcher
 * → accept; assigned → first contact; in progress → resolve; replied → the end of the rating
 * window (then it closes by itself); final states → nothing.
 */
export function dueAtFor(state: AppealState, a: AppealDeadlines & { firstContactAt?: Date | null; repliedAt?: Date | null }): Date | null {
  switch (state) {
    case 'submitted':
    case 'accepted':
      return a.acceptBy;
    case 'assigned':
      return a.firstContactAt ? a.resolveBy : a.firstContactBy;
    case 'in_progress':
      return a.resolveBy;
    case 'replied':
      return a.repliedAt ? new Date(a.repliedAt.getTime() + RATING_WINDOW_MS) : null;
    default:
      return null;
  }
}

/** A reopened appeal gets the category's resolve time again, from the reopening. */
export function resolveAgainFrom(at: Date, d: Deadlines | null | undefined): Date {
  return new Date(at.getTime() + (d ?? DEFAULT_DEADLINES).resolveHours * HOUR);
}
