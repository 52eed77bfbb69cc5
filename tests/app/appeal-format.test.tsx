// Time labels on appeals: China time whatever the device's zone, relative days counted in it.
import { dueLabel, formatTime, photoSrc } from '../../src/utils/appeal';
import { API_BASE } from '../../src/api/base';

// 2026-11-26 10:00 in China.
const NOW = new Date('2026-11-26T02:00:00.000Z');

test.each([
  // Catches labels in the device's zone: the same moment must read the same on every phone and
  // agree with the China date in the ticket number.
  ['2026-11-26T01:05:00.000Z', '今天 09:05'],
  // 23:30 UTC on the 25th is 07:30 on the 26th in China: today, not yesterday.
  ['2026-11-25T23:30:00.000Z', '今天 07:30'],
  // 15:59 UTC on the 25th is 23:59 China time on the 25th: yesterday.
  ['2026-11-25T15:59:00.000Z', '昨天 23:59'],
  ['2026-11-24T03:00:00.000Z', '11月24日 11:00'],
  ['2025-12-31T17:00:00.000Z', '1月1日 01:00'],
  ['2025-12-31T15:00:00.000Z', '2025年12月31日 23:00'],
])('formatTime(%s) is %s', (iso, expected) => {
  expect(formatTime(iso, NOW)).toBe(expected);
});

test('formatTime of nothing or garbage is empty', () => {
  // Catches "NaN月NaN日" on a missing date.
  expect(formatTime(null, NOW)).toBe('');
  expect(formatTime('not a date', NOW)).toBe('');
});

test('dueLabel counts hours, then days, and says 已超期 once past', () => {
  // Catches a deadline shown as still open after it passed.
  expect(dueLabel('2026-11-26T05:00:00.000Z', NOW)).toBe('3小时内到期');
  expect(dueLabel('2026-11-29T02:00:00.000Z', NOW)).toBe('3天内到期');
  expect(dueLabel('2026-11-26T01:59:00.000Z', NOW)).toBe('已超期');
});

test('photo paths get the API origin; absolute addresses stay', () => {
  // Catches <Image> sources relative to the mini-program package (nothing loads in WeChat).
  expect(photoSrc('/api/v1/photos/abc/thumb')).toBe(`${API_BASE}/api/v1/photos/abc/thumb`);
  expect(photoSrc('https://cdn.example.cn/x.jpg')).toBe('https://cdn.example.cn/x.jpg');
});
