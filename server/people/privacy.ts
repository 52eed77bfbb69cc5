/**
 * How people and their data appear to a viewer (PIPL): the one rule for every field that names
 * someone (an appeal's reporter, timeline actors, followers, comment authors), and the masking of
 * personal data in free text shown publicly. Pure functions: the features decide who the viewer is
 * to the record (docs/PRODUCT.md "Personal data"); this module decides what that makes visible.
 */
import { ROLE_LABELS, type Role } from '../../common/roles';

export const ANONYMOUS_NAME = '匿名';
export const SYSTEM_NAME = '系统';

/** 张* for 张三; 欧阳* for 欧阳修 is not attempted: one visible character is the common practice. */
export const maskName = (name: string) => (name ? `${[...name][0]}*` : '居民');

/** Someone on a record, as stored: the server itself (no id, no role), a staff member, or a member of the public. */
export interface PersonOnRecord {
  /** The person's real name as stored. */
  name: string;
  /**
   * `public`: a resident (the reporter, a follower, a comment's author, a group member through the
   * bot); `staff`: someone acting in a staff role; `system`: the server's own moves.
   */
  kind: 'public' | 'staff' | 'system';
  /** The role they acted in (for the label a member of the public sees instead of a staff name). */
  role?: Role | string | null;
  /** They are the viewer. */
  self: boolean;
}

/** What the viewer is allowed, on the record the person appears on. */
export interface ViewerSight {
  /** May see members of the public by name (handlers of an appeal, moderators of comments). */
  personal: boolean;
  /** The record is anonymous: members of the public are 匿名 to all who may not see personal data. */
  anonymous: boolean;
  /** Works on the record as staff: sees staff by name (others see the role that acted). */
  staff: boolean;
}

/**
 * The one rule: the viewer's own name to themselves; the server as 系统; staff by name to staff and
 * by role (县水务局 answers, not a person) to everyone else; members of the public by name to those
 * who may see personal data, 匿名 on an anonymous record, masked (张*) otherwise.
 */
export function appearance(p: PersonOnRecord, v: ViewerSight): string {
  if (p.kind === 'system') return SYSTEM_NAME;
  if (p.self) return p.name;
  if (p.kind === 'staff') return v.staff ? p.name : roleLabel(p.role);
  if (v.personal) return p.name;
  return v.anonymous ? ANONYMOUS_NAME : maskName(p.name);
}

function roleLabel(role: PersonOnRecord['role']): string {
  if (!role) return '工作人员';
  return ROLE_LABELS[role as Role] ?? '工作人员';
}

// ---- Free text shown publicly ----

const DIGITS = '0-9０-９';
const CN_NUMERALS = '一二三四五六七八九十百零〇两';
const stars = (n: number) => '*'.repeat(n);

/** 18-digit resident ID (last may be X), or the old 15-digit one. */
const ID_NUMBER = new RegExp(`(?<![${DIGITS}A-Za-z])(?:[${DIGITS}]{17}[${DIGITS}Xx]|[${DIGITS}]{15})(?![${DIGITS}A-Za-z])`, 'g');
/** Mobile numbers, also written 138-1234-5678 or 138 1234 5678, with an optional +86 (kept apart). */
const MOBILE = new RegExp(`(?<![${DIGITS}])((?:\\+?86[-\\s]?)?)(1[3-9][${DIGITS}][-\\s]?[${DIGITS}]{4}[-\\s]?[${DIGITS}]{4})(?![${DIGITS}])`, 'g');
/** Landlines with an area code: 0571-88886666, (0571)88886666, 057188886666. */
const LANDLINE = new RegExp(`(?<![${DIGITS}])(\\(0[${DIGITS}]{2,3}\\)|0[${DIGITS}]{2,3}-?)([${DIGITS}]{7,8})(?![${DIGITS}])`, 'g');
/** Any other run of seven or more digits (a local number without area code, a bank card ...), not part of a code like DX-20261126-0042. */
const LONG_NUMBER = new RegExp(`(?<![${DIGITS}A-Za-z*-])[${DIGITS}]{7,}(?![${DIGITS}])`, 'g');
/**
 * House numbers: the number before 号楼, 栋, 幢, 座, 单元, 层, 楼, 室, 户 or 号 (5号楼3单元502室, 人民路12号),
 * and a room number right after 单元, 号楼, 栋 (3单元502); a day of the month (12月12号) and 号码/号线 are not.
 */
