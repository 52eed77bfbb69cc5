/** What the measures tests share: China-time instants and a measures read that fails loudly. */
import { measureRollup } from '../../server/measures';
import { demoIds, fileAppeal, startAppealsServer, testClock, type AppealsTestServer, type DemoIds } from './appeals';
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
 * A measures story on a fixed clock, started before the suite's own `beforeAll` and stopped after
 * it: the demo county without its appeals and with no day rolled up, so the figures are the
 * story's alone (the demo history is filed before the clock). `tok` holds the tokens of `staff`
 * and of demo-resident-01 (`tok.resident`); `ap` the story's appeals by the names it gives them.
 */
export interface MeasuresStory {
  env: AppealsTestServer;
  s: TestServer;
  ids: DemoIds;
  tok: Record<string, string>;
  ap: Record<string, string>;
  /** Sets the clock to a China-time wall clock reading: `at('2026-11-02 09:00')`. */
  at(when: string): void;
  /** The measures for `query`, as the county dispatcher unless `token` says otherwise. */
  measures(query: string, token?: string): Promise<any>;
  /** demo-resident-01 files appeal `name` in 东城社区 without a category, at `when`. */
  file(name: string, when: string): Promise<void>;
}

export function measuresStory(staff: readonly string[], start = '2026-10-31T17:00:00Z'): MeasuresStory {
  const story = { tok: {}, ap: {} } as MeasuresStory;
  story.at = (when) => story.env.clock.set(cn(when));
  story.measures = (query, token = story.tok.dispatcher) => readMeasures(story.s, token, query);
  story.file = async (name, when) => {
    story.at(when);
    story.ap[name] = (await fileAppeal(story.s, story.tok.resident, { regionId: story.ids.region['DX-01-01'], categoryId: null, description: `测试诉求 ${name}` })).id;
  };
  beforeAll(async () => {
    story.env = await startAppealsServer(testClock(start));
    story.s = story.env.server;
    await story.s.models.Appeal.deleteMany({});
    await measureRollup(story.s.ctx).forget();
    story.ids = await demoIds(story.s);
    for (const u of staff) story.tok[u] = await story.s.staffToken(u);
    story.tok.resident = await story.s.residentToken('demo-resident-01');
  }, 90_000);
  afterAll(() => story.env?.stop());
  return story;
}
