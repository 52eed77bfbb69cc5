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

/** An attribute every service takes: what kind of appeal it is (12345's kinds). Optional. */
export const KIND_ATTRIBUTE = 'kind';
export const DEFAULT_KIND: AppealKind = 'help';

/**
 * The one other attribute every service takes: whether the reporter makes the request public.
 * GeoReport v2 has no field for it, so it is an attribute like any other (`attribute[public]=true`
 * in a form, `"attribute": { "public": "true" }` or `true` in JSON). Not given: not public, as in the
 * mini-program nothing is public until its reporter says so. A public request, once answered, is on
 * the public board (公开诉求) and its text is readable through GET requests, names, e-mail
 * addresses, phone, ID and house numbers masked; a request not public shows its state, unit and
 * dates only.
 */
export const PUBLIC_ATTRIBUTE = 'public';
export const PUBLIC_VALUES = { true: true, false: false } as const;

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
      {
        variable: true,
        code: PUBLIC_ATTRIBUTE,
        datatype: 'singlevaluelist',
        required: false,
        datatype_description: '填 true 则答复后在「公开诉求」中公开，并可通过 GET requests 读取内容（姓名、邮箱、电话、证件号、门牌号均遮挡）；不填或 false 为不公开，只显示状态、承办单位和时间',
        order: 2,
        description: '是否公开',
        values: [
          { key: 'false', name: '不公开' },
          { key: 'true', name: '公开' },
        ],
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

/** One request as GET answers it: never the reporter's name, phone or email (its text masked: channel-reads.ts). */
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
