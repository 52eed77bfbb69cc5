import type { Connection } from 'mongoose';
import { regionSchema } from './regions/model';
import { departmentSchema } from './departments/model';
import { identitySchema, userSchema } from './users/model';
import { loginFailureSchema, sessionSchema } from './auth/model';
import { bindingCodeSchema, roomSchema } from './bindings/model';
import { auditSchema } from './audit/model';
import { categorySchema } from './categories/model';
import { seedRecordSchema } from './seed/model';
import { rateWindowModel } from './core/rate-limit/model';
import { appealSchema, counterSchema } from './appeals/model';
import { photoSchema } from './photos/model';
import { outboxSchema } from './outbox/model';
import { articleLikeSchema, articleSchema, articleStatsSchema, articleViewSchema, columnSchema, commentSchema } from './news/model';
import { noticeSchema } from './notices/model';
import { serviceEntrySchema } from './service-directory/model';

/**
 * The composition root's registry: every feature's models on one connection. Only the root
 * (server.ts) and the tools (scripts, tests, bench) use the whole of it; a feature reaches only
 * its own models (tests/server/model-ownership.test.ts).
 *
 * Models are bound to one connection (not mongoose's global one) so a test can run an app on its
 * own database, and two apps never share state by accident.
 */
export function createModels(conn: Connection) {
  return {
    Region: conn.model('Region', regionSchema),
    Department: conn.model('Department', departmentSchema),
    User: conn.model('User', userSchema),
    Identity: conn.model('Identity', identitySchema),
    Session: conn.model('Session', sessionSchema),
    LoginFailure: conn.model('LoginFailure', loginFailureSchema),
    BindingCode: conn.model('BindingCode', bindingCodeSchema),
    Room: conn.model('Room', roomSchema),
    Audit: conn.model('Audit', auditSchema),
    Category: conn.model('Category', categorySchema),
    SeedRecord: conn.model('SeedRecord', seedRecordSchema),
    // The platform's limiter owns it (core/rate-limit); listed for the composition root and tests.
    RateWindow: rateWindowModel(conn),
    Appeal: conn.model('Appeal', appealSchema),
    Counter: conn.model('Counter', counterSchema),
    Photo: conn.model('Photo', photoSchema),
    Outbox: conn.model('Outbox', outboxSchema),
    Column: conn.model('Column', columnSchema),
    Article: conn.model('Article', articleSchema),
    ArticleStats: conn.model('ArticleStats', articleStatsSchema),
    ArticleLike: conn.model('ArticleLike', articleLikeSchema),
    ArticleView: conn.model('ArticleView', articleViewSchema),
    Comment: conn.model('Comment', commentSchema),
    Notice: conn.model('Notice', noticeSchema),
    ServiceEntry: conn.model('ServiceEntry', serviceEntrySchema),
  };
}
export type Models = ReturnType<typeof createModels>;

/** Build every declared index; called once at start, before the server accepts requests. */
export async function syncIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) await model.createIndexes();
}