const HOUSE_NUMBER = new RegExp(
  `(?<!(?:[${DIGITS}${CN_NUMERALS}]|月\\s*))[${DIGITS}${CN_NUMERALS}]+(?:-[${DIGITS}]+)?(?=\\s*(?:号楼|号院|栋|幢|座|单元|层|楼|室|户|号(?![码线])))` +
    `|(?<=(?:单元|号楼|栋|幢)\\s*)[${DIGITS}]+(?![${DIGITS}])`,
  'g',
);

/**
 * E-mail addresses (ouyang.xm@example.com, 12345678@qq.com): the first character of the mailbox
 * and the domain stay (o***@example.com), as is common practice. Masked before the numbers, so a
 * QQ mailbox's number is hidden whole rather than as a long number beside its domain.
 */
const EMAIL = /(?<![A-Za-z0-9._%+-])([A-Za-z0-9])[A-Za-z0-9._%+-]*[@＠]((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})(?![A-Za-z0-9-])/g;

/** A phone's middle hidden, as is common practice: the first three and the last four digits stay (138****5678). */
function maskMiddle(s: string): string {
  const digits = [...s].filter((c) => /[0-9０-９]/.test(c)).length;
  let seen = 0;
  return [...s].map((c) => (/[0-9０-９]/.test(c) ? (++seen > 3 && seen <= digits - 4 ? '*' : c) : c)).join('');
}
/** A landline's area code stays, the local number shows only its last four digits (0571-****6666). */
const maskLocal = (local: string) => stars(local.length - 4) + local.slice(-4);

/**
 * E-mail addresses (o***@example.com), phone numbers (138****5678), ID numbers, other long numbers
 * and house numbers (*号楼*单元*室) masked in text shown publicly: descriptions, places, answers,
 * notes and comments on records the viewer reads only because they are public.
 */
export function maskPrivateText(text: string): string;
export function maskPrivateText(text: string | null): string | null;
export function maskPrivateText(text: string | null): string | null {
  if (!text) return text;
  return text
    .replace(EMAIL, (_m, first: string, domain: string) => `${first}***@${domain}`)
    .replace(ID_NUMBER, (m) => stars(m.length))
    .replace(MOBILE, (_m, country: string, number: string) => country + maskMiddle(number))
    .replace(LANDLINE, (_m, area: string, local: string) => area + maskLocal(local))
    .replace(LONG_NUMBER, (m) => stars(m.length))
    .replace(HOUSE_NUMBER, '*');
}

/**
 * The names of the people on a record masked where its text names them (张三丰 → 张*, as
 * `appearance` shows them to the public): a public question or answer may quote the reporter or
 * the staff member who answered. Longer names first (张三丰 before 张三); names shorter than two
 * characters are left, or every use of a common character would be masked. 匿名 is the record's
 * word for no name, not a name: the word in a text stays.
 */
export function maskNamesIn(text: string, names: readonly string[]): string {
  const distinct = [...new Set(names.map((n) => n.trim()).filter((n) => [...n].length >= 2 && n !== ANONYMOUS_NAME))].sort((a, b) => b.length - a.length);
  return distinct.reduce((t, name) => t.split(name).join(maskName(name)), text);
}

// ---- A place on the map ----

/** A point as stored on a record: GCJ-02 degrees, with the name and address the map gave. */
export interface PointOnRecord {
  lat: number;
  lng: number;
  name: string | null;
  address: string | null;
}

/**
 * Two decimals of a degree: about 1.1 km north-south and 0.9-1.1 km east-west across China. Enough
 * to show the neighbourhood of a public issue, not the door of the resident who reported it.
 */
export const PUBLIC_POINT_DECIMALS = 2;
const roundTo = (x: number, decimals: number) => Math.round(x * 10 ** decimals) / 10 ** decimals;

/**
 * A point as the viewer may see it: exact (with its name and address as given) to those who read
 * the record's text as written (its handlers, whoever filed it); rounded to about 1 km, with house
 * and phone numbers masked in the name and address, to everyone who reads it only because it is
 * public. The same split as the record's free text (maskPrivateText).
 */
export function pointFor(p: PointOnRecord, exact: boolean): PointOnRecord & { approximate: boolean } {
  if (exact) return { lat: p.lat, lng: p.lng, name: p.name, address: p.address, approximate: false };
  return {
    lat: roundTo(p.lat, PUBLIC_POINT_DECIMALS),
    lng: roundTo(p.lng, PUBLIC_POINT_DECIMALS),
    name: maskPrivateText(p.name),
    address: maskPrivateText(p.address),
    approximate: true,
  };
}
