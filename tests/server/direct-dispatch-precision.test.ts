/**
 * The precision beside direct dispatch's threshold (server/suggest/direct-dispatch.ts), on a county
 * built for a known answer: two categories, nine confirmed appeals (five about street lights, three
 * about water, and one about street lights that staff confirmed as water), each scored leaving
 * itself out. Without leaving out, every text finds itself in the counts and the measure says 100%;
 * left out, the odd one is suggested as street lights, so 8 of 9. An appeal older than the window
 * is not in the sample, and a measure is kept for a while. No seed: the appeals are written as the
 * learner reads them, and the learner runs by hand.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import { startTestServer, type TestServer } from '../helpers/server';
import { DAY, MINUTE, testClock } from '../helpers/appeals';
import { suggestLearner, suggestService } from '../../server/suggest';
import { precisionAt, precisionMeasure } from '../../server/suggest/direct-dispatch';

const clock = testClock('2026-11-20T02:00:00Z');
let s: TestServer;
let dataDir: string;
let lights: string;
let water: string;

const DEADLINES = { acceptHours: 2, firstContactHours: 24, resolveHours: 168 };
/** Characters no other text uses, so a text's tail is evidence only of itself. */
const TAILS = ['甲乙丙', '丁戊己', '庚辛壬', '癸子丑', '寅卯辰', '巳午未', '申酉戌', '亥金木', '水火土'];
const ODD_TAIL = '鸟鱼虫兽花草竹梅';

/** A confirmed appeal as the learner reads it: a hotline entry a dispatcher accepted with its category. */
async function confirmed(text: string, categoryId: string, id = new Types.ObjectId()): Promise<string> {
  const at = clock.now();
  await s.models.Appeal.collection.insertOne({
    _id: id,
    description: text,
    categoryId: new Types.ObjectId(categoryId),
    channel: 'hotline',
    submittedById: new Types.ObjectId(),
    timeline: [{ _id: new Types.ObjectId(), at, action: 'accept', from: 'submitted', to: 'accepted', byId: new Types.ObjectId(), byName: '调度员', byRole: 'dispatcher', note: null }],
    updatedAt: at,
  } as never);
  return String(id);
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'xianrong-precision-'));
  s = await startTestServer({ seed: false, now: clock.now, backgroundJobs: false, config: { dataDir } });
  const { Category } = s.models;
  lights = String((await Category.create({ code: 'a', name: '一类', group: '组', deadlines: DEADLINES, sort: 1 }))._id);
  water = String((await Category.create({ code: 'b', name: '二类', group: '组', deadlines: DEADLINES, sort: 2 }))._id);
  for (let i = 0; i < 5; i++) await confirmed(`路灯不亮了${TAILS[i]}`, lights);
  for (let i = 5; i < 8; i++) await confirmed(`家里停水了${TAILS[i]}`, water);
  // Staff said water; the text says street lights: only its own counts make it look like water.
  await confirmed(`路灯不亮${ODD_TAIL}`, water);
  // Older than the window (its id made 100 days ago): if it counted, the sample would be 10.
  await confirmed(`路灯坏了${TAILS[8]}`, water, Types.ObjectId.createFromTime(Math.floor((clock.now().getTime() - 100 * DAY) / 1000)));
  expect(await suggestLearner(s.ctx).runOnce()).toMatchObject({ learned: 10 });
}, 60_000);
afterAll(async () => {
  await s?.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('precision measured leaving each appeal out', () => {
  it('without leaving out, every text finds itself: 100% (what the measure must not say)', async () => {
    // The premise of the next test: a measure that scored texts the model has learned would be blind to the odd one.
    const rank = await suggestService(s.ctx).ranker();
    expect(rank(`路灯不亮${ODD_TAIL}`, 1)[0].id).toBe(water);
    for (let i = 0; i < 5; i++) expect(rank(`路灯不亮了${TAILS[i]}`, 1)[0].id).toBe(lights);
    for (let i = 5; i < 8; i++) expect(rank(`家里停水了${TAILS[i]}`, 1)[0].id).toBe(water);
  });

  it('left out, the odd appeal is suggested as street lights: 8 of 9 right, the old one outside the window', async () => {
    // Catches: scoring without leaving out (9 of 9), the window ignored (a sample of 10), or precision and coverage mixed up.
    const m = await precisionMeasure(s.ctx).get();
    expect(m.sample).toBe(9);
    expect(m.accuracy).toBe(0.8889);
    expect(precisionAt(m, 0.5)).toEqual({ threshold: 0.5, precision: 0.8889, coverage: 1, count: 9 });
    const odd = (await suggestService(s.ctx).ranker())(`路灯不亮${ODD_TAIL}`, 1, water)[0];
    expect(odd.id).toBe(lights);
    // Above the odd one's score, the measure counts only the right ones.
    const above = precisionAt(m, odd.score + 0.0001);
    expect(above.precision).toBe(1);
    expect(above.count).toBe(m.scored.filter((x) => x.score > odd.score).length);
    expect(above.coverage).toBe(Math.round((above.count / 9) * 10000) / 10000);
    // Nothing reaches a threshold above every score: no precision to claim, no coverage.
    expect(precisionAt(m, 1.01)).toEqual({ threshold: 1.01, precision: null, coverage: 0, count: 0 });
  });

  it('is kept for a while: a newly confirmed appeal counts in the next measure, not in every request', async () => {
    // Catches: a measure read from the database at every request (the admin page reloaded at will scans 500 appeals each time).
    const first = await precisionMeasure(s.ctx).get();
    await confirmed(`家里停水了${TAILS[8]}`, water);
    await suggestLearner(s.ctx).runOnce();
    expect((await precisionMeasure(s.ctx).get()).sample).toBe(first.sample);
    clock.advance(3 * MINUTE);
    expect((await precisionMeasure(s.ctx).get()).sample).toBe(first.sample + 1);
  });
});
