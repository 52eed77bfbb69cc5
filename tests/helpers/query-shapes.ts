/**
 * Query shapes: what a suite asks the database, reduced to what decides whether an index serves
 * it (the collection, which fields the filter constrains and how, and the sort), never values.
 *
 * `recordQueryShapes(conn)` listens to mongoose's `operation-start` event, which the connection
 * emits for every driver call of every collection (model queries, aggregates, bulk writes and raw
 * `conn.collection(...)` calls alike), so nothing a service runs escapes it. A filter's `$or` is
 * split into one shape per branch, each with the conditions around it, because MongoDB needs an
 * index for every branch or it scans the collection.
 *
 * `indexesOf(models)` reads the declared indexes (schema.indexes() and `_id`), and `servingIndex`
 * decides with MongoDB's rules whether one of them serves a shape (see its comment).
 */
import type { Connection, Model } from 'mongoose';

/**
 * How a filter constrains one field, from the most to the least an index can use: `eq` equality,
 * `$in`, `$all`; `flag` equality to null or a boolean (a field that splits the collection in a
 * few large parts); `range` both ends (or an anchored regex), `lower` only $gt/$gte, `upper` only
 * $lt/$lte; `other` what no index bounds ($ne, $exists, $size, an unanchored regex), checked on
 * the documents.
 */
export type FieldKind = 'eq' | 'flag' | 'range' | 'lower' | 'upper' | 'other';
const isRange = (k: FieldKind | undefined) => k === 'range' || k === 'lower' || k === 'upper';

export interface QueryShape {
  collection: string;
  /** The driver method: find, findOne, countDocuments, updateOne, deleteMany, aggregate ... */
  op: string;
  /** Field → how the filter constrains it. */
  fields: Record<string, FieldKind>;
  /** The sort, in order; empty when none. */
  sort: [string, 1 | -1][];
}

/** One shape as a stable line, e.g. `appeals find {regionPath:range, state:eq} sort {_id:-1}`. */
export function describeShape(s: QueryShape): string {
  const fields = Object.keys(s.fields)
    .sort()
    .map((f) => `${f}:${s.fields[f]}`)
    .join(', ');
  const sort = s.sort.length ? ` sort {${s.sort.map(([f, d]) => `${f}:${d}`).join(', ')}}` : '';
  return `${s.collection} ${s.op} {${fields}}${sort}`;
}

type Conjunction = Record<string, FieldKind>;
const RANK: Record<FieldKind, number> = { eq: 0, flag: 1, range: 2, lower: 3, upper: 3, other: 4 };
/** Two conditions on one field: the stronger; a lower and an upper end make a range. */
function best(a: FieldKind | undefined, b: FieldKind): FieldKind {
  if ((a === 'lower' && b === 'upper') || (a === 'upper' && b === 'lower')) return 'range';
  return a === undefined || RANK[b] < RANK[a] ? b : a;
}

const EQ_OPS = new Set(['$eq', '$in', '$all']);
const LOWER_OPS = new Set(['$gt', '$gte']);
const UPPER_OPS = new Set(['$lt', '$lte']);

/** A regex an index can bound: anchored at the start, with a literal first character and no top-level alternation. */
function regexKind(source: string, flags = ''): FieldKind {
  if (flags.includes('i') || !source.startsWith('^') || source.includes('|')) return 'other';
  return /^[\^](?:[^.*+?()[\]{}|\\$]|\\.)/.test(source) ? 'range' : 'other';
}

function isOperatorObject(v: unknown): v is Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v) || v instanceof Date || v instanceof RegExp) return false;
  if ((v as { _bsontype?: string })._bsontype) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

const isFlagValue = (v: unknown) => v === null || typeof v === 'boolean';

function valueKind(v: unknown): FieldKind {
  if (v instanceof RegExp) return regexKind(v.source, v.flags);
  if (!isOperatorObject(v)) return isFlagValue(v) ? 'flag' : 'eq';
  let kind: FieldKind = 'other';
  for (const [op, arg] of Object.entries(v)) {
    if (op === '$eq' && isFlagValue(arg)) kind = best(kind, 'flag');
    else if (EQ_OPS.has(op)) kind = best(kind, 'eq');
    else if (LOWER_OPS.has(op)) kind = best(kind, 'lower');
    else if (UPPER_OPS.has(op)) kind = best(kind, 'upper');
    else if (op === '$regex') kind = best(kind, arg instanceof RegExp ? regexKind(arg.source, arg.flags) : regexKind(String(arg), String(v.$options ?? '')));
  }
  return kind;
}

function merge(a: Conjunction, b: Conjunction): Conjunction {
  const out = { ...a };
  for (const [f, k] of Object.entries(b)) out[f] = best(out[f], k);
  return out;
}

