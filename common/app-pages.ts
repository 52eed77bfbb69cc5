/**
 * A page of the mini-program or H5 app, as the server and the app name one (`/pages/me/index`,
 * `/packages/staff/pages/workbench/index?tab=x`): where a sign-in may send the resident back to.
 * Nothing else (no scheme, no host, no `..`), so it can never send a browser to another site.
 */
export const APP_PAGE_PATH = /^\/(pages|packages)\/[A-Za-z0-9/_-]+(\?[A-Za-z0-9_=&%.-]*)?$/;

/** The tab pages: opened with switchTab, the others with redirectTo / navigateTo. */
export const TAB_PAGES = ['/pages/home/index', '/pages/appeals/index', '/pages/services/index', '/pages/me/index'] as const;
