/**
 * server/people/privacy.ts: the one rule for how a person appears, and the masking of personal data
 * in text shown publicly. Pure functions; the privacy walk (privacy-walk.test.ts) proves every
 * appeal response goes through them.
 */
import { appearance, maskName, maskNamesIn, maskPrivateText } from '../../server/people/privacy';

describe('how a person appears', () => {
  const resident = (self = false) => ({ name: '张三丰', kind: 'public' as const, self });
  const staff = (self = false) => ({ name: '李四', kind: 'staff' as const, role: 'department_staff', self });
  const sight = (o: Partial<{ personal: boolean; anonymous: boolean; staff: boolean }> = {}) => ({ personal: false, anonymous: false, staff: false, ...o });

  it('a member of the public: by name to those who may see personal data, 匿名 when anonymous, 张* otherwise, themselves by name', () => {
    // Catches: an anonymous reporter named to anyone but those who may see personal data, a name
    // unmasked for staff who do not handle, or a resident shown their own name masked.
    expect(appearance(resident(), sight({ personal: true, anonymous: true }))).toBe('张三丰');
    expect(appearance(resident(), sight({ anonymous: true, staff: true }))).toBe('匿名');
    expect(appearance(resident(), sight({ staff: true }))).toBe('张*');
    expect(appearance(resident(), sight())).toBe('张*');
    expect(appearance(resident(true), sight({ anonymous: true }))).toBe('张三丰');
  });

  it('staff by name to staff, by role to the public; the server as 系统', () => {
    // Catches: staff names shown to residents, or staff shown a colleague as a bare role.
    expect(appearance(staff(), sight({ staff: true }))).toBe('李四');
    expect(appearance(staff(), sight({ personal: true }))).toBe('职能部门工作人员');
    expect(appearance(staff(true), sight())).toBe('李四');
    expect(appearance({ name: '系统', kind: 'system', self: false }, sight())).toBe('系统');
    expect(appearance({ name: '王五', kind: 'staff', role: null, self: false }, sight())).toBe('工作人员');
  });

  it('masks to the first character', () => {
    // Catches: a masked name that still carries the given name, or an empty name shown as "*".
    expect([maskName('欧阳修'), maskName('张三'), maskName('')]).toEqual(['欧*', '张*', '居民']);
  });
});

describe('personal data in text shown publicly', () => {
  it.each([
    ['联系13812345678', '联系138****5678'],
    ['电话 138-1234-5678 或 +86 138 1234 5678', '电话 138-****-5678 或 +86 138 **** 5678'],
    ['座机0571-88886666，(0571)88886666', '座机0571-****6666，(0571)****6666'],
    ['身份证110101199003071234，旧证11010119900307123X', '身份证******************，旧证******************'],
    ['住5号楼3单元502室', '住*号楼*单元*室'],
    ['3栋2单元301漏水', '*栋*单元*漏水'],
    ['五号楼三单元', '*号楼*单元'],
    ['人民路12号门口', '人民路*号门口'],
    ['电话88886666', '电话********'],
    // Catches: a reporter's e-mail in a public text (the masker had no pattern for it); a QQ mailbox's number shown.
    ['邮箱ouyang.xm@example.com，谢谢', '邮箱o***@example.com，谢谢'],
    ['QQ邮箱12345678@qq.com。', 'QQ邮箱1***@qq.com。'],
    ['联系 Foo_Bar@Example.COM 或13812345678', '联系 F***@Example.COM 或138****5678'],
  ])('%s → %s', (text, masked) => {
    // Catches: a phone, ID or house number shown to the whole county in a public appeal's text.
    expect(maskPrivateText(text)).toBe(masked);
  });

  it('leaves dates, ticket numbers, years, lines and places alone', () => {
    // Catches: a masker so eager that public text loses its meaning (days, numbers read aloud).
    for (const t of ['12月12号停水', '8 月 3 号', '编号DX-20261126-0042', '2026年发生', '地铁1号线', '电话号码是多少', '第一网格', '城关镇西城社区', '@小明 你好', '价格@10元']) expect(maskPrivateText(t)).toBe(t);
    expect(maskPrivateText(null)).toBeNull();
  });
});

describe('names of the people on a record in its public text', () => {
  it('masks each name as the public sees its person, longer names first; leaves one-character names and other text', () => {
    // Catches: a public answer that quotes the reporter or the staff member by full name (the
    // public board), 张三丰 left as 张*丰 because 张三 was masked first, and every 王 in a text
    // masked because someone is called 王.
    expect(maskNamesIn('张三丰反映的问题，李四已联系张三丰本人', ['张三', '张三丰', '李四'])).toBe('张*反映的问题，李*已联系张*本人');
    expect(maskNamesIn('王府井大街', ['王', ''])).toBe('王府井大街');
    expect(maskNamesIn('没有人名', ['赵六'])).toBe('没有人名');
  });

  it('leaves the word 匿名 of an anonymous record in its text', () => {
    // Catches: an anonymous filing (Open311 without names, a tip) whose reporter name is the
    // placeholder 匿名 turning every 匿名 in its public text into 匿* (「希望匿名处理」).
    expect(maskNamesIn('希望匿名处理，李四已联系', ['匿名', '李四'])).toBe('希望匿名处理，李*已联系');
  });
});
