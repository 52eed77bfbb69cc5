// The 服务 tab: the server's directory grouped under its headings, tap-to-call, the local search,
// loading / empty / error(重试) states and pull to refresh; and the admins' services-admin page.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { firePullDownRefresh, resetTaro } from './stubs/taro';
import ServicesPage from '../../src/pages/services/index';
import ServicesAdminPage from '../../src/packages/staff/pages/services-admin/index';
import { filterServices, groupServices } from '../../src/pages/services/grouping';
import { setSession } from '../../src/store/session';
import type { ServiceEntry } from '../../src/api/types';
import { deferred, fakeApi, me, session, type FakeResponse } from './helpers/fake-api';

const taro = Taro as unknown as Record<string, jest.Mock>;
beforeEach(() => {
  resetTaro();
  taro.stopPullDownRefresh = jest.fn();
});

let n = 0;
function entry(overrides: Partial<ServiceEntry> = {}): ServiceEntry {
  n++;
  return { id: `s${n}`, name: `服务${n}`, group: '政务服务', phone: '12345', hours: '', address: '', keywords: [], note: '', sort: 100, active: true, ...overrides };
}
const center = entry({ id: 'center', name: '县政务服务中心', group: '政务服务', phone: '0871-6123456', hours: '工作日 8:30-17:30', address: '人民路1号', keywords: ['办证'] });
const water = entry({ id: 'water', name: '县供水公司', group: '公共事业', phone: '0871-6222222', hours: '24小时', keywords: ['停水', '水费'] });
const power = entry({ id: 'power', name: '城关供电所', group: '公共事业', phone: '95598', address: '电力路3号', keywords: ['停电'] });
const list = (items: ServiceEntry[]): FakeResponse => ({ status: 200, body: { items } });

describe('grouping and filtering (pure)', () => {
  // Catches: groups reordered against the server's order, or the search missing keywords and phones.
  test('groups keep the server order; every typed word must match name, keyword, phone or address', () => {
    expect(groupServices([water, power, center]).map((g) => [g.title, g.entries.map((e) => e.id)])).toEqual([
      ['公共事业', ['water', 'power']],
      ['政务服务', ['center']],
    ]);
    expect(filterServices([center, water, power], '停水').map((e) => e.id)).toEqual(['water']);
    expect(filterServices([center, water, power], '95598').map((e) => e.id)).toEqual(['power']);
    expect(filterServices([center, water, power], ' 公共事业  电力 ').map((e) => e.id)).toEqual(['power']);
    expect(filterServices([center, water, power], '  ')).toHaveLength(3);
  });
});

