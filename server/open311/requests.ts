/**
 * Filing and reading service requests through Open311: a filing becomes an appeal through the
 * appeals feature's face (channel `open311`, submitted by the API key's system, with its reporter
 * fields), so it enters the same loop as every other channel: direct dispatch by the catalogue,
 * deadlines, the outbox, the measures. Reads are the public sight of the appeals filed this way.
 */
import { Types } from 'mongoose';
import type { AppContext } from '../context';
import { AppError } from '../core/errors';
import { requestHash } from '../core/create-once';
import type { RateLimit } from '../core/rate-limit/limiter';
import { chinaDay } from '../../common/china-time';
import { APPEAL_KINDS, type AppealKind } from '../../common/appeal-labels';
import { appealCreator, channelReads, type PublicAppeal } from '../appeals';
import { categoryService, type CategoryDoc } from '../categories';
import { nearestRegions, regionLookup, type RegionDoc } from '../regions';
import { ANONYMOUS_NAME } from '../people';
import type { ActiveKey } from './keys';
import type { GetRequestsQuery, PostRequestInput } from './schemas';
import { DEFAULT_KIND, KIND_ATTRIBUTE, MEDIA_LINE, OPEN311_STATUS, PUBLIC_ATTRIBUTE, PUBLIC_VALUES, toServiceRequest } from './spec';

const HOUR = 60 * 60 * 1000;
/** The spec's default window for GET requests without dates (90 days), and its cap on a list. */
const DEFAULT_DAYS = 90;
export const LIST_LIMIT = 1000;

/** The spec's errors: 400 a missing or bad field, 403 a bad key, 404 an unknown service or request. */
export const specError = (status: 400 | 403 | 404, description: string) => new AppError(status, status === 400 ? 'VALIDATION_FAILED' : status === 403 ? 'FORBIDDEN' : 'NOT_FOUND', description);

const CJK = /^[\p{Script=Han}·•]+$/u;

/**
 * A reporter's name from the spec's last_name and first_name, as it is written (and as it appears
 * in the appeal's own text, where the public board masks it): family name first, with no space
 * when both are Chinese (欧阳小明), with one otherwise (Ouyang Xiaoming). Never the e-mail: it has
 * its own field.
 */
export function personName(last: string | undefined, first: string | undefined): string {
  const parts = [last, first].filter((p): p is string => !!p);
  return parts.join(parts.every((p) => CJK.test(p)) ? '' : ' ');
}

export type FiledRequest = {
  service_request_id: string;
  token: string;
  service_notice: string;
  account_id: null;
};

