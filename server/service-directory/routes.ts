import type { AppContext } from '../context';
import { catalogue, catalogueRoutes, type CatalogueHooks } from '../core/catalogue';
import type { RouteDef } from '../core/route';
import { SERVICES_CACHE, type ServiceEntryDoc, serviceDirectoryModels } from './model';
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

/** The services directory: a catalogue (core/catalogue.ts) unique by name, keywords kept once each. */
export function serviceCatalogue(ctx: AppContext, hooks?: CatalogueHooks) {
  return catalogue(
    {
      model: serviceDirectoryModels(ctx.conn).ServiceEntry, noun: '服务', missing: '服务条目', unique: [{ field: 'name', label: '名称' }], namespace: SERVICES_CACHE, order: SERVICE_ORDER, toDto: toServiceDto,
      beforeCreate: (body: CreateServiceEntryBody) => ({ ...body, keywords: uniqueKeywords(body.keywords) }),
      beforeUpdate: (_id, body: UpdateServiceEntryBody) => (body.keywords ? { ...body, keywords: uniqueKeywords(body.keywords) } : body),
    },
    hooks,
  );
}

/** The services directory: public list (cached), admins edit. */
export function serviceDirectoryRoutes(ctx: AppContext, hooks?: CatalogueHooks): RouteDef[] {
  // A directory is tens of entries: one unpaged list, like the categories catalogue.
  return catalogueRoutes(ctx.cache, serviceCatalogue(ctx, hooks), {
    list: { summary: '便民服务目录（电话、办公时间、地址）', access: 'public', allQuery: ServiceListQuery, response: ServiceEntryList },
    create: { summary: '新增便民服务条目', body: CreateServiceEntryBody, response: ServiceEntry },
    update: { summary: '修改便民服务条目（active=false 停用：不再显示，机器人也不再回答）', body: UpdateServiceEntryBody, response: ServiceEntry },
  });
}
