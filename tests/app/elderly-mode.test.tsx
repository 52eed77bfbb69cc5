// 适老化模式 (elderly mode): the switch in 我的, the class every page root takes from it, and a check
// that no stylesheet writes a fixed font size the mode could not scale.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import MePage from '../../src/pages/me/index';
import AppealsPage from '../../src/pages/appeals/index';
import LoginPage from '../../src/pages/login/index';
import { isElderlyMode } from '../../src/store/elderly-mode';
import { ELDERLY_CLASS } from '../../src/hooks/use-page-class';
import { fakeApi, me, session } from './helpers/fake-api';
import { setSession } from '../../src/store/session';

beforeEach(() => resetTaro());

const rootOf = (container: HTMLElement) => container.firstElementChild as HTMLElement;

test('the switch in 我的 stores the mode and enlarges the page at once', async () => {
  // Catches a switch that only stores the setting (the page keeps its small text until reopened),
  // or a page root that does not take the class.
  setSession(session());
  fakeApi({ 'GET /me': () => ({ status: 200, body: me() }) });
  const { container } = render(<MePage />);
  await act(async () => undefined);
  expect(screen.getByText('放大文字和按钮，适合老年人使用')).toBeTruthy();
  const toggle = screen.getByRole('switch') as HTMLInputElement;
  expect([toggle.checked, rootOf(container).classList.contains(ELDERLY_CLASS)]).toEqual([false, false]);

  fireEvent.click(toggle);
  expect(isElderlyMode()).toBe(true);
  expect(Taro.setStorageSync).toHaveBeenCalledWith('xianrong.elderly', true);
  expect((screen.getByRole('switch') as HTMLInputElement).checked).toBe(true);
  expect(rootOf(container).className.split(' ')).toEqual(['page', 'me', ELDERLY_CLASS]);

  fireEvent.click(screen.getByRole('switch'));
  expect(isElderlyMode()).toBe(false);
  expect(rootOf(container).className.split(' ')).toEqual(['page', 'me']);
});

test('signed out, 我的 still offers the switch (the setting is the device\'s)', () => {
  // Catches the switch hidden behind login: an elderly reader needs large text to sign in.
  const { container } = render(<MePage />);
  fireEvent.click(screen.getByRole('switch'));
  expect(isElderlyMode()).toBe(true);
  expect(rootOf(container).classList.contains(ELDERLY_CLASS)).toBe(true);
});

test('pages opened after the switch, and those already open, take the larger sizes', async () => {
  // Catches pages that still write `className='page x'` (never scale), and pages under 我的 in the
  // stack that keep the old size when the reader comes back.
  fakeApi({ 'GET /appeals': () => ({ status: 200, body: { items: [], nextCursor: null } }) });
  const open = render(<LoginPage />);
  expect(rootOf(open.container).classList.contains(ELDERLY_CLASS)).toBe(false);
  const mePage = render(<MePage />);
  fireEvent.click(screen.getByRole('switch'));
  expect(rootOf(open.container).classList.contains(ELDERLY_CLASS)).toBe(true);
  mePage.unmount();

  setSession(session());
  const later = render(<AppealsPage />);
  await act(async () => undefined);
  expect(rootOf(later.container).className.split(' ')).toEqual(['page', 'appeals', ELDERLY_CLASS]);
});

// ---- stylesheets ----

const SRC = path.join(__dirname, '../../src');
/** A line may keep a fixed size only with this marker on it or on the comment line just above. */
const MARKER = 'xr-fixed-size';

function scssFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return scssFiles(full);
    return e.name.endsWith('.scss') ? [full] : [];
  });
}

/** `font-size:` declarations whose value has a px length outside var(--xr-…, fallback). */
function fixedFontSizes(file: string, text: string): string[] {
  const lines = text.split('\n');
  const found: string[] = [];
  // The variable blocks of app.scss (`page, body { --xr-…: …px }` and `.xr-elderly { … }`) define the sizes.
  const value = (line: string) => line.replace(/var\(--xr-[\w-]+(,[^)]*)?\)/g, 'var()');
  lines.forEach((line, i) => {
    const m = /(^|[;{\s])font-size\s*:([^;]*)/.exec(line);
    if (!m || !/\d(\.\d+)?px/.test(value(m[2]))) return;
    if (line.includes(MARKER) || (lines[i - 1] ?? '').includes(MARKER)) return;
    found.push(`${path.relative(SRC, file)}:${i + 1}: ${line.trim()}`);
  });
  return found;
}

test('no stylesheet sets a fixed font size the elderly mode cannot scale', () => {
  // Catches a page or component written with `font-size: 32px` (it stays small in the elderly mode):
  // sizes go through var(--xr-font-small|body|large|title|huge), or calc() of them.
  const files = scssFiles(SRC);
  expect(files.length).toBeGreaterThan(10);
  expect(files.flatMap((f) => fixedFontSizes(f, readFileSync(f, 'utf8')))).toEqual([]);
});

test('the check itself finds fixed sizes and lets variables, calc() of them and marked lines pass', () => {
  // Catches a check that passes everything (a regex that never matches).
  const sample = [
    '.a { font-size: 32px; }',
    '.b {',
    '  font-size: var(--xr-font-body);',
    '  font-size: var(--xr-font-body, 32px);',
    '  font-size: calc(var(--xr-font-huge) * 2);',
    '  font-size: calc(var(--xr-font-huge) + 4px);',
    '  // xr-fixed-size: outside every page',
    '  font-size: 28px !important;',
    '  line-height: 40px;',
    '}',
  ].join('\n');
  expect(fixedFontSizes(path.join(SRC, 'x.scss'), sample)).toEqual(['x.scss:1: .a { font-size: 32px; }', 'x.scss:6: font-size: calc(var(--xr-font-huge) + 4px);']);
});