export function open311Requests(ctx: AppContext) {
  const creator = appealCreator(ctx);
  const reads = channelReads(ctx);
  const categories = categoryService(ctx);
  const regions = regionLookup(ctx);
  const nearest = nearestRegions(ctx);

  /** The active categories (the catalogue is a few dozen: read whole). */
  const activeCategories = async () => (await categories.all()).filter((c) => c.active).sort((a, b) => a.sort - b.sort || a.code.localeCompare(b.code));

  async function serviceByCode(code: string): Promise<CategoryDoc> {
    const c = (await activeCategories()).find((x) => x.code === code);
    if (!c) throw specError(404, `service_code ${code} 不存在`);
    return c;
  }

  /** Category id → its code, for the service_code of each answered request. */
  async function codesById(): Promise<Map<string, string>> {
    return new Map((await categories.all()).map((c) => [String(c._id), c.code]));
  }

  /**
   * Where the request happens: `address_id` is one of our region codes (a community or grid); a
   * point goes to the nearest community with a centre (the report form's suggestion); an address
   * naming a community goes there; anything else to the county, its address kept in `place`.
   */
  async function place(input: PostRequestInput): Promise<RegionDoc> {
    const all = await regions.all(['county', 'community', 'grid']);
    if (input.address_id) {
      const r = all.find((x) => x.code === input.address_id && x.level !== 'county');
      if (!r) throw specError(400, `address_id ${input.address_id} 不存在（应为社区或网格编码）`);
      return r;
    }
    if (input.lat !== undefined && input.long !== undefined) {
      const { items } = await nearest({ lat: input.lat, lng: input.long, level: 'community', limit: 1 });
      const r = items[0] && all.find((x) => String(x._id) === items[0].region.id);
      if (r) return r;
    }
    if (input.address_string) {
      // The longest community name the address contains (西城社区 before 城社区).
      const named = all.filter((x) => x.level === 'community' && input.address_string!.includes(x.name)).sort((a, b) => b.name.length - a.name.length);
      if (named[0]) return named[0];
    }
    const county = all.find((x) => x.level === 'county');
    if (!county) throw new AppError(503, 'NOT_READY', '区域尚未设置');
    return county;
  }

  function checkAttributes(input: PostRequestInput): void {
    for (const code of Object.keys(input.attribute ?? {})) if (code !== KIND_ATTRIBUTE && code !== PUBLIC_ATTRIBUTE) throw specError(400, `attribute[${code}] 不是此服务的属性`);
  }

  function kindOf(input: PostRequestInput): AppealKind {
    const v = input.attribute?.[KIND_ATTRIBUTE];
    if (v === undefined || v === '') return DEFAULT_KIND;
    if (typeof v !== 'string' || !(APPEAL_KINDS as readonly string[]).includes(v)) throw specError(400, `attribute[${KIND_ATTRIBUTE}] 应为 ${APPEAL_KINDS.join('、')} 之一`);
    return v as AppealKind;
  }

  /** Public only when the client says so (attribute[public]=true); not given, not public. */
  function isPublicOf(input: PostRequestInput): boolean {
    const v = input.attribute?.[PUBLIC_ATTRIBUTE];
    if (v === undefined || v === '') return false;
    if (typeof v !== 'string' || !Object.hasOwn(PUBLIC_VALUES, v)) throw specError(400, `attribute[${PUBLIC_ATTRIBUTE}] 应为 true 或 false`);
    return PUBLIC_VALUES[v as keyof typeof PUBLIC_VALUES];
  }

  return {
    activeCategories,
    serviceByCode,

    /**
     * File one request for the key's system. A retry gets the first appeal: the idempotency key is
     * the client's `Idempotency-Key` header when it sends one, else derived from the key, the
     * client's `device_id` (or, without one, the China day) and the whole body, so the same body
     * sent again (the answer was lost) is the same request, never a second appeal.
     */
    async file(key: ActiveKey, input: PostRequestInput, headerKey: string | undefined): Promise<{ filed: FiledRequest; created: boolean }> {
      if (!input.service_code) throw specError(400, 'service_code 为必填项');
      const hasPoint = input.lat !== undefined || input.long !== undefined;
      if (hasPoint && (input.lat === undefined || input.long === undefined)) throw specError(400, 'lat 与 long 须同时提供');
      if (!hasPoint && !input.address_string && !input.address_id) throw specError(400, '须提供 lat/long、address_string 或 address_id 之一');
      const category = await serviceByCode(input.service_code);
      checkAttributes(input);
      const kind = kindOf(input);
      const isPublic = isPublicOf(input);
      const region = await place(input);

      const reporterName = personName(input.last_name, input.first_name) || ANONYMOUS_NAME;
      const description = [input.description || category.name, input.media_url ? `${MEDIA_LINE}${input.media_url}` : null].filter(Boolean).join('\n');
      const { api_key: _k, jurisdiction_id: _j, ...body } = input;
      const idempotencyKey = headerKey ?? `o311:${requestHash({ device: input.device_id ?? `day:${chinaDay(ctx.now())}`, body })}`.slice(0, 60);
      // Counted only for a new appeal (a retry spends nothing): the key's own hourly budget.
      const limits: RateLimit[] = [{ key: `open311:file:${String(key.id)}:h`, limit: key.perHour, windowMs: HOUR }];

      const { appeal, created } = await creator.file({
        idempotencyKey,
        submittedById: key.id,
        submitter: { id: key.id, name: `Open311：${key.name}`, role: null },
        channel: 'open311',
        kind,
        categoryId: String(category._id),
        description,
        photoIds: [],
        photoOwnerId: String(key.id),
        regionId: String(region._id),
        place: input.address_string ?? null,
        location: input.lat !== undefined && input.long !== undefined ? { lat: input.lat, lng: input.long, address: input.address_string ?? null } : null,
        isPublic,
        isAnonymous: reporterName === ANONYMOUS_NAME,
        reporterId: null,
        reporterName,
        reporterPhone: input.phone ?? null,
        reporterEmail: input.email ?? null,
        limits,
      });
      const notice = appeal.departmentName ? `已受理，编号 ${appeal.number}，已按派单目录派至${appeal.departmentName}` : `已收到，编号 ${appeal.number}，等待受理`;
      return { filed: { service_request_id: appeal.number, token: String(appeal._id), service_notice: notice, account_id: null }, created };
    },

    /** GET requests: by ids (a comma list, the other filters then ignored, as the spec says) or by the filters. */
    async list(q: GetRequestsQuery) {
      const codes = await codesById();
      const out = (items: PublicAppeal[]) => items.map((a) => toServiceRequest(a, a.categoryId ? (codes.get(a.categoryId) ?? null) : null));
      if (q.service_request_id) {
        const numbers = [...new Set(q.service_request_id.split(',').map((s) => s.trim()).filter(Boolean))].slice(0, 100);
        const found = await reads.byNumbers('open311', numbers);
        const order = new Map(numbers.map((n, i) => [n, i]));
        return out(found.sort((a, b) => order.get(a.number)! - order.get(b.number)!));
      }
      const category = q.service_code ? await serviceByCode(q.service_code) : null;
      const to = q.end_date;
      const from = q.start_date ?? new Date((to ?? ctx.now()).getTime() - DEFAULT_DAYS * 24 * HOUR);
      if (to && from > to) throw specError(400, 'start_date 不能晚于 end_date');
      const states = q.status ? [...new Set(q.status.flatMap((s) => OPEN311_STATUS[s]))] : undefined;
      return out(await reads.list({ channel: 'open311', categoryId: category?._id, from, to, states, limit: LIST_LIMIT }));
    },

    /** GET requests/{id}: one request, or 404. */
    async one(number: string) {
      const [a] = await reads.byNumbers('open311', [number]);
      if (!a) throw specError(404, `service_request_id ${number} 不存在`);
      const codes = await codesById();
      return [toServiceRequest(a, a.categoryId ? (codes.get(a.categoryId) ?? null) : null)];
    },

    /** GET tokens/{token}: the request a token stands for (our tokens are the appeal's id). */
    async token(token: string) {
      const a = Types.ObjectId.isValid(token) && /^[a-f0-9]{24}$/.test(token) ? await reads.byId('open311', new Types.ObjectId(token)) : null;
      if (!a) throw specError(404, `token ${token} 不存在`);
      return [{ service_request_id: a.number, token }];
    },
  };
}
export type Open311Requests = ReturnType<typeof open311Requests>;