/** Every conjunction the filter is an OR of: `$and` multiplies, `$or` adds branches. */
export function conjunctions(filter: Record<string, unknown> | null | undefined): Conjunction[] {
  let result: Conjunction[] = [{}];
  const times = (alternatives: Conjunction[]) => {
    const next: Conjunction[] = [];
    for (const r of result) for (const a of alternatives) next.push(merge(r, a));
    result = next;
  };
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (key === '$and') for (const part of value as Record<string, unknown>[]) times(conjunctions(part));
    else if (key === '$or') times((value as Record<string, unknown>[]).flatMap((part) => conjunctions(part)));
    else if (key === '$nor' || key === '$expr' || key === '$where' || key === '$comment') times([{ [key]: 'other' }]);
    else times([{ [key]: valueKind(value) }]);
  }
  return result;
}

function sortOf(sort: unknown): [string, 1 | -1][] {
  if (!sort) return [];
  const entries: [string, unknown][] = sort instanceof Map ? [...sort.entries()] : Array.isArray(sort) ? (sort as [string, unknown][]) : Object.entries(sort as object);
  return entries.map(([f, d]) => [f, d === -1 || d === 'desc' || d === 'descending' ? -1 : 1]);
}

/** The filter and sort of one driver call, or null for calls that select nothing (inserts, index builds). */
function filterAndSort(method: string, params: unknown[]): { filter: Record<string, unknown>; sort: unknown } | null {
  const opts = (i: number) => (params[i] ?? {}) as { sort?: unknown };
  switch (method) {
    case 'find':
    case 'findOne':
    case 'countDocuments':
    case 'deleteOne':
    case 'deleteMany':
    case 'findOneAndDelete':
      return { filter: (params[0] ?? {}) as Record<string, unknown>, sort: opts(1).sort };
    case 'updateOne':
    case 'updateMany':
    case 'replaceOne':
    case 'findOneAndUpdate':
    case 'findOneAndReplace':
      return { filter: (params[0] ?? {}) as Record<string, unknown>, sort: opts(2).sort };
    case 'distinct':
      return { filter: (params[1] ?? {}) as Record<string, unknown>, sort: undefined };
    default:
      return null;
  }
}

/** The shapes of one driver call (several for a `$or` or a bulk write). */
export function shapesOf(collection: string, method: string, params: unknown[]): QueryShape[] {
  const out: QueryShape[] = [];
  const add = (op: string, filter: Record<string, unknown>, sort: unknown) => {
    for (const fields of conjunctions(filter)) out.push({ collection, op, fields, sort: sortOf(sort) });
  };
  if (method === 'aggregate') {
    // What an index can serve: the leading $match and a $sort right after it.
    const pipeline = (params[0] ?? []) as Record<string, unknown>[];
    const match = pipeline[0]?.$match as Record<string, unknown> | undefined;
    const sortStage = (match ? pipeline[1] : pipeline[0])?.$sort;
    add('aggregate', match ?? {}, sortStage);
  } else if (method === 'bulkWrite') {
    for (const op of (params[0] ?? []) as Record<string, { filter?: Record<string, unknown> }>[]) {
      const [name, body] = Object.entries(op)[0];
      if (body?.filter) add(`bulkWrite.${name}`, body.filter, undefined);
    }
  } else {
    const fs = filterAndSort(method, params);
    if (fs) add(method, fs.filter, fs.sort);
  }
  return out;
}

export interface ShapeRecorder {
  /** Every shape seen so far, each once, with how many calls had it. */
  shapes(): { shape: QueryShape; calls: number }[];
  stop(): void;
}

/** Records the shape of every call the connection makes from now until stop(). */
export function recordQueryShapes(conn: Connection): ShapeRecorder {
  const seen = new Map<string, { shape: QueryShape; calls: number }>();
  const listener = (e: { collectionName: string; method: string; params: unknown[] }) => {
    for (const shape of shapesOf(e.collectionName, e.method, e.params)) {
      const key = describeShape(shape);
      const entry = seen.get(key);
      if (entry) entry.calls++;
      else seen.set(key, { shape, calls: 1 });
    }
  };
  conn.on('operation-start', listener);
  return {
    shapes: () => [...seen.values()],
    stop: () => void conn.off('operation-start', listener),
  };
}

/** A declared index: its keys in order (1 or -1; other kinds such as text do not serve these shapes). */
export interface DeclaredIndex {
  keys: [string, 1 | -1][];
  unique: boolean;
}

/** What the models declare for one collection: its indexes (`_id` first) and its flag fields. */
export interface CollectionIndexes {
  indexes: DeclaredIndex[];
  flags: Set<string>;
}

