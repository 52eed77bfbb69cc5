/** What the measures tests share: China-time instants and a measures read that fails loudly. */
import { measureRollup } from '../../server/measures';
import { demoIds, startAppealsServer, testClock, type AppealsTestServer, type DemoIds } from './appeals';
import type { TestServer } from './server';

/** A China-time wall clock reading as an instant: `cn('2026-11-02 09:00')`. */
export const cn = (s: string) => new Date(`${s.replace(' ', 'T')}:00+08:00`);

/** `GET /api/v1/measures?<query>` as `token`; throws with the answer unless it is 200. */
export async function readMeasures(s: TestServer, token: string, query: string) {
  const res = await s.api('GET', `/api/v1/measures?${query}`, { token });
  if (res.status !== 200) throw new Error(`measures ${query}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * A server for a measures story on a fixed clock: the demo county without its appeals and with no
 * day rolled up, so the figures are the story's alone (the demo history is filed before the clock).
 */
export async function startMeasuresStory(start = '2026-10-31T17:00:00Z'): Promise<{ env: AppealsTestServer; s: TestServer; ids: DemoIds }> {
  const env = await startAppealsServer(testClock(start));
  const s = env.server;
  await s.models.Appeal.deleteMany({});
  await measureRollup(s.ctx).forget();
  return { env, s, ids: await demoIds(s) };
}
