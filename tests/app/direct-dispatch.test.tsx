// The 智能分派设置 page: the threshold of direct dispatch by suggestion with the precision measured
// at it beside the control (and per threshold in a table), saved with the version shown (a 409
// reloads the other admin's values and says so); dispatchers read it, others are kept out; the
// empty, loading-failed and workbench-entry cases.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import DirectDispatchPage from '../../src/packages/staff/pages/direct-dispatch/index';
import WorkbenchPage from '../../src/packages/staff/pages/workbench/index';
import { setSession } from '../../src/store/session';
import type { Me } from '../../src/api/types';
import type { DirectDispatch } from '../../src/api/direct-dispatch';
import { apiError, fakeApi, me, session } from './helpers/fake-api';

beforeEach(() => resetTaro());

const admin = me({ name: '系统管理员', roles: ['admin'], roleLabels: ['管理员'], isStaff: true });
const dispatcher = me({ name: '赵调度', roles: ['dispatcher'], roleLabels: ['调度员'], isStaff: true });
const editor = me({ name: '钱编辑', roles: ['editor'], roleLabels: ['编辑'], isStaff: true });
const signIn = (user: Me) => setSession(session({ user }));

const THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99];
/** 200 appeals scored: at threshold t, (1 - t) * 400 of them reach it, precision 0.9 + (t - 0.5) / 5. */
const rowOf = (t: number) => ({ threshold: t, precision: Math.round((0.9 + (t - 0.5) / 5) * 10000) / 10000, coverage: Math.round((1 - t) * 2 * 10000) / 10000, count: Math.round((1 - t) * 400) });
const view = (o: Partial<DirectDispatch> = {}, sample = 200): DirectDispatch => {
  const threshold = o.threshold ?? 0.85;
  return {
    enabled: false,
    threshold,
    version: 3,
    updatedAt: null,
    defaultThreshold: 0.85,
    min: 0.5,
    max: 0.99,
    measured: { sample, maxSample: 500, windowDays: 90, accuracy: sample ? 0.81 : null, measuredAt: '2026-12-07T02:00:00.000Z', atThreshold: rowOf(threshold), table: THRESHOLDS.map(rowOf) },
    ...o,
  };
};
const ok = (body: unknown) => ({ status: 200, body });
const click = async (text: string) => {
  await act(async () => {
    fireEvent.click(screen.getByText(text));
  });
};

test('an admin sees the precision at the threshold beside the control, picks another, turns it on and saves with the version', async () => {
  // Catches: the measure not shown for the threshold being chosen (an admin deciding blind), the
  // edit sent without the version it was made on, or the switch's state lost on save.
  signIn(admin);
  let stored = view();
  const log = fakeApi({
    'GET /me': () => ok(admin),
    'GET /categories/suggest/direct-dispatch': () => ok(stored),
    'PATCH /categories/suggest/direct-dispatch': (req) => {
      stored = view({ enabled: req.data.enabled, threshold: req.data.threshold, version: stored.version + 1 });
      return ok(stored);
    },
  });
  render(<DirectDispatchPage />);
  expect(await screen.findByText('阈值 0.85：准确率 97%（达到的 60 件中 58 件分类正确），覆盖 30%（样本 200 件中将直派的比例）')).toBeTruthy();
  expect(screen.getByText(/近 90 天最近确认分类的 200 件诉求（至多 500 件）.*整体准确率 81%/)).toBeTruthy();
  expect(screen.getAllByText('0.99').length).toBeGreaterThan(0);
  const picker = screen.getByLabelText('picker');
  await act(async () => {
    fireEvent.change(picker, { target: { value: String(THRESHOLDS.indexOf(0.9)) } });
  });
  expect(screen.getByText('阈值 0.90：准确率 98%（达到的 40 件中 39 件分类正确），覆盖 20%（样本 200 件中将直派的比例）')).toBeTruthy();
  await act(async () => {
    fireEvent.click(screen.getByRole('switch'));
  });
  await click('保存设置');
  expect(log.filter((r) => r.method === 'PATCH').map((r) => r.data)).toEqual([{ version: 3, enabled: true, threshold: 0.9 }]);
  expect(await screen.findByText('已保存：置信度达到 0.90 的诉求将直派')).toBeTruthy();
});

test('a stale save reloads the other admin\'s setting and says so', async () => {
  // Catches: a 409 left unexplained, or the page keeping the stale version (every later save failing).
  signIn(admin);
  let stored = view();
  fakeApi({
    'GET /me': () => ok(admin),
    'GET /categories/suggest/direct-dispatch': () => ok(stored),
    'PATCH /categories/suggest/direct-dispatch': () => {
      stored = view({ enabled: true, threshold: 0.95, version: 4 });
      return apiError(409, 'STALE_VERSION', '内容已被他人修改，请重新加载后再修改');
    },
  });
  render(<DirectDispatchPage />);
  await screen.findByText(/阈值 0\.85：准确率/);
  await click('保存设置');
  expect(await screen.findByText('设置刚被其他管理员修改，已重新加载，请确认后再保存')).toBeTruthy();
  expect(screen.getByText(/阈值 0\.95：准确率/)).toBeTruthy();
  expect((screen.getByRole('switch') as HTMLInputElement).checked).toBe(true);
});

test('a dispatcher reads the setting and its precision but cannot change it; an editor is kept out', async () => {
  // Catches: the controls offered to someone the server refuses (a 403 on save), or the page open to every staff member.
  signIn(dispatcher);
  const log = fakeApi({ 'GET /me': () => ok(dispatcher), 'GET /categories/suggest/direct-dispatch': () => ok(view({ enabled: true })) });
  render(<DirectDispatchPage />);
  expect(await screen.findByText('已开启，阈值 0.85')).toBeTruthy();
  expect(screen.getByText(/阈值 0\.85：准确率 97%/)).toBeTruthy();
  expect(screen.queryByText('保存设置')).toBeNull();
  expect(screen.queryByRole('switch')).toBeNull();
  expect(log.some((r) => r.method === 'PATCH')).toBe(false);

  resetTaro();
  signIn(editor);
  const none = fakeApi({ 'GET /me': () => ok(editor) });
  render(<DirectDispatchPage />);
  expect(await screen.findByText('只有管理员和调度员可以查看智能分派设置')).toBeTruthy();
  expect(none.some((r) => r.path === '/categories/suggest/direct-dispatch')).toBe(false);
});

test('with no confirmed appeals yet, it says there is nothing to measure; a failed load offers a retry', async () => {
  // Catches: a precision of 0% or NaN shown for an empty sample, or a load error leaving a blank page.
  signIn(admin);
  let fail = true;
  fakeApi({
    'GET /me': () => ok(admin),
    'GET /categories/suggest/direct-dispatch': () => (fail ? apiError(500, 'INTERNAL', '服务器开小差了') : ok(view({}, 0))),
  });
  render(<DirectDispatchPage />);
  expect(await screen.findByText(/加载失败/)).toBeTruthy();
  fail = false;
  await click('重试');
  expect(await screen.findByText(/还没有可测算的诉求/)).toBeTruthy();
  expect(screen.queryByText('各阈值下的准确率')).toBeNull();
  expect(screen.queryByText(/NaN/)).toBeNull();
});

test('the workbench offers it to admins, beside the import of past appeals', async () => {
  // Catches: a settings page no admin can reach.
  signIn(admin);
  fakeApi({ 'GET /me': () => ok(admin) });
  render(<WorkbenchPage />);
  await click('智能分派设置');
  expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/packages/staff/pages/direct-dispatch/index' });
});
