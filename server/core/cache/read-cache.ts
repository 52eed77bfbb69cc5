import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { freshRead } from './fresh-read';
import type { Stamps } from './stamps';

/**
 * Read-mostly responses (regions, categories, departments ...) served from memory, correct when
 * several server processes share one database:
 *
 * - per request, one read of the version stamps (stamps.ts), shared only with requests that
 *   arrived before that read started (fresh-read.ts);
 * - an entry is labelled with the stamp read BEFORE its data was loaded, so a write racing the
 *   load leaves it at worst fresher than its label, never staler;
 * - an entry is used only while its namespace's stamp is unchanged, and requests missing the
 *   same entry share one load;
 * - the response carries a strong ETag (a hash of the exact body) and `Cache-Control: no-cache`,
 *   so clients revalidate every time and get a 304 without a body when nothing changed.
 *
 * Use: `schema.plugin(cacheStampPlugin(NAMESPACE))` on every model the response reads, and in the
 * route handler `ctx.cache.respond({ req, res }, { namespace: NAMESPACE, key }, load)`, where `key`
 * holds everything else the body depends on (normalized query, the caller's variant).
 */
export interface CacheEntry {
  value: unknown;
  body: Buffer;
  etag: string;
}

interface Namespace {
  /** `epoch:version` of the newest stamp read seen for this namespace, and the read's order. */
  label: string;
  seq: number;
  entries: Map<string, CacheEntry>;
  loading: Map<string, Promise<CacheEntry>>;
  max: number;
}

export interface CacheStats {
  /** Stamp reads started against the database. */
  stampReads: number;
  /** Requests waiting for a stamp read right now. */
  waiting: number;
  /** Loads of data from the database (cache misses that did not join another load). */
  loads: number;
  /** Responses served from an entry already in memory or from a load another request started. */
  hits: number;
}

export interface ReadCacheOptions {
  readStamps: () => Promise<Stamps>;
  /** Entries kept per namespace, least recently used dropped first. */
  maxEntriesPerNamespace?: number;
}

export interface CachedResponse {
  /**
   * The stamp namespace(s) the body is read from: those the models' `cacheStampPlugin` bumps.
   * Name every collection the body depends on, or a write to the unnamed one goes unseen.
   */
  namespace: string | readonly string[];
  /** Everything the body depends on besides the namespace's data: normalized query, caller's variant. */
  key: string;
  /** The body depends on the caller: `Cache-Control: private`, `Vary: Authorization`. */
  private?: boolean;
  /**
   * Entries kept in this namespace (set by its first use), when the cache's default does not fit:
   * one per signed-in user, say.
   */
  maxEntries?: number;
}

/** A cached value that is never sent as a body (no serialisation, no ETag). */
export type CachedValue = Omit<CachedResponse, 'private'>;

const JSON_TYPE = 'application/json; charset=utf-8';

/** A key for a parsed query: the same parameters in any order give the same key. */
export function queryKey(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  return JSON.stringify(Object.keys(query).sort().filter((k) => query[k] !== undefined).map((k) => [k, query[k]]));
}

/**
 * RFC 9110 If-None-Match (weak comparison). Checked here rather than by Express's `req.fresh`,
 * which never answers 304 to a request carrying `Cache-Control: no-cache`, and fetch() adds that
 * header to every request whose If-None-Match the caller set.
 */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

const noBody = (value: unknown): CacheEntry => ({ value, body: Buffer.alloc(0), etag: '' });

