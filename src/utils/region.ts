import type { RegionSummary } from '../api/types';

/** '城关镇 · 东关社区' style label for a user's community, or null when none is chosen. */
export function regionLabel(region: RegionSummary | null | undefined): string | null {
  if (!region) return null;
  const names = region.pathNames && region.pathNames.length > 0 ? region.pathNames.slice(1) : [];
  const parts = names.length > 0 ? names : [region.name];
  if (parts[parts.length - 1] !== region.name) parts.push(region.name);
  return parts.join(' · ');
}
