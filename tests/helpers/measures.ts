/** What the measures tests share: China-time instants and a measures read that fails loudly. */
import type { TestServer } from './server';

/** A China-time wall clock reading as an instant: `cn('2026-11-02 09:00')`. */
export const cn = (s: string) => new Date(`${s.replace(' ', 'T')}:00+08:00`);

/** `GET /api/v1/measures?<query>` as `token`; throws with the answer unless it is 200. */
export async function readMeasures(s: TestServer, token: string, query: string) {
  const res = await s.api('GET', `/api/v1/measures?${query}`, { token });
  if (res.status !== 200) throw new Error(`measures ${query}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
