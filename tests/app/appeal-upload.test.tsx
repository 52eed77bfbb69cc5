// Photo upload (src/api/upload.ts through Taro.uploadFile) and how the picker shows a refusal.
import { useState } from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { resetTaro } from './stubs/taro';
import { uploadPhoto } from '../../src/api/upload';
import { PhotoPicker, type PickedPhoto } from '../../src/components/PhotoPicker';
import { getSession, setSession } from '../../src/store/session';
import { fakeApi, session } from './helpers/fake-api';

const taro = Taro as unknown as Record<string, jest.Mock>;
const ID = 'c'.repeat(64);
const stored = { id: ID, url: `/api/v1/photos/${ID}`, thumbUrl: `/api/v1/photos/${ID}/thumb`, width: 10, height: 10, bytes: 100 };

type UploadOpts = { url: string; filePath: string; name: string; header: Record<string, string> };
/** uploadFile answering with (status, body as text), as both builds give it. */
function answers(...replies: Array<[number, unknown]>) {
  const calls: UploadOpts[] = [];
  taro.uploadFile.mockImplementation((opts: UploadOpts) => {
    calls.push(opts);
    const [statusCode, body] = replies[Math.min(calls.length - 1, replies.length - 1)];
    return Object.assign(Promise.resolve({ statusCode, data: JSON.stringify(body) }), { onProgressUpdate: () => undefined, abort: () => undefined });
  });
  return calls;
}

beforeEach(() => {
  resetTaro();
  setSession(session());
  taro.uploadFile = jest.fn();
  taro.chooseImage = jest.fn();
});

test('sends the file as field `file` with the token to /api/v1/photos and gives the stored photo', async () => {
  // Catches a wrong field name or address (the server refuses anything but `file`) and a missing token.
  const calls = answers([201, stored]);
  await expect(uploadPhoto('wxfile://tmp_1.jpg')).resolves.toEqual(stored);
  expect(calls[0]).toMatchObject({ filePath: 'wxfile://tmp_1.jpg', name: 'file', header: { Authorization: 'Bearer access-1' } });
  expect(calls[0].url).toMatch(/\/api\/v1\/photos$/);
});

test('an expired token is refreshed once and the upload sent again with the new one', async () => {
  // Catches an upload that signs the resident out (or fails) when the 15-minute token expired while they typed.
  const calls = answers([401, { error: { code: 'TOKEN_EXPIRED', message: '登录已过期' } }], [201, stored]);
  const log = fakeApi({ 'POST /auth/refresh': () => ({ status: 200, body: session({ accessToken: 'access-2', refreshToken: 'refresh-2' }) }) });
  await expect(uploadPhoto('blob:x')).resolves.toEqual(stored);
  expect(log.filter((r) => r.path === '/auth/refresh')).toHaveLength(1);
  expect(calls.map((c) => c.header.Authorization)).toEqual(['Bearer access-1', 'Bearer access-2']);
  expect(getSession()?.accessToken).toBe('access-2');
});

test('a refused refresh token ends the session and opens the login page', async () => {
  // Catches an endless 401 loop or a silent failure when the session is really over.
  answers([401, { error: { code: 'TOKEN_EXPIRED', message: '登录已过期' } }]);
  fakeApi({ 'POST /auth/refresh': () => ({ status: 401, body: { error: { code: 'INVALID_REFRESH', message: '请重新登录' } } }) });
  await expect(uploadPhoto('blob:x')).rejects.toMatchObject({ status: 401 });
  expect(getSession()).toBeNull();
  expect(Taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/login/index' });
});

function Harness() {
  const [photos, setPhotos] = useState<PickedPhoto[]>([]);
  return <PhotoPicker photos={photos} onChange={setPhotos} />;
}

test("a refused picture shows the server's reason and is not retried; 删除 removes it", async () => {
  // Catches "点击重试" on a picture the server will always refuse (wrong type, too large).
  answers([415, { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: '仅支持 JPG、PNG、WebP 图片' } }]);
  taro.chooseImage.mockResolvedValue({ tempFilePaths: ['blob:gif'] });
  render(<Harness />);
  await act(async () => {
    fireEvent.click(screen.getByText('添加照片 0/9'));
  });
  expect(screen.getByText('仅支持 JPG、PNG、WebP 图片')).toBeTruthy();
  expect(screen.queryByText('上传失败，点击重试')).toBeNull();
  await act(async () => {
    fireEvent.click(screen.getByText('仅支持 JPG、PNG、WebP 图片'));
  });
  expect(taro.uploadFile).toHaveBeenCalledTimes(1);
  fireEvent.click(screen.getByText('删除'));
  expect(screen.queryByText('仅支持 JPG、PNG、WebP 图片')).toBeNull();
  expect(screen.getByText('添加照片 0/9')).toBeTruthy();
});
