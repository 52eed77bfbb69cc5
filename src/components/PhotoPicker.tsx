// Pick up to nine photos, upload each as soon as it is chosen (one at a time: a weak network does
// better with one upload than with nine at once), show progress, let a failed one be retried by
// tapping it, and remove any. Controlled: the page owns the list (so it can keep it in a draft)
// and passes a React-style updater, because uploads finish after the render that started them.
import { useRef, useState } from 'react';
import { Image, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { ApiError, errorMessage } from '../api/request';
import type { PhotoRef } from '../api/types';
import { uploadPhoto } from '../api/upload';
import { imageAlt, photoLabel } from '../utils/a11y';
import { MAX_PHOTOS, photoSrc } from '../utils/appeal';
import { requirePrivacy } from '../utils/privacy';
import { PrivacyPopup, PrivacyRefusedNote } from './PrivacyPopup';
import './PhotoPicker.scss';

export interface PickedPhoto {
  /** Stable key within this list. */
  key: string;
  /** The file on this device while it uploads (and for a retry); null for photos restored from a draft. */
  localPath: string | null;
  status: 'uploading' | 'done' | 'failed';
  /** 0-100 while uploading. */
  progress: number;
  photo: PhotoRef | null;
  error: string | null;
  /**
   * Whether trying again can help (a dropped network, a busy server). A refused picture (wrong
   * type, too large) shows the server's reason instead, and only 删除 helps.
   */
  retryable?: boolean;
}

export type PhotoListUpdate = (update: (prev: PickedPhoto[]) => PickedPhoto[]) => void;

/** Network failures, timeouts, rate limits and server errors may pass on a second try; refusals will not. */
function isRetryable(e: unknown): boolean {
  if (!(e instanceof ApiError)) return true;
  return e.status === 0 || e.status === 408 || e.status === 429 || e.status >= 500;
}

let keySeq = 0;
const newKey = () => `p${Date.now().toString(36)}${(keySeq++).toString(36)}`;

/** Photos already on the server (a restored draft) as picker items. */
export function pickedFromRefs(refs: PhotoRef[]): PickedPhoto[] {
  return refs.map((photo) => ({ key: photo.id, localPath: null, status: 'done', progress: 100, photo, error: null }));
}

/** What to send: the uploaded photos, in the order shown. */
export function uploadedRefs(photos: PickedPhoto[]): PhotoRef[] {
  return photos.flatMap((p) => (p.status === 'done' && p.photo ? [p.photo] : []));
}

export function hasPendingUploads(photos: PickedPhoto[]): boolean {
  return photos.some((p) => p.status === 'uploading');
}

export function hasFailedUploads(photos: PickedPhoto[]): boolean {
  return photos.some((p) => p.status === 'failed');
}

export interface PhotoPickerProps {
  photos: PickedPhoto[];
  onChange: PhotoListUpdate;
  max?: number;
  disabled?: boolean;
}

export function PhotoPicker({ photos, onChange, max = MAX_PHOTOS, disabled = false }: PhotoPickerProps) {
  const queue = useRef<Promise<void>>(Promise.resolve());
  /** The user declined the privacy guide when asked for this picker: say so, offer the guide. */
  const [privacyRefused, setPrivacyRefused] = useState(false);

  const patch = (key: string, change: Partial<PickedPhoto>) => onChange((prev) => prev.map((p) => (p.key === key ? { ...p, ...change } : p)));

  const upload = (key: string, path: string) => {
    queue.current = queue.current.then(async () => {
      try {
        const photo = await uploadPhoto(path, (progress) => patch(key, { progress }));
        patch(key, { status: 'done', progress: 100, photo: { id: photo.id, url: photo.url, thumbUrl: photo.thumbUrl }, error: null });
      } catch (e) {
        patch(key, { status: 'failed', error: errorMessage(e), retryable: isRetryable(e) });
      }
    });
  };

  const choose = async () => {
    const room = max - photos.length;
    if (disabled || room <= 0) return;
    // WeChat holds chooseImage until the user agreed to the privacy guide: ask first (the popup below).
    const agreed = await requirePrivacy();
    setPrivacyRefused(!agreed);
    if (!agreed) return;
    let paths: string[];
    try {
      const res = await Taro.chooseImage({ count: room, sizeType: ['compressed'], sourceType: ['album', 'camera'] });
      paths = res.tempFilePaths.slice(0, room);
    } catch {
      return; // cancelled
    }
    const added: PickedPhoto[] = paths.map((localPath) => ({ key: newKey(), localPath, status: 'uploading', progress: 0, photo: null, error: null }));
    onChange((prev) => [...prev, ...added].slice(0, max));
    for (const item of added) upload(item.key, item.localPath!);
  };

  const retry = (item: PickedPhoto) => {
    if (!item.localPath || item.retryable === false) return;
    patch(item.key, { status: 'uploading', progress: 0, error: null });
    upload(item.key, item.localPath);
  };

  const remove = (key: string) => onChange((prev) => prev.filter((p) => p.key !== key));

  const preview = (item: PickedPhoto) => {
    const done = photos.filter((p) => p.status === 'done' && p.photo);
    if (!item.photo) return;
    void Taro.previewImage({ urls: done.map((p) => photoSrc(p.photo!.url)), current: photoSrc(item.photo.url) });
  };

  return (
    <View className='photo-picker'>
      {photos.map((item, index) => (
        <View className={`photo-picker__item photo-picker__item--${item.status}`} key={item.key}>
          <Image
            className='photo-picker__thumb'
            src={item.photo ? photoSrc(item.photo.thumbUrl) : item.localPath ?? ''}
            mode='aspectFill'
            nativeProps={imageAlt(photoLabel(index))}
            onClick={() => (item.status === 'failed' ? retry(item) : preview(item))}
          />
          {item.status === 'uploading' ? <Text className='photo-picker__overlay'>{`上传中 ${item.progress}%`}</Text> : null}
          {item.status === 'failed' ? (
            <Text className='photo-picker__overlay photo-picker__overlay--failed' onClick={() => retry(item)}>
              {item.retryable === false ? item.error ?? '上传失败' : '上传失败，点击重试'}
            </Text>
          ) : null}
          {disabled ? null : (
            <Text className='photo-picker__remove' onClick={() => remove(item.key)}>
              删除
            </Text>
          )}
        </View>
      ))}
      {!disabled && photos.length < max ? (
        <View className='photo-picker__add' onClick={() => void choose()}>
          <Text className='photo-picker__plus'>＋</Text>
          <Text className='photo-picker__add-label'>{`添加照片 ${photos.length}/${max}`}</Text>
        </View>
      ) : null}
      {privacyRefused ? <PrivacyRefusedNote action='选择照片' /> : null}
      <PrivacyPopup />
    </View>
  );
}