function toEntry(value: unknown): CacheEntry {
  // Exactly what Express's res.json sends (no replacer, no spaces configured).
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  return { value, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
}

export class ReadCache {
  readonly stats: CacheStats = { stampReads: 0, waiting: 0, loads: 0, hits: 0 };
  private readonly spaces = new Map<string, Namespace>();
  private readonly max: number;
  private readonly stamps: () => Promise<{ value: Stamps; seq: number }>;
  /** One stamp read per request (see `entry`'s `within`). */
  private readonly perRequest = new WeakMap<object, Promise<{ value: Stamps; seq: number }>>();
  private readonly names = new WeakMap<readonly string[], string>();

  constructor(opts: ReadCacheOptions) {
    this.max = opts.maxEntriesPerNamespace ?? 256;
    this.stamps = freshRead(() => {
      this.stats.stampReads++;
      return opts.readStamps();
    });
  }

  /**
   * Send the response for `spec` from memory if its namespace is unchanged, else from `load`,
   * with ETag/304 handling. Resolves to the body's value (for typing and composition); the
   * response is already sent, so the route mounter sends nothing more.
   */
  async respond<T>(http: { req: Request; res: Response }, spec: CachedResponse, load: () => Promise<T>): Promise<T> {
    // A GET or HEAD writes nothing before it answers: the read made for its identity serves here too.
    const readOnly = http.req.method === 'GET' || http.req.method === 'HEAD';
    const entry = await this.entry(spec, load, readOnly ? http.req : undefined);
    const { req, res } = http;
    // Written directly: what Express's res.set and res.send would write for these bytes (whose
    // ETag is set, so res.send's freshness check could only repeat `matches`), without their
    // per-request header lookups.
    res.setHeader('Cache-Control', spec.private ? 'private, no-cache' : 'no-cache');
    if (spec.private) res.vary('Authorization');
    res.setHeader('ETag', entry.etag);
    if (matches(req.headers['if-none-match'], entry.etag)) {
      res.statusCode = 304;
      res.end();
    } else {
      res.setHeader('Content-Type', JSON_TYPE);
      res.setHeader('Content-Length', entry.body.length);
      if (req.method === 'HEAD') res.end();
      else res.end(entry.body);
    }
    return entry.value as T;
  }

  /**
   * A value loaded by `load`, from memory while its namespace is unchanged: what `respond` does,
   * without a body (the caller uses the value). A load that throws is not kept, so a miss (no such
   * user) is asked again next time. Keys are apart from `respond`'s.
   */
  async value<T>(spec: CachedValue, load: () => Promise<T>, within?: object): Promise<T> {
    return (await this.entry(spec, load, within, noBody, `value:${spec.key}`)).value as T;
  }

  /**
   * The entry for `spec`, valid at a stamp read that started after this call, or, with `within`
   * (a request that writes nothing before its reads), after that request's first call: one stamp
   * read serves every cached read of one request. `key`: the entry's key, when not `spec.key`
   * (`value` keeps its keys apart from `respond`'s).
   */
  async entry(spec: CachedResponse, load: () => Promise<unknown>, within?: object, wrap: (value: unknown) => CacheEntry = toEntry, key = spec.key): Promise<CacheEntry> {
    this.stats.waiting++;
    let read: { value: Stamps; seq: number };
    try {
      let pending = within && this.perRequest.get(within);
      if (!pending) {
        pending = this.stamps();
        if (within) this.perRequest.set(within, pending);
      }
      read = await pending;
    } finally {
      this.stats.waiting--;
    }
    const space = this.space(spec, read);
    // Here space.label comes from a read that started no earlier than ours: as fresh or fresher.

    const hit = space.entries.get(key);
    if (hit) {
      // Most recently used last: Map keeps insertion order.
      space.entries.delete(key);
      space.entries.set(key, hit);
      this.stats.hits++;
      return hit;
    }
    const pending = space.loading.get(key);
    if (pending) {
      this.stats.hits++;
      return pending;
    }

    this.stats.loads++;
    const s = space;
    const loadedAt = s.label;
    const p = load().then(wrap);
    s.loading.set(key, p);
    try {
      const entry = await p;
      if (s.label === loadedAt) {
        s.entries.set(key, entry);
        if (s.entries.size > s.max) s.entries.delete(s.entries.keys().next().value!);
      }
      return entry;
    } finally {
      if (s.loading.get(key) === p) s.loading.delete(key);
    }
  }

  /**
   * The namespace's entries as of `read`. Hundreds of requests share one stamp read: only a read
   * newer than the one the namespace was last checked against computes its label.
   */
  private space(spec: CachedResponse, read: { value: Stamps; seq: number }): Namespace {
    const ns = spec.namespace;
    const spaceName = typeof ns === 'string' ? ns : this.joined(ns);
    let space = this.spaces.get(spaceName);
    if (space && read.seq <= space.seq) return space;
    const names = typeof ns === 'string' ? [ns] : ns;
    const label = `${read.value.epoch}:${names.map((n) => read.value.v[n] ?? 0).join(':')}`;
    if (!space) {
      space = { label, seq: read.seq, entries: new Map(), loading: new Map(), max: spec.maxEntries ?? this.max };
      this.spaces.set(spaceName, space);
    } else {
      space.seq = read.seq;
      if (space.label !== label) {
        space.label = label;
        space.entries.clear();
        space.loading.clear();
      }
    }
    return space;
  }

  /** A list of namespaces' name (callers keep their list in a constant, so it is joined once). */
  private joined(names: readonly string[]): string {
    let name = this.names.get(names);
    if (name === undefined) this.names.set(names, (name = names.join('+')));
    return name;
  }
}
