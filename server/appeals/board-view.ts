/**
 * An appeal as the public board shows it to anyone, signed in or not (公开诉求): the question, the
 * official answer and the unit that gave it, the dates and the rating. Everyone reads it only
 * because it is public, so people appear as the one rule shows them to the public (people/privacy.ts:
 * the reporter 张* or 匿名, staff never by name), and the text has phone, ID and house numbers and
 * the names of the people on the record masked. No phone, no place, no point; photos are the
 * display copies (no EXIF, no GPS: photos/images.ts), never the originals.
 */
import { photoRef } from '../photos';
import { appearance, maskNamesIn, maskPrivateText } from '../people';
import type { AppealDoc } from './model';
import type { BoardDetail, BoardItem } from './board-schemas';
import { BOARD_STATES } from './board-schemas';
import { SATISFACTION_LABELS } from './schemas';
import { KIND_LABELS, STATE_LABELS } from './state-machine';

/** On the board now: its reporter made it public and it has been answered. */
export const onBoard = (a: Pick<AppealDoc, 'isPublic' | 'state'>) => a.isPublic && (BOARD_STATES as readonly string[]).includes(a.state);

const excerpt = (t: string) => [...t].slice(0, 80).join('');

/** The names the record's text might quote: the reporter and everyone on its timeline but the server. */
function namesOn(a: Pick<AppealDoc, 'reporterName' | 'timeline'>): string[] {
  return [a.reporterName, ...(a.timeline ?? []).filter((e) => e.byId !== null || e.byRole).map((e) => e.byName)];
}

/** Free text of the record as the public may read it. */
export function publicText(a: Pick<AppealDoc, 'reporterName' | 'timeline'>): (t: string) => string {
  const names = namesOn(a);
  return (t) => maskPrivateText(maskNamesIn(t, names));
}

/** The answer date: the reply's own time. */
const answeredAt = (a: AppealDoc) => (a.answer?.at ?? a.repliedAt ?? a.submittedAt).toISOString();

/**
 * A board row. The list reads appeals with their timelines (for the names to mask); `text` is
 * `publicText(a)`, passed in when the caller masks more than one field.
 */
export function toBoardItem(a: AppealDoc, text = publicText(a)): BoardItem {
  const firstPhoto = a.photoIds[0];
  return {
    id: String(a._id),
    number: a.number,
    kind: a.kind,
    kindLabel: KIND_LABELS[a.kind],
    state: a.state,
    stateLabel: STATE_LABELS[a.state],
    categoryId: a.categoryId ? String(a.categoryId) : null,
    categoryName: a.categoryName,
    regionId: String(a.regionId),
    regionName: a.regionName,
    departmentName: a.answer?.departmentName ?? a.departmentName,
    reporterName: appearance({ name: a.reporterName, kind: 'public', self: false }, { personal: false, anonymous: a.isAnonymous, staff: false }),
    excerpt: excerpt(text(a.description)),
    answerExcerpt: excerpt(text(a.answer?.text ?? '')),
    thumbUrl: firstPhoto ? photoRef(firstPhoto).thumbUrl : null,
    submittedAt: a.submittedAt.toISOString(),
    answeredAt: answeredAt(a),
    closedAt: a.state === 'closed' && a.closedAt ? a.closedAt.toISOString() : null,
    rating: a.rating ? { resolved: a.rating.resolved, satisfaction: a.rating.satisfaction, satisfactionLabel: SATISFACTION_LABELS[a.rating.satisfaction] } : null,
    followersCount: a.followersCount,
  };
}

export function toBoardDetail(a: AppealDoc): BoardDetail {
  const text = publicText(a);
  return {
    ...toBoardItem(a, text),
    description: text(a.description),
    photos: a.photoIds.map(photoRef),
    answer: {
      text: text(a.answer?.text ?? ''),
      photos: (a.answer?.photoIds ?? []).map(photoRef),
      at: answeredAt(a),
      departmentName: a.answer?.departmentName ?? a.departmentName,
    },
    rating: a.rating
      ? { resolved: a.rating.resolved, satisfaction: a.rating.satisfaction, satisfactionLabel: SATISFACTION_LABELS[a.rating.satisfaction], comment: a.rating.comment ? text(a.rating.comment) : null, at: a.rating.at.toISOString() }
      : null,
  };
}