describe('服务 tab', () => {
  // Catches: the static bundle list still shown, groups lost, or hours and address missing.
  test('renders the server\'s list grouped, with phone, hours and address', async () => {
    const log = fakeApi({ 'GET /services': () => list([water, power, center]) });
    render(<ServicesPage />);
    expect(await screen.findByText('县供水公司')).toBeTruthy();
    expect(log.filter((r) => r.path === '/services')[0]!.query).toEqual({});
    const titles = [...document.querySelectorAll('.card__title')].map((e) => e.textContent);
    expect(titles).toEqual(['公共事业', '政务服务']);
    expect(screen.getByText('0871-6123456')).toBeTruthy();
    expect(screen.getByText('办公时间：工作日 8:30-17:30')).toBeTruthy();
    expect(screen.getByText('地址：人民路1号')).toBeTruthy();
    expect(screen.queryByText('12320')).toBeNull();
    expect(document.querySelector('.page.services')).toBeTruthy();
  });

  // Catches: a tap that dials nothing, or a number WeChat refuses (with the dash of a landline).
  test('tapping a phone calls it', async () => {
    fakeApi({ 'GET /services': () => list([center]) });
    render(<ServicesPage />);
    fireEvent.click(await screen.findByText('0871-6123456'));
    expect(Taro.makePhoneCall).toHaveBeenCalledWith({ phoneNumber: '08716123456' });
  });

  // Catches: a search that does not filter, or an empty result that shows nothing at all.
  test('the search box filters locally, and says when nothing matches', async () => {
    const log = fakeApi({ 'GET /services': () => list([center, water, power]) });
    render(<ServicesPage />);
    await screen.findByText('县供水公司');
    fireEvent.change(screen.getByPlaceholderText('搜索：如 停水、社保、医院'), { target: { value: '停电' } });
    expect(screen.getByText('城关供电所')).toBeTruthy();
    expect(screen.queryByText('县供水公司')).toBeNull();
    expect(screen.queryByText('县政务服务中心')).toBeNull();
    fireEvent.change(screen.getByPlaceholderText('搜索：如 停水、社保、医院'), { target: { value: '火车站' } });
    expect(screen.getByText('没有找到与「火车站」有关的服务')).toBeTruthy();
    fireEvent.click(screen.getByText('清除'));
    expect(screen.getByText('县供水公司')).toBeTruthy();
    expect(log.filter((r) => r.path === '/services')).toHaveLength(1);
  });

  // Catches: a blank page while loading, no way out of an error, or an empty directory shown as blank.
  test('loading, error with 重试, then the empty view', async () => {
    const first = deferred<FakeResponse>();
    let online = false;
    fakeApi({ 'GET /services': () => (online ? list([]) : first.promise) });
    render(<ServicesPage />);
    expect(screen.getByText('加载中…')).toBeTruthy();
    await act(async () => first.resolve({ status: 503, body: { error: { code: 'NOT_READY', message: '服务暂时不可用，请稍后再试' } } }));
    expect(screen.getByText('加载失败：服务暂时不可用，请稍后再试')).toBeTruthy();
    online = true;
    await act(async () => {
      fireEvent.click(screen.getByText('重试'));
    });
    expect(screen.getByText('暂无服务电话')).toBeTruthy();
  });

  // Catches: pull to refresh not reading the list again, or never stopping the spinner.
  test('pull down reads the list again', async () => {
    let items = [center];
    fakeApi({ 'GET /services': () => list(items) });
    render(<ServicesPage />);
    await screen.findByText('县政务服务中心');
    items = [center, water];
    await act(async () => {
      firePullDownRefresh();
    });
    expect(screen.getByText('县供水公司')).toBeTruthy();
    expect(taro.stopPullDownRefresh).toHaveBeenCalled();
  });
});

