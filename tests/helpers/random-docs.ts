/**
 * Seeded generators and result checks for the differential test of the embedded database
 * (tests/server/database-differential.test.ts): documents with every type mix MongoDB allows in one
 * field, query filters of the shapes the patched FerretDB pushes down to SQLite ($all of strings
 * included) and of shapes it must leave alone, sorts, windows (skip/limit), and an exact comparison
 * of a sorted or unsorted result window with the full reference result.
 *
 * Sort keys follow FerretDB 1.24's sort order (internal/types/compare_order.go,
 * CompareOrderForSort): a missing field sorts as null; an array sorts by its smallest element
 * ascending and its largest descending; an empty array sorts below null; then null < numbers (int32,
 * int64 and double compared by value) < strings (byte order) < objects < arrays < binary < ObjectId <
 * booleans < dates. Objects compare as equal to each other here: that only makes tie groups coarser
 * (never reports a correct order as wrong).
 */
import mongoose from 'mongoose';

const { ObjectId, Double, Int32, Long, BSON } = mongoose.mongo;
type ObjectIdT = InstanceType<typeof ObjectId>;

export type Doc = Record<string, unknown>;
export type Filter = Record<string, unknown>;
export type SortSpec = Array<[string, 1 | -1]>;

/** mulberry32: small, fast, good enough to pick test data; the same seed gives the same run. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(len: number): string {
    let s = '';
    for (let i = 0; i < len; i++) s += '0123456789abcdef'[this.int(0, 15)];
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Value pools. Small pools give many equal values (ties in sorts, several matches per query).

/** Includes SQL LIKE wildcards (% _), regex metacharacters, case pairs (a/A), Chinese, path-like strings. */
const STRINGS = [
  '', 'a', 'A', 'ab', 'aB', 'abc', 'b', 'ba', 'z', 'Z', '中文', '中', '北京', '北京市', '上海', '居民甲',
  '/r1/', '/r1/r2/', '/r1/r2/g1/', '/r1/r2/g2/', '/r1/r3/', '/r10/', '/r2/', '/r1', 'r1/', '/R1/',
  'a.b', 'axb', 'a+b', 'aab', '(x)', '%_', 'x%', 'x_y', 'xay', "it's", 'a\\b', '😀', 'ｚ',
] as const;
/** Search terms (the `w` field, an array of them as an article's searchTerms): JSON escapes, non-ASCII, a number's text. */
const WORDS = ['工作', '作进', '工作们', 'ab', "it's", 'say "hi"', '<a&b>', 'a\\b', '😀', 'line\nbreak', '1', ''] as const;
const REGION_PATHS = ['/c/', '/c/t1/', '/c/t1/g1/', '/c/t1/g2/', '/c/t1/g10/', '/c/t2/', '/c/t2/g1/', '/c/t2/g3/', '/c/t10/', '/c/t10/g1/', '/d/t1/'] as const;
const STATES = ['new', 'accepted', 'assigned', 'processing', 'replied', 'closed', 'rejected', 'reopened'] as const;
const DEPARTMENTS = ['64b000000000000000000001', '64b000000000000000000002', '64b000000000000000000003', '64b0000000000000000000ff'].map(
  (h) => new ObjectId(h),
);
const BASE_MS = Date.UTC(2026, 0, 1);
/** Dates: some equal, some 1 ms apart, some before 1970. */
const DATES = [
  ...Array.from({ length: 12 }, (_, k) => new Date(BASE_MS + k * 86_400_000)),
  new Date(BASE_MS + 1),
  new Date(BASE_MS - 1),
  new Date(0),
  new Date(-86_400_000),
];

/** Numbers as BSON types: int32 (plain JS integers), double (incl. 5.0 beside int 5), int64. */
function number(rng: Rng): unknown {
  switch (rng.int(0, 9)) {
    case 0:
    case 1:
    case 2:
      return rng.int(-3, 10); // int32
    case 3:
      return new Double(rng.int(-3, 10)); // double with an integral value: 5.0 equals 5
    case 4:
      return rng.pick([2.5, -0.5, -3.25, 0.1, 9.999, 5.000001, -1e-9]);
    case 5:
      return new Long(rng.int(-3, 10)); // int64 with a small value
    case 6:
      return rng.pick([2147483647, -2147483648, new Double(1e15), new Long('9007199254740993')]);
    case 7:
      return new Int32(rng.int(0, 3));
    default:
      return rng.int(0, 5);
  }
}

function date(rng: Rng): Date {
  return rng.pick(DATES);
}

