/**
 * The hot spots' face (高频诉求): similar appeals piling up in one community within hours, grouped
 * and flagged to its dispatchers and staff (detect.ts, flag.ts), listed, merged into one appeal or
 * dismissed (service.ts). The composition root mounts the routes (app.ts) and runs the detector
 * with the other background jobs (server.ts).
 */
export { hotspotRoutes } from './routes';
export { hotspotDetector, startHotspotDetector, flagStep, type DetectRun } from './detect';
export { hotspotSettings, HOTSPOT_DEFAULTS } from './settings';
export { HOTSPOT_STATES, type HotspotState } from './model';
export { HOTSPOT_STATE_LABELS, DismissHotspotBody, EditHotspotSettingsBody, HotspotCount, HotspotDetail, HotspotPage, HotspotSettings, HotspotSummary, ListHotspotsQuery, MergeHotspotBody, MergeHotspotResult, MergeOutcome } from './schemas';
