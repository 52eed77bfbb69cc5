/**
 * The measures of a closed month read as of each day: appeals that move after the month ended, with
 * no rollup of its days in between (the minutes between a day's end and the next rollup run, a
 * server that was down, days forgotten by the demo seed or an import, days older than the
 * catch-up), give the month the same figures as a rollup run right after it ended, and the rollup
 * then stores those figures, not changed ones.
 *
 * November 2026 (China time), all in 东城社区:
 *   T  filed 10 Nov 09:00, accepted, assigned to 交通运输局, started; 改派 to 水务局 on 3 Dec
 *   R  filed 28 Nov 09:00, accepted, assigned to 城管局, started, answered 29 Nov 09:00, rated
 *      resolved 满意 29 Nov 10:00; reopened 2 Dec
 *   C  filed 30 Nov 09:00 without a category; accepted on 2 Dec as 道路破损
 */
import { measureRollup } from '../../server/measures';
import { cellsOf, factsOf } from '../../server/measures/formulas';
import type { AppealTimeline, TimelineEventFacts } from '../../server/appeals';
import { move } from '../helpers/appeals';
import { cn, measuresStory } from '../helpers/measures';

const story = measuresStory(['dispatcher', 'dept_urban', 'dept_transport']);
const { tok, ap, at, measures, file } = story;
const NOV = 'from=2026-11-01&to=2026-11-30';
/** November's figures read just after the month ended, before any appeal moved again. */
const atMonthEnd: Record<string, any> = {};

const step = async (name: string, when: string, token: string, action: string, body: Record<string, unknown> = {}) => {
  at(when);
  await move(story.s, tok[token], ap[name], action, body);
};
/** The questions asked of November: the county, and per department and category (R is not in these). */
const questions = () => ({
  county: NOV,
  transport: `${NOV}&departmentId=${story.ids.department.transport}`,
  water: `${NOV}&departmentId=${story.ids.department.water}`,
  road: `${NOV}&categoryId=${story.ids.category['road-damage']}`,
});
const UNITS = ['transport', 'water', 'road'] as const;
const november = async () => {
  const out: Record<string, any> = {};
  for (const [name, q] of Object.entries(questions())) out[name] = await measures(q);
  return out;
};

beforeAll(async () => {
  await file('T', '2026-11-10 09:00');
  await step('T', '2026-11-10 09:30', 'dispatcher', 'accept');
  await step('T', '2026-11-10 09:40', 'dispatcher', 'assign', { departmentId: story.ids.department.transport });
  await step('T', '2026-11-10 10:00', 'dept_transport', 'start');

  await file('R', '2026-11-28 09:00');
  await step('R', '2026-11-28 09:30', 'dispatcher', 'accept');
  await step('R', '2026-11-28 09:40', 'dispatcher', 'assign', { departmentId: story.ids.department.urban });
  await step('R', '2026-11-28 10:00', 'dept_urban', 'start');
  await step('R', '2026-11-29 09:00', 'dept_urban', 'reply', { answer: '路灯已经修复完毕', photoIds: [] });
  await step('R', '2026-11-29 10:00', 'resident', 'rate', { resolved: true, satisfaction: 'satisfied' });

  await file('C', '2026-11-30 09:00');

  // Just after the month's end: November as the rollup would store it if it ran now.
  at('2026-12-01 00:10');
  Object.assign(atMonthEnd, await november());

  // December's moves, with no rollup of November's days in between.
  await step('C', '2026-12-02 09:00', 'dispatcher', 'accept', { categoryId: story.ids.category['road-damage'] });
  await step('R', '2026-12-02 09:30', 'resident', 'reopen', { reason: '路灯又坏了' });
  await step('T', '2026-12-03 09:00', 'dispatcher', 'transfer', { departmentId: story.ids.department.water, reason: '属于水务局职责' });
  at('2026-12-03 12:00');
}, 120_000);
describe('measures: a closed month read as of its days', () => {
  it('keeps the figures of the month as they were at its end', () => {
    // The story's own check: what the tests below compare with is what they say it is.
    expect(atMonthEnd.county.days).toEqual({ rolledUp: 0, live: 30 });
    expect(atMonthEnd.county.counts).toMatchObject({ received: 3, rated: { total: 1, satisfied: 1, resolved: 1 } });
    expect(atMonthEnd.county.rates).toMatchObject({ satisfaction: { numerator: 1, denominator: 1 }, resolution: { numerator: 1, denominator: 1 } });
    expect(atMonthEnd.transport.counts).toMatchObject({ received: 1, accepted: 1 });
    expect(atMonthEnd.water.counts).toMatchObject({ received: 0, accepted: 0 });
    expect(atMonthEnd.road.counts).toMatchObject({ received: 0 });
  });

  it('keeps a rating a reopen withdrew in a later month, read from the timelines and then from the rollup', async () => {
    // Catches: the days not rolled up yet read with the appeal's current rating, so R's 满意 of
    // 29 Nov, withdrawn by the reopen of 2 Dec, turned November's 满意率 and 解决率 from 1/1 to 0/1,
    // and the rollup then stored the changed figures for good.
    const live = await measures(NOV);
    expect(live.days).toEqual({ rolledUp: 0, live: 30 });
    expect(live.counts.rated).toEqual(atMonthEnd.county.counts.rated);
    expect(live.rates).toEqual(atMonthEnd.county.rates);

    expect((await measureRollup(story.s.ctx).run()).days).toBeGreaterThan(30);
    const rolled = await measures(NOV);
    expect(rolled.days).toEqual({ rolledUp: 30, live: 0 });
    expect({ ...rolled, days: null }).toEqual({ ...atMonthEnd.county, days: null });
    // The reopen counts in its own month.
    expect((await measures('from=2026-12-01&to=2026-12-31')).counts).toMatchObject({ reopened: 1 });
    await measureRollup(story.s.ctx).forget();
  });

  it('keeps a month\'s facts under the department and category they had then, read from the timelines and then from the rollup', async () => {
    // Catches: the days not rolled up yet counted under the appeal's current department and
    // category, so T's 改派 of 3 Dec moved its November facts from 交通运输局 to 水务局 (the
    // department's own staff saw them go too), and C's category given on 2 Dec moved its November
    // filing to 道路破损; the rollup then stored them there.
    for (const read of ['timelines', 'rollup'] as const) {
      if (read === 'rollup') expect((await measureRollup(story.s.ctx).run()).days).toBeGreaterThan(30);
      const now = await november();
      expect(now.county.days).toEqual(read === 'rollup' ? { rolledUp: 30, live: 0 } : { rolledUp: 0, live: 30 });
      for (const name of UNITS) expect({ read, name, figures: { ...now[name], days: null } }).toEqual({ read, name, figures: { ...atMonthEnd[name], days: null } });
      const staff = await measures(NOV, tok.dept_transport);
      expect({ read, counts: staff.counts }).toMatchObject({ read, counts: { received: 1, accepted: 1 } });
    }
  });
});

