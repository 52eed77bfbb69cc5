/**
 * The WeChat build (`npm test` builds dist/weapp first): what WeChat DevTools will load.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const WEAPP = path.resolve(__dirname, '../../dist/weapp');

describe('dist/weapp', () => {
  beforeAll(() => {
    if (!existsSync(path.join(WEAPP, 'app.json'))) throw new Error('dist/weapp is missing: run `npx tsx scripts/build-app.ts weapp` (npm test does it first)');
  });

  it('has the four tabs, the resident pages and the staff subpackage', () => {
    const app = JSON.parse(readFileSync(path.join(WEAPP, 'app.json'), 'utf8'));
    expect(app.tabBar.list.map((t: { text: string }) => t.text)).toEqual(['首页', '诉求', '服务', '我的']);
    expect(app.pages).toEqual(expect.arrayContaining(['pages/home/index', 'pages/login/index', 'pages/region-picker/index']));
    const staff = app.subPackages.find((p: { root: string }) => p.root === 'packages/staff');
    expect(staff.pages).toEqual(expect.arrayContaining(['pages/workbench/index', 'pages/room-binding/index']));
  });

  it('has every page compiled, and no staff page in the main package', () => {
    const app = JSON.parse(readFileSync(path.join(WEAPP, 'app.json'), 'utf8'));
    for (const page of app.pages) {
      for (const ext of ['js', 'json', 'wxml', 'wxss']) expect(existsSync(path.join(WEAPP, `${page}.${ext}`)) || ext === 'wxss').toBe(true);
    }
    expect(app.pages.some((p: string) => p.includes('workbench'))).toBe(false);
  });

  it('talks to the configured server address', () => {
    const files = ['app.js', 'common.js', 'vendors.js'].map((f) => path.join(WEAPP, f)).filter(existsSync);
    const code = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(code).toContain(process.env.TARO_APP_API_BASE || 'http://127.0.0.1:3000');
  });
});
