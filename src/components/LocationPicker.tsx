// 选择位置: the place of an appeal as a point on the map, beside the text place. In WeChat the map's
// own picker (chooseLocation, a privacy API: it waits for the privacy agreement, src/utils/privacy.ts);
// in H5 the browser's geolocation, converted to GCJ-02 (the system WeChat and Amap use), with a plain
// fallback: when the browser refuses or has none, the text place stays and a note says so.
// Controlled: the form owns the point (it keeps it in the draft) and gets every change.
import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { AppealLocationInput } from '../api/types';
import { withPrivacy } from '../utils/privacy';
import { PrivacyPopup, PrivacyRefusedNote } from './PrivacyPopup';
import './LocationPicker.scss';

export type PickedLocation = AppealLocationInput;

export const LOCATION_UNAVAILABLE = '无法获取位置，请填写地点描述';

/** How the chosen point reads on the form: its name, else its address, else its coordinates. */
export function locationLabel(p: { lat: number; lng: number; name?: string | null; address?: string | null }): string {
  return p.name || p.address || `${p.lat.toFixed(5)}, ${p.lng.toFixed(5)}`;
}

// WGS-84 (what browsers give) to GCJ-02 (what WeChat's map, Amap and the server use): the published
// approximation of the offset, about 1 m accurate; outside China the two are the same.
const A = 6378245.0;
const EE = 0.006693421622965943;
function outOfChina(lat: number, lng: number) {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}
function offsetLat(x: number, y: number) {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  return r;
}
function offsetLng(x: number, y: number) {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  return r;
}
export function wgs84ToGcj02(lat: number, lng: number): { lat: number; lng: number } {
  if (outOfChina(lat, lng)) return { lat, lng };
  const radLat = (lat / 180) * Math.PI;
  const magic = 1 - EE * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  const dLat = (offsetLat(lng - 105, lat - 35) * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  const dLng = (offsetLng(lng - 105, lat - 35) * 180) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lat: lat + dLat, lng: lng + dLng };
}

/** Six decimals (about 0.1 m): more is noise, and the server's hash of a retry compares numbers exactly. */
const six = (x: number) => Math.round(x * 1e6) / 1e6;

/** WeChat: the map picker, after the privacy agreement. null: cancelled; 'refused': privacy declined. */
async function chooseOnMap(current: PickedLocation | null): Promise<PickedLocation | null | 'refused'> {
  let picked: PickedLocation | null = null;
  const agreed = await withPrivacy(async () => {
    try {
      const res = await Taro.chooseLocation(current ? { latitude: current.lat, longitude: current.lng } : {});
      const name = res.name?.trim();
      const address = res.address?.trim();
      picked = { lat: six(res.latitude), lng: six(res.longitude), ...(name ? { name: name.slice(0, 100) } : {}), ...(address ? { address: address.slice(0, 200) } : {}) };
    } catch {
      picked = null; // cancelled, or the map could not open: the text place stays
    }
  });
  return agreed ? picked : 'refused';
}

/** H5: the browser's position, or null when it has none or the user refused. */
function browserPosition(): Promise<PickedLocation | null> {
  const geo = typeof navigator !== 'undefined' ? navigator.geolocation : undefined;
  if (!geo) return Promise.resolve(null);
  return new Promise((done) => {
    geo.getCurrentPosition(
      (pos) => {
        const p = wgs84ToGcj02(pos.coords.latitude, pos.coords.longitude);
        done({ lat: six(p.lat), lng: six(p.lng) });
      },
      () => done(null),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
}

export interface LocationPickerProps {
  value: PickedLocation | null;
  onChange: (value: PickedLocation | null) => void;
  disabled?: boolean;
}

export function LocationPicker({ value, onChange, disabled = false }: LocationPickerProps) {
  const [busy, setBusy] = useState(false);
  /** Why there is no point: privacy declined (WeChat) or no position (H5). */
  const [problem, setProblem] = useState<'refused' | 'unavailable' | null>(null);
  /** This picker asked WeChat for the agreement: its popup is on screen until answered. */
  const [asking, setAsking] = useState(false);

  const choose = async () => {
    if (disabled || busy) return;
    setBusy(true);
    setProblem(null);
    try {
      if (process.env.TARO_ENV === 'h5') {
        const p = await browserPosition();
        if (p) onChange(p);
        else setProblem('unavailable');
      } else {
        setAsking(true);
        const p = await chooseOnMap(value);
        if (p === 'refused') setProblem('refused');
        else if (p) onChange(p);
      }
    } finally {
      setAsking(false);
      setBusy(false);
    }
  };

  return (
    <View className='location-picker'>
      {value ? (
        <View className='location-picker__chosen'>
          <Text className='location-picker__pin'>📍</Text>
          <Text className='location-picker__label'>{locationLabel(value)}</Text>
          {disabled ? null : (
            <Text className='location-picker__remove' onClick={() => onChange(null)}>
              移除
            </Text>
          )}
        </View>
      ) : null}
      {disabled ? null : (
        <Text className='location-picker__choose' onClick={() => void choose()}>
          {busy ? '正在获取位置…' : value ? '重新选择位置' : '选择位置'}
        </Text>
      )}
      {problem === 'unavailable' ? <Text className='location-picker__note'>{LOCATION_UNAVAILABLE}</Text> : null}
      {problem === 'refused' ? <PrivacyRefusedNote action='选择位置' /> : null}
      {/* Only while this picker waits for the agreement: a form with a photo picker has its own popup too. */}
      {asking ? <PrivacyPopup /> : null}
    </View>
  );
}
