// The 月报 download (MonthlyReportButton, src/api/download.ts): in the browser a fetch with the
// token saved from a blob under the server's Chinese file name; in WeChat Taro.downloadFile with
// the token, then openDocument; a refusal shown with the server's message.
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import { MonthlyReportButton, reportButtonLabel } from '../../src/packages/staff/components/MonthlyReportButton';
import { fileNameOf } from '../../src/api/download';
import { setSession } from '../../src/store/session';
import { session } from './helpers/fake-api';
import { inH5 } from './helpers/in-h5';

const taro = Taro as unknown as Record<string, jest.Mock>;
const DISPOSITION = `attachment; filename="xianrong-2026-11.xlsx"; filename*=UTF-8''${encodeURIComponent('东溪县诉求月报-2026-11.xlsx')}`;

beforeEach(() => {
  resetTaro();
  setSession(session());
  taro.downloadFile = jest.fn();
  taro.openDocument = jest.fn(() => Promise.resolve({ errMsg: 'openDocument:ok' }));
  taro.getFileSystemManager = jest.fn(() => ({ readFileSync: () => JSON.stringify({ error: { code: 'VALIDATION_FAILED', message: '月份（month）2027-01 尚未开始，不能生成月报' } }) }));
});

test('the label names the month', () => {
  // Catches: a button that does not say which month it downloads.
  expect(reportButtonLabel('2026-11')).toBe('下载2026年11月月报');
});

test('the file name is the Chinese one from filename*, else the ASCII one', () => {
  // Catches: a saved file named by the URL (monthly.xlsx) or with percent-escapes in its name.
  expect(fileNameOf(DISPOSITION, 'x.xlsx')).toBe('东溪县诉求月报-2026-11.xlsx');
  expect(fileNameOf('attachment; filename="xianrong-2026-11.xlsx"', 'x.xlsx')).toBe('xianrong-2026-11.xlsx');
  expect(fileNameOf(null, 'x.xlsx')).toBe('x.xlsx');
});

test('H5: fetches with the token and saves the blob under the server\'s name', async () => {
  // Catches: a plain link (no Authorization header: 401) or a file saved without its name.
  // jsdom has no Response: what the download reads of one.
  const fetchMock = jest.fn(async (_url: string, _init?: RequestInit) => ({ ok: true, status: 200, headers: { get: (h: string) => (h === 'content-disposition' ? DISPOSITION : null) }, blob: async () => new Blob(['PK']) }));
  const saved: string[] = [];
  const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push(this.download);
  });
  const original = { fetch: global.fetch, create: URL.createObjectURL, revoke: URL.revokeObjectURL };
  global.fetch = fetchMock as unknown as typeof fetch;
  URL.createObjectURL = jest.fn(() => 'blob:report');
  URL.revokeObjectURL = jest.fn();
  try {
    await inH5(async () => {
      render(<MonthlyReportButton month='2026-11' />);
      await act(async () => {
        fireEvent.click(screen.getByText('下载2026年11月月报'));
      });
    });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    // The base is fixed when the module loads (the build inlines it): only the path is the H5 call's own.
    expect(fetchMock.mock.calls[0][0]).toMatch(/\/api\/v1\/reports\/monthly\.xlsx\?month=2026-11$/);
    expect((fetchMock.mock.calls[0][1]!.headers as Record<string, string>).Authorization).toBe('Bearer access-1');
    expect(saved).toEqual(['东溪县诉求月报-2026-11.xlsx']);
  } finally {
    click.mockRestore();
    global.fetch = original.fetch;
    URL.createObjectURL = original.create;
    URL.revokeObjectURL = original.revoke;
  }
});

test('WeChat: downloadFile with the token, then opens the spreadsheet', async () => {
  // Catches: downloadFile without the header (WeChat sends no token by itself) or a document opened as another type.
  taro.downloadFile.mockResolvedValue({ statusCode: 200, tempFilePath: 'wxfile://tmp/report.xlsx', errMsg: 'downloadFile:ok' });
  render(<MonthlyReportButton month='2026-11' />);
  await act(async () => {
    fireEvent.click(screen.getByText('下载2026年11月月报'));
  });
  const opts = taro.downloadFile.mock.calls[0][0];
  expect(opts.url).toBe('http://127.0.0.1:3000/api/v1/reports/monthly.xlsx?month=2026-11');
  expect(opts.header.Authorization).toBe('Bearer access-1');
  expect(taro.openDocument).toHaveBeenCalledWith({ filePath: 'wxfile://tmp/report.xlsx', fileType: 'xlsx', showMenu: true });
});

test('WeChat: a refused month shows the server\'s message and opens nothing', async () => {
  // Catches: the error body (written to the temp file by downloadFile) opened as a spreadsheet, or a generic message.
  taro.downloadFile.mockResolvedValue({ statusCode: 400, tempFilePath: 'wxfile://tmp/error', errMsg: 'downloadFile:ok' });
  render(<MonthlyReportButton month='2027-01' />);
  await act(async () => {
    fireEvent.click(screen.getByText('下载2027年1月月报'));
  });
  expect(taro.openDocument).not.toHaveBeenCalled();
  expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '月份（month）2027-01 尚未开始，不能生成月报' }));
});
