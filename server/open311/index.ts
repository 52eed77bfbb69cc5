/**
 * Open311 GeoReport v2 (the open standard for civic issue reporting) on /open311/v2, and the
 * admin's API keys for it. It files and reads appeals through the appeals feature's face; its own
 * data is the keys. The app mounts both from here.
 */
export { georeportRouter, OPEN311_BASE } from './georeport';
export { open311KeyRoutes } from './routes';
export { Open311Key, Open311KeyList, IssuedOpen311Key, IssueOpen311KeyBody } from './schemas';