describe('服务目录管理 (admins)', () => {
  const admin = () => setSession(session({ user: me({ roles: ['admin'], roleLabels: ['管理员'], isStaff: true }) }));
  const retired = entry({ id: 'old', name: '旧办事处', group: '政务服务', active: false });
  const field = (placeholder: string) => screen.getByPlaceholderText(placeholder);
  const type = (placeholder: string, value: string) => fireEvent.change(field(placeholder), { target: { value } });

  // Catches: the admin list hiding inactive entries (they could never be turned back on).
  test('lists every entry with all=true, the inactive ones marked', async () => {
    admin();
    const log = fakeApi({ 'GET /me': () => ({ status: 200, body: me({ roles: ['admin'] }) }), 'GET /services': () => list([center, retired]) });
    render(<ServicesAdminPage />);
    expect(await screen.findByText('旧办事处')).toBeTruthy();
    expect(log.find((r) => r.path === '/services')!.query).toEqual({ all: 'true' });
    expect(screen.getByText('已停用')).toBeTruthy();
    expect(document.querySelector('.page.services-admin')).toBeTruthy();
  });

  // Catches: keywords sent as one string, a new entry not posted, or the list not read again after saving.
  test('adds an entry: keywords split on commas and spaces, then the list is read again', async () => {
    admin();
    let items = [center];
    const posted: unknown[] = [];
    const log = fakeApi({
      'GET /me': () => ({ status: 200, body: me({ roles: ['admin'] }) }),
      'GET /services': () => list(items),
      'POST /services': (req) => {
        posted.push(req.data);
        items = [center, water];
        return { status: 201, body: water };
      },
    });
    render(<ServicesAdminPage />);
    await screen.findByText('县政务服务中心');
    fireEvent.click(screen.getByText('新增服务'));
    type('如：县政务服务中心', ' 县供水公司 ');
    type('如：政务服务、公共事业、医疗', '公共事业');
    type('手机、座机（如0871-6123456）或短号', '0871-6222222');
    type('用逗号或空格分隔，如：停水 水费 自来水', '停水，水费 自来水、停水');
    await act(async () => {
      fireEvent.click(screen.getByText('保存'));
    });
    expect(posted).toEqual([{ name: '县供水公司', group: '公共事业', phone: '0871-6222222', hours: '', address: '', keywords: ['停水', '水费', '自来水'], note: '' }]);
    expect(await screen.findByText('县供水公司')).toBeTruthy();
    expect(log.filter((r) => r.path === '/services' && r.method === 'GET')).toHaveLength(2);
  });

  // Catches: a bad phone sent to the server, or the server's 400 / 409 not shown next to the field.
  test('shows Chinese messages by the fields: its own checks, the server\'s 400 details and a 409', async () => {
    admin();
    let answer: FakeResponse = { status: 400, body: { error: { code: 'VALIDATION_FAILED', message: '请求参数有误', details: [{ path: 'body.keywords.1', message: '关键词太长' }] } } };
    const log = fakeApi({ 'GET /me': () => ({ status: 200, body: me({ roles: ['admin'] }) }), 'GET /services': () => list([center]), 'PATCH /services/center': () => answer });
    render(<ServicesAdminPage />);
    fireEvent.click(await screen.findByText('县政务服务中心'));
    expect((field('如：县政务服务中心') as HTMLInputElement).value).toBe('县政务服务中心');
    type('手机、座机（如0871-6123456）或短号', '电话');
    await act(async () => {
      fireEvent.click(screen.getByText('保存'));
    });
    expect(screen.getByText('请输入有效的电话号码（手机、座机或短号如12345）')).toBeTruthy();
    expect(log.filter((r) => r.method === 'PATCH')).toHaveLength(0);

    type('手机、座机（如0871-6123456）或短号', '12345');
    await act(async () => {
      fireEvent.click(screen.getByText('保存'));
    });
    expect(screen.getByText('关键词太长')).toBeTruthy();

    answer = { status: 409, body: { error: { code: 'DUPLICATE', message: '服务名称「县政务服务中心」已存在', details: [{ path: 'body.name', message: '已存在' }] } } };
    await act(async () => {
      fireEvent.click(screen.getByText('保存'));
    });
    expect(screen.getByText('服务名称「县政务服务中心」已存在')).toBeTruthy();
  });

  // Catches: the 启用 switch not sent, so an admin cannot retire an office's number.
  test('the active switch deactivates an entry', async () => {
    admin();
    const patched: unknown[] = [];
    fakeApi({
      'GET /me': () => ({ status: 200, body: me({ roles: ['admin'] }) }),
      'GET /services': () => list([center]),
      'PATCH /services/center': (req) => {
        patched.push(req.data);
        return { status: 200, body: { ...center, active: false } };
      },
    });
    render(<ServicesAdminPage />);
    fireEvent.click(await screen.findByText('县政务服务中心'));
    fireEvent.click(screen.getByRole('switch'));
    expect(screen.getByText('已停用：不显示，机器人不回答')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByText('保存'));
    });
    expect(patched).toEqual([expect.objectContaining({ active: false, keywords: ['办证'], phone: '0871-6123456' })]);
  });

  // Catches: the editing page open to staff who cannot save anything there.
  test('is for admins only', async () => {
    setSession(session({ user: me({ roles: ['dispatcher'], isStaff: true }) }));
    fakeApi({ 'GET /me': () => ({ status: 200, body: me({ roles: ['dispatcher'], isStaff: true }) }), 'GET /services': () => list([center]) });
    render(<ServicesAdminPage />);
    expect(await screen.findByText('仅管理员可以管理服务目录')).toBeTruthy();
    expect(screen.queryByText('新增服务')).toBeNull();
  });
});
