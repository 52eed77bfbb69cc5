import type { Model, QueryFilter } from 'mongoose';
import type { z } from 'zod';
import { AppError, duplicateKeyToAppError, isDuplicateKeyError, notFound } from './errors';
import { queryKey, type ReadCache } from './cache/read-cache';
import { route, type RouteDef } from './route';
import { idParams } from './validate';

/**
 * A catalogue: a short, admin-edited list of named entries that pickers and residents read whole
 * (the dispatch catalogue's categories, departments, news columns, the services directory). One
 * list read from the read cache, create, edit and, where a feature allows it, delete, with the
 * database calls here and each feature's own rules passed in as checks.
 *
 * Duplicates: a create or edit that repeats a unique field (a code, a name) is a 409 naming the
 * value, `分类编码「noise」已存在`. Two creates racing on one value both miss the lookup; the unique
 * index decides: one is stored (201), the other gets the same named 409, never a 500.
 */

/** A field a unique index guards, and how a message names it (编码, 名称). */
export interface UniqueField {
  field: string;
  label: string;
}

export interface CatalogueHooks {
  /** Between a create's duplicate lookup and its insert (tests hold two creates here so both insert). */
  afterLookup?: () => Promise<void>;
}

export interface CatalogueSpec<Doc, Dto, Create, Update> {
  /** The model as a feature's schema makes it (with mongoose's `id` virtual). */
  model: Model<Doc, object, object, { id: string }>;
  /** What one entry is called in a duplicate's message: 分类 → `分类编码「x」已存在`. */
  noun: string;
  /** What a missing entry is called: 诉求分类 → `诉求分类不存在`. */
  missing: string;
  /** The unique fields, in the order a clash on several is reported. */
  unique: readonly UniqueField[];
  /** The read-cache namespace the model's `cacheStampPlugin` bumps on every write. */
  namespace: string;
  /** The one order of every list. */
  order: Record<string, 1 | -1>;
  toDto: (doc: Doc) => Dto;
  /** The feature's rules for a create: throw to refuse; returns the fields to store (defaults filled in). */
  beforeCreate?: (body: Create) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** The same for an edit: returns the fields to `$set`. */
  beforeUpdate?: (id: string, body: Update) => Promise<Record<string, unknown>> | Record<string, unknown>;
  /** The feature's rules for a delete (an entry still in use is a 409). */
  beforeRemove?: (id: string) => Promise<void>;
}

export interface Catalogue<Doc, Dto, Create, Update> {
  readonly spec: CatalogueSpec<Doc, Dto, Create, Update>;
  /** Every entry, or the active ones only, in the catalogue's order. */
  list(opts: { all: boolean }): Promise<Dto[]>;
  create(body: Create): Promise<Dto>;
  update(id: string, body: Update): Promise<Dto>;
  remove(id: string): Promise<void>;
}