function scalar(rng: Rng): unknown {
  switch (rng.int(0, 6)) {
    case 0:
      return number(rng);
    case 1:
      return rng.pick(STRINGS);
    case 2:
      return date(rng);
    case 3:
      return rng.chance(0.5);
    case 4:
      return null;
    case 5:
      return rng.pick(DEPARTMENTS);
    default:
      return rng.pick(STATES);
  }
}

function scalarArray(rng: Rng): unknown[] {
  const n = rng.pick([0, 1, 1, 2, 2, 3]);
  const sameType = rng.chance(0.5);
  const kind = rng.int(0, 2);
  return Array.from({ length: n }, () =>
    sameType ? (kind === 0 ? rng.pick(STRINGS) : kind === 1 ? number(rng) : date(rng)) : scalar(rng),
  );
}

/** A field that is mostly `main` but sometimes null, missing (undefined), another type or an array. */
function mostly(rng: Rng, main: () => unknown, pOther = 0.12): unknown {
  const r = rng.next();
  if (r < 0.05) return undefined;
  if (r < 0.09) return null;
  if (r < 0.09 + pOther / 2) return scalar(rng);
  if (r < 0.09 + pOther) return scalarArray(rng);
  return main();
}

function objectValue(rng: Rng): unknown {
  return rng.chance(0.8) ? { x: rng.int(0, 5), y: rng.pick(STRINGS) } : { y: rng.pick(STRINGS), x: new Double(rng.int(0, 5)) };
}

/** One document; `i` is a unique sequence number (handy when reading a failure). */
export function makeDoc(rng: Rng, i: number): Doc {
  const doc: Doc = {
    _id: new ObjectId(rng.hex(24)),
    i,
    s: mostly(rng, () => rng.pick(STRINGS)),
    n: mostly(rng, () => number(rng)),
    d: mostly(rng, () => date(rng)),
    b: mostly(rng, () => rng.chance(0.5), 0.04),
    st: mostly(rng, () => rng.pick(STATES), 0.04),
    rp: mostly(rng, () => rng.pick(REGION_PATHS), 0.04),
    dep: mostly(rng, () => rng.pick(DEPARTMENTS), 0.04),
    t: mostly(rng, () => scalarArray(rng), 0.2),
    m: rng.chance(0.2) ? objectValue(rng) : mostly(rng, () => scalar(rng), 0.3),
    o: mostly(rng, () => objectValue(rng), 0.1),
    w: mostly(rng, () => (rng.chance(0.85) ? Array.from({ length: rng.int(0, 6) }, () => rng.pick(WORDS)) : rng.pick(WORDS)), 0.2),
  };
  for (const k of Object.keys(doc)) if (doc[k] === undefined) delete doc[k];
  return doc;
}

export function makeDocs(rng: Rng, count: number, firstI = 0): Doc[] {
  return Array.from({ length: count }, (_, k) => makeDoc(rng, firstI + k));
}

/** Indexes as an application would declare them: single, compound, descending, on arrays and mixed types. */
export const INDEXES: Array<Record<string, 1 | -1>> = [
  { st: 1, d: 1 },
  { dep: 1, st: 1 },
  { rp: 1 },
  { n: 1 },
  { s: 1 },
  { d: -1 },
  { t: 1 },
  { m: 1 },
  { 'o.x': 1 },
  { b: 1, n: -1 },
  { s: 1, n: 1, d: -1 },
  { i: 1 },
];

// ---------------------------------------------------------------------------------------------
// Filters

/** Top-level fields with their value generators (the field's usual type most of the time). */
const FIELD_VALUES: Record<string, (rng: Rng) => unknown> = {
  s: (rng) => (rng.chance(0.85) ? rng.pick(STRINGS) : scalar(rng)),
  n: (rng) => (rng.chance(0.85) ? number(rng) : scalar(rng)),
  d: (rng) => (rng.chance(0.85) ? date(rng) : scalar(rng)),
  b: (rng) => (rng.chance(0.9) ? rng.chance(0.5) : scalar(rng)),
  st: (rng) => (rng.chance(0.9) ? rng.pick(STATES) : scalar(rng)),
  rp: (rng) => (rng.chance(0.9) ? rng.pick(REGION_PATHS) : scalar(rng)),
  dep: (rng) => (rng.chance(0.9) ? rng.pick(DEPARTMENTS) : scalar(rng)),
  t: (rng) => (rng.chance(0.8) ? scalar(rng) : scalarArray(rng)),
  m: (rng) => (rng.chance(0.85) ? scalar(rng) : objectValue(rng)),
  i: (rng) => rng.int(-5, 2100),
  w: (rng) => (rng.chance(0.85) ? rng.pick(WORDS) : scalar(rng)),
};
const FIELDS = Object.keys(FIELD_VALUES);
/** Fields whose values are strings often enough for prefix regexes to match. */
const STRING_FIELDS = ['s', 'rp', 'm', 't', 'st'];
const PREFIXES = ['', 'a', 'A', 'ab', '/r1/', '/r1/r2/', '/r1', '/c/', '/c/t1/', '/c/t1/g1/', '/c/t10/', '中', '北京', 'a.b', 'a+', '%', 'x_', '(', "it'", 'a\\'];

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Literal-prefix regex (pushable): `/^prefix/` as a RegExp or as `{$regex: '^prefix'}`. */
function prefixRegex(rng: Rng): unknown {
  const source = '^' + escapeRegex(rng.pick(PREFIXES));
  return rng.chance(0.7) ? new RegExp(source) : { $regex: source };
}

