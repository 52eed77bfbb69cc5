// File downloads that need the access token (GET /api/v1/reports/monthly.xlsx), with the same
// single-refresh rule as ./request: a 401 refreshes once and retries; only a refused refresh
// token signs the user out. In the browser the file is fetched with the Authorization header and
// saved from a blob (a plain link cannot carry the header); in WeChat it is Taro.downloadFile
// with the header, then opened with Taro.openDocument.
import Taro from '@tarojs/taro';
import { apiUrl } from './base';
import { ApiError, NETWORK_ERROR_MESSAGE, buildQuery, sendWithRefresh, toApiError, type RawResponse } from './request';

export const MONTHLY_REPORT_PATH = '/reports/monthly.xlsx';
/** A month of 100k appeals takes a while to write. */
const DOWNLOAD_TIMEOUT_MS = 300_000;

const isH5 = () => process.env.TARO_ENV === 'h5';

/** The file's name from Content-Disposition: the RFC 5987 `filename*` (Chinese) first, else `filename`. */
export function fileNameOf(disposition: string | null | undefined, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through */
    }
  }
  const plain = /filename="([^"]+)"/i.exec(disposition);
  return plain ? plain[1] : fallback;
}

type Fetched = RawResponse & { save?: () => Promise<void> };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function fetchH5(url: string, token: string | null, fallbackName: string): Promise<Fetched> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(url, { headers });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', NETWORK_ERROR_MESSAGE);
  }
  if (!res.ok) return { statusCode: res.status, data: parseJson(await res.text()) };
  const name = fileNameOf(res.headers.get('content-disposition'), fallbackName);
  const blob = await res.blob();
  return {
    statusCode: res.status,
    data: null,
    save: async () => {
      const href = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = href;
      a.download = name;
      a.style.display = 'none';
      document.body.appendChild(a);
      a.click();
      a.remove();
      // The browser has taken the file once the click is handled.
      setTimeout(() => URL.revokeObjectURL(href), 60_000);
    },
  };
}

async function fetchWeapp(url: string, token: string | null, fileType: 'xlsx'): Promise<Fetched> {
  const header: Record<string, string> = {};
  if (token) header.Authorization = `Bearer ${token}`;
  let res: Taro.downloadFile.FileSuccessCallbackResult;
  try {
    res = await Taro.downloadFile({ url, header, timeout: DOWNLOAD_TIMEOUT_MS } as Taro.downloadFile.Option);
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', NETWORK_ERROR_MESSAGE);
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    // An error's JSON body lands in the temp file: read it for the server's Chinese message.
    let data: unknown = null;
    try {
      data = parseJson(String(Taro.getFileSystemManager().readFileSync(res.tempFilePath, 'utf8')));
    } catch {
      /* the status alone then */
    }
    return { statusCode: res.statusCode, data };
  }
  return {
    statusCode: res.statusCode,
    data: null,
    save: async () => {
      await Taro.openDocument({ filePath: res.tempFilePath, fileType, showMenu: true });
    },
  };
}

/** Downloads `path` with the session's token and saves (browser) or opens (WeChat) it; errors as ApiError with a Chinese message. */
export async function downloadFile(path: string, query: Record<string, string>, fallbackName: string): Promise<void> {
  const url = apiUrl(path) + buildQuery(query);
  const get = (token: string | null) => (isH5() ? fetchH5(url, token, fallbackName) : fetchWeapp(url, token, 'xlsx'));
  const res = await sendWithRefresh(get);
  if (res.statusCode < 200 || res.statusCode >= 300 || !res.save) throw toApiError(res);
  await res.save();
}

/** The monthly report of `month` (YYYY-MM) in the caller's scope. */
export const downloadMonthlyReport = (month: string) => downloadFile(MONTHLY_REPORT_PATH, { month }, `xianrong-${month}.xlsx`);
