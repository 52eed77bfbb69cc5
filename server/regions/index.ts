/**
 * The regions feature's face: what other features may use of the region tree (county > township >
 * community > grid). Its collection stays behind these calls.
 */
export { REGION_LEVELS, REGION_LEVEL_LABELS, REGIONS_CACHE, type RegionDoc, type RegionLevel } from './model';
export { RegionSummary } from './schemas';
export { nearestRegions, pathPrefixRegex, toRegionSummary, type RegionHolders } from './service';
export type { NearestRegions, NearestRegionsQuery } from './schemas';
export { regionLookup, type RegionLookup, type RegionRef } from './lookup';
export { scopeOf, scopeRegions, type RegionScope } from './scope-regions';
export { CHINA_BOUNDS, GeoPoint, distanceM, latitude, longitude } from './geo';
