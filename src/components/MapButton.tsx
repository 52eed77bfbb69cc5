// 查看地图: an appeal's point opened in a map. In WeChat its own map page (openLocation, GCJ-02 as
// stored); in H5 Amap's web marker page (Amap uses GCJ-02 too), in a new tab. A point the viewer sees
// rounded (a public appeal read by someone not handling it) opens zoomed out and says it is approximate.
import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { AppealLocationView } from '../api/types';
import './MapButton.scss';

/** Amap's marker page for a point; `coordinate=gaode` says it is GCJ-02 already. */
export function amapMarkerUrl(p: { lat: number; lng: number; name?: string | null }): string {
  const params = [`position=${p.lng},${p.lat}`, `coordinate=gaode`, `callnative=0`];
  if (p.name) params.push(`name=${encodeURIComponent(p.name)}`);
  return `https://uri.amap.com/marker?${params.join('&')}`;
}

export function openMap(p: AppealLocationView, fallbackName?: string | null): void {
  const name = p.name ?? fallbackName ?? undefined;
  if (process.env.TARO_ENV === 'h5') {
    if (typeof window !== 'undefined') window.open(amapMarkerUrl({ ...p, name }), '_blank', 'noopener');
    return;
  }
  void Taro.openLocation({ latitude: p.lat, longitude: p.lng, name, address: p.address ?? undefined, scale: p.approximate ? 14 : 17 }).catch(() => undefined);
}

export function MapButton({ location, place }: { location: AppealLocationView | null; place?: string | null }) {
  if (!location) return null;
  return (
    <View className='map-button'>
      <Text className='map-button__open' onClick={() => openMap(location, place)}>
        查看地图
      </Text>
      {location.approximate ? <Text className='map-button__note'>地图位置为大致范围</Text> : null}
    </View>
  );
}
