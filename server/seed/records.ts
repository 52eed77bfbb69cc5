import type { AppContext } from '../context';
import type { Records } from '../db/records';
import { regionLookup } from '../regions';
import { departmentService } from '../departments';
import { categoryService } from '../categories';
import { userService } from '../users';
import { boundRooms } from '../bindings';
import { appealRecords } from '../appeals';
import { newsRecords } from '../news';
import { noticeRecords } from '../notices';
import { outboxRecords } from '../outbox';
import { photoRecords } from '../photos';
import { serviceRecords } from '../service-directory';

/**
 * Where the seed writes, copies and undoes each kind of document: through the face of the feature
 * that owns it, never by model name. The reference data (regions … group chats) is written as the
 * demo county gives it; appeals, articles, comments, notices and their deliveries are what the
 * features produced in the seed's sandbox (sandbox.ts).
 */
const FACES = {
  Region: (ctx) => regionLookup(ctx).records(),
  Department: (ctx) => departmentService(ctx).records(),
  Category: (ctx) => categoryService(ctx).records(),
  User: (ctx) => userService(ctx).userRecords(),
  Identity: (ctx) => userService(ctx).identityRecords(),
  Room: (ctx) => boundRooms(ctx).records(),
  Appeal: appealRecords,
  Column: (ctx) => newsRecords(ctx).columns,
  Article: (ctx) => newsRecords(ctx).articles,
  ArticleStats: (ctx) => newsRecords(ctx).articleStats,
  Comment: (ctx) => newsRecords(ctx).comments,
  Notice: noticeRecords,
  ServiceEntry: serviceRecords,
  Outbox: outboxRecords,
  Photo: photoRecords,
} satisfies Record<string, (ctx: AppContext) => Records>;

/** The kinds of document the seed handles, named as their collections' models. */
export type RecordKind = keyof typeof FACES;

export const recordsFor = (ctx: AppContext, kind: RecordKind): Records => FACES[kind](ctx);