type Atom = { field: string; cond: unknown };

/** A condition of a shape the patched build may push down: equality, $in, ranges, prefix regex. */
function supportedAtom(rng: Rng): Atom {
  const r = rng.next();
  if (r < 0.15) {
    return { field: rng.pick(STRING_FIELDS), cond: prefixRegex(rng) };
  }
  if (r < 0.23) {
    // $all of strings (the news search on an array of terms): elements of arrays and plain strings.
    const field = rng.pick(['w', 'w', 'w', 't', 's', 'm', 'st']);
    const pool: readonly string[] = field === 'w' ? WORDS : field === 'st' ? STATES : STRINGS;
    return { field, cond: { $all: Array.from({ length: rng.pick([1, 1, 2, 2, 3]) }, () => rng.pick(pool)) } };
  }
  const field = rng.pick(FIELDS);
  const v = FIELD_VALUES[field];
  if (r < 0.45) return { field, cond: rng.chance(0.8) ? v(rng) : { $eq: v(rng) } };
  if (r < 0.6) return { field, cond: { $in: Array.from({ length: rng.int(0, 4) }, () => v(rng)) } };
  // Ranges: one or two bounds, of the field's type most of the time.
  const ops = ['$gt', '$gte', '$lt', '$lte'] as const;
  const cond: Record<string, unknown> = { [rng.pick(ops)]: v(rng) };
  if (rng.chance(0.5)) cond[rng.pick(ops)] = v(rng);
  return { field, cond };
}

