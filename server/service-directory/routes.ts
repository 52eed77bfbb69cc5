import type { AppContext } from '../context';
import { AppError, isDuplicateKeyError, notFound } from '../core/errors';
import { queryKey } from '../core/cache/read-cache';
import { route, type RouteDef } from '../core/route';
import { idParams } from '../core/validate';
import { SERVICES_CACHE, type ServiceEntryDoc } from './model';
import { CreateServiceEntryBody, ServiceEntry, ServiceEntryList, ServiceListQuery, UpdateServiceEntryBody } from './schemas';

export const toServiceDto = (s: ServiceEntryDoc): ServiceEntry => ({
  id: String(s._id),
  name: s.name,
  group: s.group,
  phone: s.phone,
  hours: s.hours,
  address: s.address,
  keywords: s.keywords,
  note: s.note,
  sort: s.sort,
  active: s.active,
});

/** The directory's one order: by group, then the admins' sort number, then name. */
export const SERVICE_ORDER = { group: 1, sort: 1, name: 1 } as const;

/** Keywords as typed by an admin: trimmed by the schema; here duplicates go, first spelling kept. */
const uniqueKeywords = (words: string[]) => [...new Set(words)];

const duplicateName = (name: string) => new AppError(409, 'DUPLICATE', `服务名称「${name}」已存在`, [{ path: 'body.name', message: '已存在' }]);

/** The services directory: public list (cached), admins edit. */
export function serviceDirectoryRoutes(ctx: AppContext): RouteDef[] {
  const { ServiceEntry: Services } = ctx.models;

  // A directory is tens of entries: one unpaged list, like the categories catalogue.
  return [
    route({
      method: 'get', path: '/', summary: '便民服务目录（电话、办公时间、地址）', access: 'public', query: ServiceListQuery, response: ServiceEntryList,
      handler: ({ req, res, query, user }) => {
        const all = query.all === 'true' && !!user?.roles.includes('admin');
        // Two variants: the active directory (public), and every entry (admins only: private).
        return ctx.cache.respond({ req, res }, { namespace: SERVICES_CACHE, key: queryKey({ all }), private: all }, async () => {
          const docs = await Services.find(all ? {} : { active: true }).sort(SERVICE_ORDER).lean<ServiceEntryDoc[]>();
          return { items: docs.map(toServiceDto) };
        });
      },
    }),
    route({
      method: 'post', path: '/', summary: '新增便民服务条目', access: ['admin'], body: CreateServiceEntryBody, response: ServiceEntry, status: 201,
      handler: async ({ body }) => {
        if (await Services.exists({ name: body.name })) throw duplicateName(body.name);
        try {
          return toServiceDto((await Services.create({ ...body, keywords: uniqueKeywords(body.keywords) })).toObject());
        } catch (err) {
          // Two admins adding the same name at once: the unique index decides.
          if (isDuplicateKeyError(err)) throw duplicateName(body.name);
          throw err;
        }
      },
    }),
    route({
      method: 'patch', path: '/:id', summary: '修改便民服务条目（active=false 停用：不再显示，机器人也不再回答）', access: ['admin'], params: idParams, body: UpdateServiceEntryBody, response: ServiceEntry,
      handler: async ({ params, body }) => {
        const set = body.keywords ? { ...body, keywords: uniqueKeywords(body.keywords) } : body;
        if (body.name && (await Services.exists({ name: body.name, _id: { $ne: params.id } }))) throw duplicateName(body.name);
        let s: ServiceEntryDoc | null;
        try {
          s = await Services.findByIdAndUpdate(params.id, { $set: set }, { returnDocument: 'after' }).lean<ServiceEntryDoc>();
        } catch (err) {
          if (isDuplicateKeyError(err) && body.name) throw duplicateName(body.name);
          throw err;
        }
        if (!s) throw notFound('服务条目');
        return toServiceDto(s);
      },
    }),
  ];
}
