/**
 * Points on the map as the mini-program gives them: GCJ-02 latitude and longitude (the coordinate
 * system WeChat's chooseLocation and Amap use; Open311 calls them lat/long). Only distances between
 * points of the same system are computed here, so no conversion is needed.
 */
import { z } from 'zod';

/**
 * China's rough bounding box (mainland, Hainan and the southern islands included): a point outside
 * it is a mistake (swapped lat/lng, a 0,0 from a failed fix), never a place in a county here.
 * Rough on purpose: it does not follow the border, it only refuses what cannot be right.
 */
export const CHINA_BOUNDS = { latMin: 3, latMax: 54, lngMin: 73, lngMax: 136 } as const;

const coordinate = (min: number, max: number, what: string) =>
  z.number().min(min, `${what}应在 ${min} 到 ${max} 之间（中国境内）`).max(max, `${what}应在 ${min} 到 ${max} 之间（中国境内）`);
export const latitude = coordinate(CHINA_BOUNDS.latMin, CHINA_BOUNDS.latMax, '纬度');
export const longitude = coordinate(CHINA_BOUNDS.lngMin, CHINA_BOUNDS.lngMax, '经度');

/** A point: `{ lat, lng }` in degrees, GCJ-02. */
export const GeoPoint = z.strictObject({ lat: latitude, lng: longitude });
export type GeoPoint = z.infer<typeof GeoPoint>;

const EARTH_RADIUS_M = 6_371_000;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine): exact enough at a county's scale. */
export function distanceM(a: GeoPoint, b: GeoPoint): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}