/** A condition the pushdown must leave to FerretDB's own filter (or handle exactly). */
function unsupportedAtom(rng: Rng): Atom {
  const field = rng.pick(FIELDS);
  const v = FIELD_VALUES[field];
  switch (rng.int(0, 9)) {
    case 0:
      return { field, cond: { $ne: v(rng) } };
    case 9:
      // $all that is not a list of strings: [] matches nothing, a number or date is not pushed
      return { field: rng.pick(['w', 't', 's', 'n']), cond: { $all: rng.chance(0.2) ? [] : [rng.pick(WORDS), v(rng)] } };
    case 1:
      return { field, cond: { $nin: [v(rng), v(rng)] } };
    case 2:
      return { field, cond: { $exists: rng.chance(0.5) } };
    case 3:
      return { field: rng.pick(STRING_FIELDS), cond: { $regex: '^' + escapeRegex(rng.pick(PREFIXES)), $options: rng.pick(['i', 'm', 's', 'x', 'im']) } };
    case 4:
      return { field: rng.pick(STRING_FIELDS), cond: rng.pick([/b/, /^a.*b/, /r2\/$/, /^(a|b)/, /^a?b/, /京$/, /^\/c\/t1\/g\d\//]) };
    case 5:
      return { field: 'o.x', cond: rng.chance(0.5) ? rng.int(0, 5) : { [rng.pick(['$gt', '$lte'])]: rng.int(0, 5) } };
    case 6:
      return { field: rng.pick(['o.y', 't.0', 'm.x']), cond: rng.chance(0.5) ? rng.pick(STRINGS) : rng.int(0, 5) };
    case 7:
      return { field: 'i', cond: { $mod: [rng.int(2, 5), 0] } };
    default:
      return { field, cond: { $not: { $gt: v(rng) } } };
  }
}

function atomsToFilter(rng: Rng, atoms: Atom[]): Filter {
  if (atoms.length === 0) return {};
  const distinct = new Set(atoms.map((a) => a.field)).size === atoms.length;
  if (distinct && rng.chance(0.6)) return Object.fromEntries(atoms.map((a) => [a.field, a.cond]));
  return { $and: atoms.map((a) => ({ [a.field]: a.cond })) };
}

export interface GeneratedFilter {
  filter: Filter;
  /** false when the filter has a shape outside the pushdown's list ($or, $ne, dotted paths, ...). */
  supported: boolean;
}

export function makeFilter(rng: Rng): GeneratedFilter {
  const n = rng.pick([0, 1, 1, 1, 2, 2, 3]);
  const atoms = Array.from({ length: n }, () => supportedAtom(rng));
  if (rng.chance(0.3)) {
    if (rng.chance(0.35)) {
      // $or of two sub-filters, beside the other conditions.
      const or = { $or: [atomsToFilter(rng, [supportedAtom(rng)]), atomsToFilter(rng, [unsupportedAtom(rng)])] };
      const base = atomsToFilter(rng, atoms);
      return { filter: Object.keys(base).length ? { $and: [base, or] } : or, supported: false };
    }
    atoms.push(unsupportedAtom(rng));
    return { filter: atomsToFilter(rng, atoms), supported: false };
  }
  return { filter: atomsToFilter(rng, atoms), supported: true };
}

const SORT_FIELDS = ['s', 'n', 'd', 'b', 'st', 'rp', 'dep', 't', 'm', 'i', '_id'];

/** 0 to 3 sort keys on top-level fields, ascending or descending; null for "no sort". */
export function makeSort(rng: Rng): SortSpec | null {
  if (rng.chance(0.25)) return null;
  const n = rng.pick([1, 1, 1, 2, 2, 3]);
  const fields = new Set<string>();
  while (fields.size < n) fields.add(rng.pick(SORT_FIELDS));
  return [...fields].map((f) => [f, rng.chance(0.5) ? 1 : -1]);
}

export function sortDoc(sort: SortSpec): Record<string, 1 | -1> {
  return Object.fromEntries(sort);
}

// ---------------------------------------------------------------------------------------------
// Comparison

const EJSON = BSON.EJSON;

/** Exact identity of a document as stored: canonical Extended JSON keeps field order and int/double/long. */
export function docKey(doc: unknown): string {
  return EJSON.stringify(doc, { relaxed: false });
}

/** Text for a failure message: a filter or document in canonical Extended JSON. */
export function show(value: unknown): string {
  return EJSON.stringify(value, { relaxed: false });
}

function typeRank(v: unknown): number {
  if (v === null || v === undefined) return 1;
  if (typeof v === 'number' || v instanceof Double || v instanceof Int32 || v instanceof Long) return 3;
  if (typeof v === 'string') return 4;
  if (Array.isArray(v)) return 6;
  if (v instanceof ObjectId) return 8;
  if (typeof v === 'boolean') return 9;
  if (v instanceof Date) return 10;
  if (v instanceof BSON.Binary) return 7;
  if (v instanceof BSON.BSONRegExp || v instanceof RegExp) return 12;
  if (typeof v === 'object') return 5;
  throw new Error(`no sort rank for ${String(v)}`);
}

function numeric(v: unknown): number | bigint {
  if (typeof v === 'number') return v;
  if (v instanceof Long) return v.toBigInt();
  return (v as InstanceType<typeof Double> | InstanceType<typeof Int32>).valueOf();
}

function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  // Mixed int64/double: exact when the double is integral, else compare as doubles after flooring.
  const [x, y, flip] = typeof a === 'bigint' ? [a, b as number, 1] : [b as bigint, a as number, -1];
  if (Number.isInteger(y)) {
    const yb = BigInt(y);
    return flip * (x < yb ? -1 : x > yb ? 1 : 0);
  }
  const yb = BigInt(Math.floor(y));
  return flip * (x <= yb ? -1 : 1);
}

/** FerretDB's order of two non-array values (see the file comment); 0 also for two objects. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 3:
      return compareNumbers(numeric(a), numeric(b));
    case 4:
      return Buffer.compare(Buffer.from(a as string, 'utf8'), Buffer.from(b as string, 'utf8'));
    case 8:
      return Buffer.compare(Buffer.from((a as ObjectIdT).id), Buffer.from((b as ObjectIdT).id));
    case 9:
      return a === b ? 0 : a ? 1 : -1;
    case 10:
      return Math.sign((a as Date).getTime() - (b as Date).getTime());
    default:
      return 0;
  }
}

const EMPTY_ARRAY = Symbol('empty array');

function fieldValue(doc: Doc, path: string): unknown {
  let v: unknown = doc;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !(part in (v as Doc))) return null;
    v = (v as Doc)[part];
  }
  return v;
}

/** The value FerretDB sorts a document by for one key: arrays reduced to their min (asc) or max (desc). */
function sortValue(doc: Doc, field: string, dir: 1 | -1): unknown {
  const v = fieldValue(doc, field);
  if (!Array.isArray(v)) return v;
  if (v.length === 0) return EMPTY_ARRAY;
  let best: unknown = v[0];
  for (const e of v.slice(1)) {
    const c = compareValues(e, best);
    if (dir === 1 ? c < 0 : c > 0) best = e;
  }
  return best;
}

function compareSortValues(a: unknown, b: unknown): number {
  if (a === EMPTY_ARRAY || b === EMPTY_ARRAY) return a === b ? 0 : a === EMPTY_ARRAY ? -1 : 1;
  return compareValues(a, b);
}

function isObjectValue(v: unknown): boolean {
  return v !== EMPTY_ARRAY && typeRank(v) === 5;
}

/**
 * Compare two documents by the sort: negative when a comes first. Two objects under one key end
 * the comparison as a tie: FerretDB orders them by content, which this model does not follow, so
 * the later keys cannot be checked for them either.
 */
export function compareBySort(a: Doc, b: Doc, sort: SortSpec): number {
  for (const [field, dir] of sort) {
    const va = sortValue(a, field, dir);
    const vb = sortValue(b, field, dir);
    if (isObjectValue(va) && isObjectValue(vb)) return 0;
    const c = compareSortValues(va, vb);
    if (c !== 0) return dir * c;
  }
  return 0;
}

function sortKeyText(doc: Doc, sort: SortSpec): string {
  return show(sort.map(([f, dir]) => {
    const v = sortValue(doc, f, dir);
    return v === EMPTY_ARRAY ? '[]' : v;
  }));
}

/** Multiset of document identities. */
function countKeys(docs: Doc[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of docs) {
    const k = docKey(d);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** null when `part` is a sub-multiset of `whole` (and equal to it when `exact`), else the first difference. */
function multisetProblem(part: Doc[], whole: Doc[], exact: boolean): string | null {
  const w = countKeys(whole);
  for (const [k, n] of countKeys(part)) {
    const have = w.get(k) ?? 0;
    if (n > have) return `returned ${n}x a document the reference has ${have}x: ${k}`;
    w.set(k, have - n);
  }
  if (exact) for (const [k, n] of w) if (n > 0) return `missing ${n}x a document the reference has: ${k}`;
  return null;
}

/**
 * Checks that `full` (the reference's whole result for the filter, no skip/limit) is in sort order:
 * a failure here means this model of FerretDB's sort order is wrong, not the database.
 */
export function sortOrderProblem(full: Doc[], sort: SortSpec): string | null {
  for (let j = 1; j < full.length; j++) {
    if (compareBySort(full[j - 1], full[j], sort) > 0) {
      return `reference out of order at ${j}: ${sortKeyText(full[j - 1], sort)} before ${sortKeyText(full[j], sort)}`;
    }
  }
  return null;
}

/**
 * Exact check of a result window (`skip`, `limit`; limit 0 = none) against the full reference
 * result `full` of the same filter. With a sort: the sequence of sort keys must equal the
 * reference's at the same positions, each tie group wholly inside the window must hold the same
 * documents as the reference's group, and a group cut by the window's start or end must hold that
 * many documents of the reference's group. Without a sort: the right number of documents, all from
 * the reference (and all of them when the window covers it).
 */
export function windowProblem(got: Doc[], full: Doc[], sort: SortSpec | null, skip: number, limit: number): string | null {
  const expectedLen = Math.max(0, Math.min(limit > 0 ? limit : Infinity, full.length - skip));
  if (got.length !== expectedLen) return `expected ${expectedLen} documents (reference has ${full.length}, skip ${skip}, limit ${limit}), got ${got.length}`;
  if (!sort) return multisetProblem(got, full, expectedLen === full.length);
  for (let j = 0; j < got.length; j++) {
    if (compareBySort(got[j], full[skip + j], sort) !== 0) {
      return `sort keys differ at position ${skip + j}: got ${sortKeyText(got[j], sort)}, reference ${sortKeyText(full[skip + j], sort)}`;
    }
  }
  // Tie groups of the reference, as [start, end) ranges.
  let start = 0;
  while (start < full.length) {
    let end = start + 1;
    while (end < full.length && compareBySort(full[start], full[end], sort) === 0) end++;
    const lo = Math.max(start, skip);
    const hi = Math.min(end, skip + expectedLen);
    if (lo < hi) {
      const whole = lo === start && hi === end;
      const problem = multisetProblem(got.slice(lo - skip, hi - skip), full.slice(start, end), whole);
      if (problem) return `tie group at ${start}..${end - 1} (key ${sortKeyText(full[start], sort)}): ${problem}`;
    }
    start = end;
  }
  return null;
}
