/**
 * The county's one date formatter (common/china-time.ts), used by the server's messages, the bot's
 * `查询` answers, the mini-program's labels and the tests. Fixed instants only: the days 1 to 9
 * (no zero padding), month and year ends (the China date is a day ahead of UTC from 16:00 UTC),
 * leap days.
 */
import { chinaDay, chinaDayIndex, chinaDayStart, chinaIsoDate, chinaLongDate, chinaShortTime, parseInstant } from '../../common/china-time';

// Catches: a padded day or month (12月07日, the failure of 7 December), the time read in the
// machine's zone, or the day not rolling over at 16:00 UTC.
test.each([
  ['2026-12-06T18:14:00.000Z', '12月7日 02:14', '20261207'],
  ['2026-12-01T00:00:00.000Z', '12月1日 08:00', '20261201'],
  ['2026-12-08T23:59:00.000Z', '12月9日 07:59', '20261209'],
  ['2026-11-30T15:59:00.000Z', '11月30日 23:59', '20261130'],
  ['2026-11-30T16:00:00.000Z', '12月1日 00:00', '20261201'],
  ['2026-12-31T15:30:00.000Z', '12月31日 23:30', '20261231'],
  ['2026-12-31T16:30:00.000Z', '1月1日 00:30', '20270101'],
  ['2028-02-28T16:05:00.000Z', '2月29日 00:05', '20280229'],
  ['2026-10-10T02:09:00.000Z', '10月10日 10:09', '20261010'],
])('%s is %s, day %s', (iso, short, day) => {
  expect(chinaShortTime(Date.parse(iso))).toBe(short);
  expect(chinaShortTime(new Date(iso))).toBe(short);
  expect(chinaDay(new Date(iso))).toBe(day);
  expect(chinaIsoDate(Date.parse(iso))).toBe(`${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`);
});

// Catches: a day's start taken at UTC midnight (eight hours late) or a year end that slips.
test('a China day starts at 16:00 UTC the day before, and day indexes count China days', () => {
  expect(chinaDayStart('2027-01-01').toISOString()).toBe('2026-12-31T16:00:00.000Z');
  expect(chinaDayIndex(Date.parse('2026-12-31T15:59:59.999Z')) + 1).toBe(chinaDayIndex(Date.parse('2026-12-31T16:00:00.000Z')));
  expect(chinaLongDate(Date.parse('2026-12-31T16:00:00.000Z'))).toBe('2027年1月1日');
});

// Catches: "NaN月NaN日" from a missing or broken value.
test('parseInstant refuses what is not a date', () => {
  expect(parseInstant(null)).toBeNull();
  expect(parseInstant('')).toBeNull();
  expect(parseInstant('not a date')).toBeNull();
  expect(parseInstant('2026-12-07T00:00:00+08:00')).toBe(Date.parse('2026-12-06T16:00:00.000Z'));
});
