/**
 * What a group chat hears when an appeal filed there is answered or closed (appeals/notify.ts):
 * the group is not the reporter, so a private appeal's answer stays out of it.
 */
import { roomText } from '../../server/appeals/notify';

const answer = { text: '已派人维修，请张三（电话13800138000）在5号楼3单元502室等候。', photoIds: [], at: new Date('2026-12-01T02:00:00Z'), departmentName: '县水务局' };

// Catches: a private group appeal's answer (names, phones, addresses in it) posted to the whole group.
test('a private appeal: the group hears that it was answered and where to read it, not the answer', () => {
  const text = roomText({ number: 'DX-20261201-0001', isPublic: false, answer } as never, 'reply');
  expect(text).toBe('您反映的问题（编号 DX-20261201-0001）已由县水务局答复，请在小程序「诉求」中查看答复内容。');
});

// Catches: a public appeal's answer posted with the phone and house number unmasked.
test('a public appeal: the answer is quoted with phone and house numbers masked', () => {
  const text = roomText({ number: 'DX-20261201-0002', isPublic: true, answer } as never, 'reply');
  expect(text.startsWith('您反映的问题（编号 DX-20261201-0002）已由县水务局答复：')).toBe(true);
  expect(text).not.toContain('13800138000');
  expect(text).not.toContain('502');
});

// Catches: the close message missing its number, so the member cannot tell which issue ended.
test('closing says so with the number', () => {
  expect(roomText({ number: 'DX-20261201-0003', isPublic: false, answer: null } as never, 'close')).toBe('您反映的问题（编号 DX-20261201-0003）已办结，感谢您的反映。');
});
