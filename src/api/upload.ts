// Photo upload (POST /api/v1/photos, multipart field `file`) through Taro.uploadFile, which is
// what WeChat offers for files (Taro.request cannot send them). Same token and single-refresh rule
// as ./request: a 401 refreshes once and retries; only a refused refresh token signs the user out.
import Taro from '@tarojs/taro';
import { apiUrl } from './base';
import { ApiError, NETWORK_ERROR_MESSAGE, sendWithRefresh, toApiError, type RawResponse } from './request';
import type { UploadedPhoto } from './types';

export const UPLOAD_PATH = '/photos';
/** A phone on a weak rural network may need a while for a few hundred kilobytes. */
const UPLOAD_TIMEOUT_MS = 120_000;
/**
 * An upload that shows no progress for this long is given up (and can be retried). Taro's H5
 * uploadFile first reads the picked file through its blob: URL and never settles when that read
 * is refused (e.g. by a Content-Security-Policy without `connect-src blob:`), so without this
 * guard the photo would say 上传中 forever.
 */
export const UPLOAD_STALL_MS = 30_000;

export type ProgressListener = (percent: number) => void;

async function sendFile(filePath: string, token: string | null, onProgress?: ProgressListener): Promise<RawResponse> {
  const header: Record<string, string> = {};
  if (token) header.Authorization = `Bearer ${token}`;
  let stall: ReturnType<typeof setTimeout> | undefined;
  try {
    const task = Taro.uploadFile({ url: apiUrl(UPLOAD_PATH), filePath, name: 'file', header, timeout: UPLOAD_TIMEOUT_MS });
    const stalled = new Promise<never>((_, reject) => {
      const arm = () => {
        clearTimeout(stall);
        stall = setTimeout(() => {
          if (typeof task.abort === 'function') task.abort();
          reject(new Error('upload stalled'));
        }, UPLOAD_STALL_MS);
      };
      arm();
      // Both builds give the task's progress events on the returned promise.
      if (typeof task.onProgressUpdate === 'function') {
        task.onProgressUpdate((p) => {
          arm();
          onProgress?.(p.progress);
        });
      }
    });
    const res = await Promise.race([task, stalled]);
    return { statusCode: res.statusCode, data: parseBody(res.data) };
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', NETWORK_ERROR_MESSAGE);
  } finally {
    clearTimeout(stall);
  }
}

/** uploadFile gives the body as text in both builds. */
function parseBody(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

/** Uploads one picture chosen on the device; resolves with the stored photo (id, url, thumbUrl). */
export async function uploadPhoto(filePath: string, onProgress?: ProgressListener): Promise<UploadedPhoto> {
  const res = await sendWithRefresh((token) => sendFile(filePath, token, onProgress));
  if (res.statusCode < 200 || res.statusCode >= 300) throw toApiError(res);
  return res.data as UploadedPhoto;
}
