import type { Connection } from 'mongoose';
import { regionModels } from './regions/model';
import { departmentModels } from './departments/model';
import { userModels } from './users/model';
import { authModels } from './auth/model';
import { bindingModels } from './bindings/model';
import { auditModels } from './audit/model';
import { categoryModels } from './categories/model';
import { seedModels } from './seed/model';
import { rateWindowModel } from './core/rate-limit/model';
import { appealModels } from './appeals/model';
import { photoModels } from './photos/model';
import { outboxModels } from './outbox/model';
import { newsModels } from './news/model';
import { noticeModels } from './notices/model';
import { serviceDirectoryModels } from './service-directory/model';
import { subscriptionModels } from './subscriptions/model';
import { measureModels } from './measures/model';
import { open311Models } from './open311/model';
import { tipModels } from './tips/model';
import { suggestModels } from './suggest/model';
import { suggestImportModels } from './suggest/import-model';
import { consultationModels } from './consultations/model';
import { hotspotModels } from './hotspots/model';

/**
 * Every feature's models on one connection, for the tools that handle the whole database: index
 * builds at start, the seed's reset and counts, scripts, tests and benches. The app itself never
 * passes this around: each feature registers and reaches its own collections (`appealModels(conn)`
 * in its `model.ts`), and the others call its face (tests/server/model-ownership.test.ts).
 *
 * Models are bound to one connection (not mongoose's global one) so a test can run an app on its
 * own database, and two apps never share state by accident.
 */
export function createModels(conn: Connection) {
  return {
    ...regionModels(conn),
    ...departmentModels(conn),
    ...userModels(conn),
    ...authModels(conn),
    ...bindingModels(conn),
    ...auditModels(conn),
    ...categoryModels(conn),
    ...seedModels(conn),
    // The platform's limiter owns it (core/rate-limit).
    RateWindow: rateWindowModel(conn),
    ...appealModels(conn),
    ...photoModels(conn),
    ...outboxModels(conn),
    ...newsModels(conn),
    ...noticeModels(conn),
    ...serviceDirectoryModels(conn),
    ...subscriptionModels(conn),
    ...measureModels(conn),
    ...open311Models(conn),
    ...tipModels(conn),
    ...suggestModels(conn),
    ...suggestImportModels(conn),
    ...consultationModels(conn),
    ...hotspotModels(conn),
  };
}
export type Models = ReturnType<typeof createModels>;

/** Build every declared index; called once at start, before the server accepts requests. */
export async function syncIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models)) await model.createIndexes();
}
