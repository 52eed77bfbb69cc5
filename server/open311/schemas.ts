/**
 * Open311 shapes: the admin's key API (JSON, under /api/v1/open311/keys) and the GeoReport v2
 * inputs (query strings and form or JSON bodies under /open311/v2, server/open311/georeport.ts).
 */
import { z } from 'zod';
import { trimmed } from '../core/validate';
import { latitude, longitude } from '../regions';

// ---- The admin's keys (JSON API) ----

export const Open311Key = z.object({
  id: z.string(),
  name: z.string(),
  owner: z.string(),
  /** The key's first characters (the key itself is shown once, at issue). */
  prefix: z.string(),
  perHour: z.number().int(),
  createdByName: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  revokedByName: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type Open311Key = z.infer<typeof Open311Key>;

export const Open311KeyList = z.object({ items: z.array(Open311Key) });
export type Open311KeyList = z.infer<typeof Open311KeyList>;

export const IssueOpen311KeyBody = z.strictObject({
  name: trimmed(1, 60),
  owner: trimmed(1, 60),
  perHour: z.number().int().min(1).max(10_000).default(100),
});
export type IssueOpen311KeyBody = z.infer<typeof IssueOpen311KeyBody>;

/** The answer to an issue: the key in clear, this once. */
export const IssuedOpen311Key = z.object({ key: Open311Key, apiKey: z.string() });
export type IssuedOpen311Key = z.infer<typeof IssuedOpen311Key>;

// ---- GeoReport v2 inputs ----

/** Everything a GeoReport field may be: form bodies give strings, JSON bodies may give numbers. */
const text = (max: number) => z.union([z.string(), z.number()]).transform((v) => String(v).trim()).pipe(z.string().max(max));
const optionalText = (max: number) =>
  text(max)
    .optional()
    .transform((v) => (v ? v : undefined));
const coord = (range: z.ZodNumber) =>
  z
    .union([z.string(), z.number()])
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : Number(v)))
    .pipe(range.optional());

/**
 * POST requests: the spec's fields. `api_key` may come in the body or the query string (merged
 * before this). `attribute` holds `attribute[code]=value` (form) or `{ "attribute": { code: value } }` (JSON;
 * a boolean value is taken as its text, for `attribute[public]`).
 */
export const PostRequestInput = z.strictObject({
  api_key: optionalText(200),
  jurisdiction_id: optionalText(100),
  service_code: optionalText(60),
  lat: coord(latitude),
  long: coord(longitude),
  address_string: optionalText(300),
  address_id: optionalText(60),
  // Kept for the handlers as the reporter's contact: a well-formed address or none.
  email: optionalText(200).pipe(z.email().optional()),
  device_id: optionalText(200),
  account_id: optionalText(200),
  first_name: optionalText(60),
  last_name: optionalText(60),
  phone: optionalText(40),
  description: optionalText(4000),
  media_url: optionalText(1000).pipe(z.url({ protocol: /^https?$/ }).optional()),
  attribute: z.record(z.string().max(60), z.union([text(200), z.boolean().transform(String), z.array(text(200)).max(20)])).optional(),
});
export type PostRequestInput = z.infer<typeof PostRequestInput>;

const isoDate = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), '应为 ISO 8601 日期时间')
  .transform((s) => new Date(s));

/** GET requests: the spec's filters (service_request_id wins over the others, as the spec says). */
export const GetRequestsQuery = z.strictObject({
  jurisdiction_id: optionalText(100),
  service_request_id: optionalText(2000),
  service_code: optionalText(60),
  start_date: isoDate.optional(),
  end_date: isoDate.optional(),
  status: z.string().max(20).optional().transform((s) => (s ? s.split(',').map((x) => x.trim()) : undefined)).pipe(z.array(z.enum(['open', 'closed'])).optional()),
});
export type GetRequestsQuery = z.infer<typeof GetRequestsQuery>;

/** GET discovery, services, service definitions, one request, tokens: only the jurisdiction. */
export const JurisdictionQuery = z.strictObject({ jurisdiction_id: optionalText(100) });
