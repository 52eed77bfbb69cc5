/**
 * Our records as GeoReport v2 writes them (http://wiki.open311.org/GeoReport_v2): services from
 * the dispatch catalogue, requests from appeals (the public sight: no reporter), statuses mapped to
 * open/closed with notes, datetimes in W3C format at China time.
 */
import { APPEAL_KINDS, KIND_LABELS, STATE_LABELS, type AppealKind, type AppealState } from '../../common/appeal-labels';
import type { CategoryDoc } from '../categories';
import type { PublicAppeal } from '../appeals';

export const OPEN311_STATUS = { open: ['submitted', 'accepted', 'assigned', 'in_progress'], closed: ['replied', 'closed', 'rejected', 'merged'] } as const satisfies Record<
  'open' | 'closed',
  readonly AppealState[]
>;
export type Open311Status = keyof typeof OPEN311_STATUS;

export const statusOf = (s: AppealState): Open311Status => ((OPEN311_STATUS.open as readonly AppealState[]).includes(s) ? 'open' : 'closed');

/** `2026-11-26T09:30:00+08:00`: the spec's W3C datetime, at China time (UTC+8, no daylight saving). */
export function w3c(d: Date): string {
  const local = new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19);
  return `${local}+08:00`;
}

/** The one attribute every service takes: what kind of appeal it is (12345's kinds). Optional. */
export const KIND_ATTRIBUTE = 'kind';
export const DEFAULT_KIND: AppealKind = 'help';

export function toService(c: CategoryDoc) {
  return {
    service_code: c.code,
    service_name: c.name,
    description: `${c.group}：${c.name}`,
    metadata: true,
    type: 'realtime',
    keywords: c.group,
    group: c.group,
  };
}

export function toServiceDefinition(c: CategoryDoc) {
  return {
    service_code: c.code,
    attributes: [
      {
        variable: true,
        code: KIND_ATTRIBUTE,
        datatype: 'singlevaluelist',
        required: false,
        datatype_description: `诉求类型，不填为「${KIND_LABELS[DEFAULT_KIND]}」`,
        order: 1,
        description: '诉求类型',
        values: APPEAL_KINDS.map((k) => ({ key: k, name: KIND_LABELS[k] })),
      },
    ],
  };
}

/** How a filing's media link is kept in the appeal's text (the server never fetches it). */
export const MEDIA_LINE = '图片链接：';
const MEDIA_RE = new RegExp(`\\n${MEDIA_LINE}(\\S+)$`);

export function splitMedia(description: string): { text: string; mediaUrl: string | null } {
  const m = MEDIA_RE.exec(description);
  return m ? { text: description.slice(0, m.index), mediaUrl: m[1] } : { text: description, mediaUrl: null };
}

function statusNotes(a: PublicAppeal): string {
  const label = STATE_LABELS[a.state];
  if (a.state === 'rejected') return a.rejectReason ? `${label}：${a.rejectReason}` : label;
  if (a.state === 'merged') return a.duplicateOfNumber ? `${label}至 ${a.duplicateOfNumber}` : label;
  if ((a.state === 'replied' || a.state === 'closed') && a.answer) return `${label}：${a.answer}`;
  if (a.departmentName && (a.state === 'assigned' || a.state === 'in_progress')) return `${label}（${a.departmentName}）`;
  return label;
}

/** One request as GET answers it: never the reporter's name, phone or email. */
export function toServiceRequest(a: PublicAppeal, serviceCode: string | null) {
  const { text, mediaUrl } = splitMedia(a.description);
  return {
    service_request_id: a.number,
    status: statusOf(a.state),
    status_notes: statusNotes(a),
    service_name: a.categoryName,
    service_code: serviceCode,
    description: text,
    agency_responsible: a.departmentName,
    service_notice: null,
    requested_datetime: w3c(a.submittedAt),
    updated_datetime: w3c(a.updatedAt),
    expected_datetime: statusOf(a.state) === 'open' ? w3c(a.resolveBy) : null,
    address: a.place ?? a.regionName,
    address_id: null,
    zipcode: null,
    lat: a.location?.lat ?? null,
    long: a.location?.lng ?? null,
    media_url: mediaUrl,
  };
}