describe('measures: one timeline read as of each day (formulas.ts)', () => {
  const story = (events: TimelineEventFacts[], o: Partial<AppealTimeline> = {}): AppealTimeline => ({
    id: 'x',
    regionPath: '/DX/DX-01/DX-01-01/',
    departmentId: 'urban',
    categoryId: null,
    channel: 'miniprogram',
    submittedAt: cn('2026-11-28 09:00'),
    acceptBy: cn('2026-11-28 11:00'),
    firstContactBy: cn('2026-11-29 09:00'),
    resolveBy: cn('2026-12-05 09:00'),
    rating: null,
    events: [
      { at: cn('2026-11-28 09:00'), action: 'submit', from: null, to: 'submitted' },
      { at: cn('2026-11-29 09:00'), action: 'reply', from: 'in_progress', to: 'replied' },
      ...events,
    ],
    ...o,
  });
  const rated = (a: AppealTimeline) =>
    factsOf(a, cn('2026-12-04 12:00'))
      .filter((f) => 'count' in f && ['ratedSatisfied', 'ratedUnsatisfied', 'ratedResolved', 'answersResolved'].includes(f.count))
      .map((f) => ('count' in f ? f.count : ''))
      .sort();
  const rate: TimelineEventFacts = { at: cn('2026-11-29 10:00'), action: 'rate', from: 'replied', to: 'closed', rating: { resolved: true, satisfaction: 'satisfied' } };

  it('counts a rating as given unless a reopen withdrew it the same day', () => {
    // Catches: a rating read from the appeal's rating in force, which a reopen on a later day
    // clears (November's 满意率 changing in December); and the other way, a rating withdrawn before
    // its day ended counted as given (the rule the rollup has always applied to such a day).
    const reopen = (when: string): TimelineEventFacts => ({ at: cn(when), action: 'reopen', from: 'closed', to: 'in_progress' });
    expect(rated(story([rate, reopen('2026-12-02 09:00')]))).toEqual(['answersResolved', 'ratedResolved', 'ratedSatisfied']);
    expect(rated(story([rate, reopen('2026-11-29 20:00')]))).toEqual(['ratedUnsatisfied']);
    // A rating given before events kept their rating: the appeal's rating in force, as before.
    const { rating: _r, ...unrecorded } = rate;
    expect(rated(story([unrecorded], { rating: { resolved: true, satisfaction: 'satisfied', at: rate.at } }))).toEqual(['answersResolved', 'ratedResolved', 'ratedSatisfied']);
  });

  it('gives each day the department and category the appeal had at its end', () => {
    // Catches: every day's facts counted under the appeal's department now, so a 改派 moved the
    // past days; or a change counted from the day after the one it was made on.
    const cellOf = cellsOf(
      story([
        { at: cn('2026-11-30 15:00'), action: 'transfer', from: 'in_progress', to: 'assigned', before: { departmentId: 'transport', categoryId: null } },
        { at: cn('2026-12-03 09:00'), action: 'transfer', from: 'assigned', to: 'assigned', before: { departmentId: 'water', categoryId: null } },
      ]),
    );
    const unit = (day: string, when: string) => cellOf(day, cn(when)).departmentId;
    expect(unit('20261129', '2026-11-29 09:00')).toBe('transport');
    expect(unit('20261130', '2026-11-30 09:00')).toBe('water');
    expect(unit('20261203', '2026-12-03 08:00')).toBe('urban');
  });
});
