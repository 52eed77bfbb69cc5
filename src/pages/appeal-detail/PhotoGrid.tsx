// Thumbnails of stored photos; a tap opens the full pictures (Taro.previewImage swipes through them).
import { Image, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { PhotoRef } from '../../api/types';
import { imageAlt, photoLabel } from '../../utils/a11y';
import { photoSrc } from '../../utils/appeal';

export function PhotoGrid({ photos }: { photos: PhotoRef[] }) {
  if (photos.length === 0) return null;
  const urls = photos.map((p) => photoSrc(p.url));
  return (
    <View className='photo-grid'>
      {photos.map((p, i) => (
        <Image className='photo-grid__thumb' key={p.id} src={photoSrc(p.thumbUrl)} mode='aspectFill' nativeProps={imageAlt(photoLabel(i))} onClick={() => void Taro.previewImage({ urls, current: urls[i] })} />
      ))}
    </View>
  );
}