/** Collection name → what its model declares (schema.indexes(), `_id`, flag fields). */
export function indexesOf(models: Record<string, Model<any>>): Map<string, CollectionIndexes> {
  const out = new Map<string, CollectionIndexes>();
  for (const model of Object.values(models)) {
    const indexes: DeclaredIndex[] = [{ keys: [['_id', 1]], unique: true }];
    for (const [keys, options] of model.schema.indexes()) {
      indexes.push({ keys: Object.entries(keys).map(([f, d]) => [f, d === -1 ? -1 : 1]), unique: Boolean((options as { unique?: boolean }).unique) });
    }
    out.set(model.collection.collectionName, { indexes, flags: flagFieldsOf(model) });
  }
  return out;
}

export const describeIndex = (ix: DeclaredIndex) => `{${ix.keys.map(([f, d]) => `${f}:${d}`).join(', ')}}`;

/**
 * Whether an index serves a shape, as MongoDB plans it (equality, then sort, then range):
 * - every equality field of the filter is among the index's leading keys that the filter
 *   constrains (a field left out is read from every document those keys select: `followerIds`
 *   next to an `_id` page bound reads the whole collection);
 * - except flags (booleans, single-valued enumerations such as `state`, equality to null): those
 *   may be left to the documents when the index is bounded by something else (a person, a
 *   department, a search term, a date range); an index bounded by flags alone must hold every
 *   flag of the filter, or a rare combination (unreviewed direct dispatches) is a long walk;
 * - then the sort's fields in the index's order (or all reversed), so no document is sorted in
 *   memory; or else a range field, which bounds what is sorted;
 * - a range on the sort's own field that only says where the walk starts (below a value for a
 *   descending sort, above it for an ascending one) is a page position (a cursor), not a bound:
 *   on a first page it selects everything;
 * - a filter with no condition but cursors and checks (`$ne`, `$size`) is a walk of the whole
 *   collection in the sort's order: served only by an index that starts with the sort.
 * An equality match on every key of a unique index selects one document and is always served.
 */
export function serves(ix: DeclaredIndex, shape: QueryShape, flagFields: ReadonlySet<string> = new Set()): boolean {
  const kinds: Record<string, FieldKind> = {};
  for (const [f, k] of Object.entries(shape.fields)) kinds[f] = k === 'eq' && flagFields.has(f) ? 'flag' : k;
  const isEq = (f: string) => kinds[f] === 'eq' || kinds[f] === 'flag';
  // Sort fields fixed by an equality need no order.
  const sort = shape.sort.filter(([f]) => !isEq(f));
  const isCursor = (f: string) => sort.some(([s, d]) => s === f && kinds[f] === (d === -1 ? 'upper' : 'lower'));
  const keys = ix.keys;
  if (ix.unique && keys.every(([f]) => isEq(f))) return true;

  const fields = Object.keys(kinds);
  const eqs = fields.filter((f) => kinds[f] === 'eq');
  const flags = fields.filter((f) => kinds[f] === 'flag');
  const bounds = fields.filter((f) => isRange(kinds[f]) && !isCursor(f));
  let p = 0;
  while (p < keys.length && isEq(keys[p][0])) p++;
  let b = p;
  while (b < keys.length && (isEq(keys[b][0]) || isRange(kinds[keys[b][0]]))) b++;
  const inPrefix = new Set(keys.slice(0, b).map(([f]) => f));

  const sortFrom = (at: number) => {
    const rest = keys.slice(at);
    if (sort.length === 0 || sort.length > rest.length || !sort.every(([f], i) => rest[i][0] === f)) return false;
    return sort.every(([, d], i) => rest[i][1] === d) || sort.every(([, d], i) => rest[i][1] === -d);
  };

  if (eqs.length + flags.length + bounds.length === 0) return sortFrom(0);
  if (eqs.some((f) => !inPrefix.has(f))) return false;
  const bounded = [...inPrefix].some((f) => kinds[f] === 'eq' || (isRange(kinds[f]) && !isCursor(f)));
  if (!bounded && (flags.length === 0 || flags.some((f) => !inPrefix.has(f)))) return false;
  if (sort.length === 0 || sortFrom(p)) return true;
  return p < keys.length && isRange(kinds[keys[p][0]]) && !isCursor(keys[p][0]);
}

/**
 * Fields whose equality is a flag: booleans and enumerated strings (not arrays of them, such as
 * a user's roles, where one value picks out a few documents).
 */
export function flagFieldsOf(model: Model<any>): Set<string> {
  const out = new Set<string>();
  model.schema.eachPath((name, type) => {
    const t = type as { instance?: string; enumValues?: unknown[] };
    if (t.instance === 'Boolean' || (t.instance === 'String' && (t.enumValues?.length ?? 0) > 0)) out.add(name);
  });
  return out;
}

/** The first declared index that serves the shape, or null. */
export function servingIndex(indexes: DeclaredIndex[], shape: QueryShape, flagFields?: ReadonlySet<string>): DeclaredIndex | null {
  return indexes.find((ix) => serves(ix, shape, flagFields)) ?? null;
}