export function catalogue<Doc, Dto, Create, Update>(spec: CatalogueSpec<Doc, Dto, Create, Update>, hooks: CatalogueHooks = {}): Catalogue<Doc, Dto, Create, Update> {
  const { model } = spec;

  const duplicate = (u: UniqueField, value: unknown) =>
    new AppError(409, 'DUPLICATE', `${spec.noun}${u.label}「${String(value)}」已存在`, [{ path: `body.${u.field}`, message: '已存在' }]);

  /** The unique fields this write sets. */
  const uniqueIn = (fields: Record<string, unknown>) => spec.unique.filter((u) => fields[u.field] !== undefined);

  /** The named 409 for the first unique value another entry (not `exceptId`) already holds, or null. */
  async function clash(fields: Record<string, unknown>, exceptId?: string): Promise<AppError | null> {
    const set = uniqueIn(fields);
    if (set.length === 0) return null;
    const filter = { $or: set.map((u) => ({ [u.field]: fields[u.field] })), ...(exceptId ? { _id: { $ne: exceptId } } : {}) };
    const other = await model.findOne(filter as QueryFilter<Doc>).lean<Record<string, unknown>>();
    if (!other) return null;
    const u = set.find((f) => other[f.field] === fields[f.field]) ?? set[0];
    return duplicate(u, fields[u.field]);
  }

  /** A unique index refused the write: name the value when the database still shows the clash. */
  async function refused(err: Parameters<typeof duplicateKeyToAppError>[0], fields: Record<string, unknown>, exceptId?: string): Promise<AppError> {
    const named = await clash(fields, exceptId);
    if (named) return named;
    const set = uniqueIn(fields);
    return set.length === 1 ? duplicate(set[0], fields[set[0].field]) : duplicateKeyToAppError(err);
  }

  return {
    spec,
    async list({ all }) {
      const docs = await model.find((all ? {} : { active: true }) as QueryFilter<Doc>).sort(spec.order).lean<Doc[]>();
      return docs.map(spec.toDto);
    },

    async create(body) {
      const fields = spec.beforeCreate ? await spec.beforeCreate(body) : (body as Record<string, unknown>);
      const found = await clash(fields);
      if (found) throw found;
      await hooks.afterLookup?.();
      try {
        return spec.toDto((await model.create(fields as Partial<Doc>)).toObject() as Doc);
      } catch (err) {
        // Two creates of one value at once: the unique index decides.
        if (isDuplicateKeyError(err)) throw await refused(err, fields);
        throw err;
      }
    },

    async update(id, body) {
      const fields = spec.beforeUpdate ? await spec.beforeUpdate(id, body) : (body as Record<string, unknown>);
      const found = await clash(fields, id);
      if (found) throw found;
      let doc: Doc | null;
      try {
        doc = await model.findByIdAndUpdate(id, { $set: fields }, { returnDocument: 'after' }).lean<Doc>();
      } catch (err) {
        if (isDuplicateKeyError(err)) throw await refused(err, fields, id);
        throw err;
      }
      if (!doc) throw notFound(spec.missing);
      return spec.toDto(doc);
    },

    async remove(id) {
      await spec.beforeRemove?.(id);
      const { deletedCount } = await model.deleteOne({ _id: id } as QueryFilter<Doc>);
      if (!deletedCount) throw notFound(spec.missing);
    },
  };
}

/** The HTTP face of a catalogue: summaries and schemas are the feature's own (they are its API). */
export interface CatalogueRoutes<Create, Update> {
  list: {
    summary: string;
    /** `public`: anyone reads it (a shared cache entry); `user`: signed-in users only (private). */
    access: 'public' | 'user';
    /**
     * The feature's `?all=` query: with it the list holds the active entries, and every entry for
     * an admin asking `all=true` (a private variant); without it, every entry for every caller.
     */
    allQuery?: z.ZodType<{ all?: 'true' | 'false' }>;
    response: z.ZodType;
  };
  create: { summary: string; body: z.ZodType<Create>; response: z.ZodType };
  update: { summary: string; body: z.ZodType<Update>; response: z.ZodType };
  /** Only for catalogues whose entries may be deleted (the feature's `beforeRemove` decides when). */
  remove?: { summary: string };
}

/** The route table of a catalogue, mounted by the feature under its prefix; admins edit. */
export function catalogueRoutes<Doc, Dto, Create, Update>(cache: ReadCache, c: Catalogue<Doc, Dto, Create, Update>, r: CatalogueRoutes<Create, Update>): RouteDef[] {
  const { namespace } = c.spec;
  const { allQuery } = r.list;
  const routes = [
    route({
      method: 'get', path: '/', summary: r.list.summary, access: r.list.access, query: allQuery, response: r.list.response,
      handler: ({ req, res, query, user }) => {
        if (!allQuery) {
          return cache.respond({ req, res }, { namespace, key: 'list', private: r.list.access !== 'public' }, async () => ({ items: await c.list({ all: true }) }));
        }
        const all = query?.all === 'true' && !!user?.roles.includes('admin');
        // Two variants: the active entries (shared), and every entry (admins only: private).
        return cache.respond({ req, res }, { namespace, key: queryKey({ all }), private: all || r.list.access !== 'public' }, async () => ({ items: await c.list({ all }) }));
      },
    }),
    route({
      method: 'post', path: '/', summary: r.create.summary, access: ['admin'], body: r.create.body, response: r.create.response, status: 201,
      handler: ({ body }) => c.create(body),
    }),
    route({
      method: 'patch', path: '/:id', summary: r.update.summary, access: ['admin'], params: idParams, body: r.update.body, response: r.update.response,
      handler: ({ params, body }) => c.update(params.id, body),
    }),
  ];
  if (r.remove) {
    routes.push(route({ method: 'delete', path: '/:id', summary: r.remove.summary, access: ['admin'], params: idParams, handler: ({ params }) => c.remove(params.id) }));
  }
  return routes;
}
