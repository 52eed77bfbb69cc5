// Stand-in for @tarojs/taro in the app tests: navigation and UI calls are jest.fn(),
// storage is in memory, page lifecycle hooks run as effects. resetTaro() between tests.
import { useEffect } from 'react';

type Fn = (...args: any[]) => any;

const storage = new Map<string, unknown>();

const resolved = () => jest.fn((_opts?: unknown) => Promise.resolve({ errMsg: 'ok' }));

// WeChat's privacy authorisation as its base library behaves: whether this user agreed to the guide
// (true by default, as for a user who agreed long ago: tests of other features never see the popup),
// the app's onNeedPrivacyAuthorization listener (kept across resetTaro, like the app's own module
// state), and the agreement buttons tapped (WeChat accepts resolve({event:'agree', buttonId}) only for
// a tapped open-type agreePrivacyAuthorization button with that id).
type PrivacyCallbacks = { success?: (res: unknown) => void; fail?: (res: { errMsg: string }) => void };
const privacy = { agreed: true, listener: null as Fn | null, tapped: new Set<string>(), exposed: 0 };

/** Whether the user has agreed to the privacy guide (false: the next privacy API asks the app's listener). */
export function setPrivacyAgreed(agreed: boolean) {
  privacy.agreed = agreed;
}
export const privacyAgreed = () => privacy.agreed;
/** How many times the app told WeChat its popup was shown (resolve({ event: 'exposureAuthorization' })). */
export const privacyExposures = () => privacy.exposed;
/** The Button stand-in calls this for a tap on an open-type agreePrivacyAuthorization button. */
export function tapPrivacyAgreeButton(id: string) {
  privacy.tapped.add(id);
  privacy.agreed = true;
}

const taro = {
  request: jest.fn((_opts: unknown): Promise<{ statusCode: number; data: unknown; header?: Record<string, string> }> =>
    Promise.reject(new Error('Taro.request not mocked')),
  ),
  navigateTo: resolved(),
  navigateBack: resolved(),
  redirectTo: resolved(),
  switchTab: resolved(),
  reLaunch: resolved(),
  showToast: resolved(),
  hideToast: jest.fn(),
  showLoading: resolved(),
  hideLoading: jest.fn(),
  showModal: jest.fn(() => Promise.resolve({ confirm: true, cancel: false })),
  // WeChat rejects with 'showActionSheet:fail cancel' when the sheet is closed without a choice.
  showActionSheet: jest.fn((_opts?: unknown): Promise<{ tapIndex: number; errMsg: string }> => Promise.resolve({ tapIndex: 0, errMsg: 'showActionSheet:ok' })),
  makePhoneCall: resolved(),
  setClipboardData: resolved(),
  login: jest.fn(() => Promise.resolve({ code: 'test-code', errMsg: 'login:ok' })),
  getStorageSync: jest.fn((key: string) => (storage.has(key) ? storage.get(key) : '')),
  setStorageSync: jest.fn((key: string, value: unknown) => {
    storage.set(key, value);
  }),
  removeStorageSync: jest.fn((key: string) => {
    storage.delete(key);
  }),
  clearStorageSync: jest.fn(() => storage.clear()),
  getEnv: jest.fn(() => 'WEB'),
  ENV_TYPE: { WEAPP: 'WEAPP', WEB: 'WEB', RN: 'RN', SWAN: 'SWAN', ALIPAY: 'ALIPAY', TT: 'TT', QQ: 'QQ', JD: 'JD' },
  stopPullDownRefresh: jest.fn(),
  showShareMenu: resolved(),
  previewImage: resolved(),
  // WeChat's map picker (a privacy API) with a chosen place, and its map page.
  chooseLocation: jest.fn((_opts?: unknown) =>
    Promise.resolve({ latitude: 28.901234, longitude: 118.871987, name: '幸福路便民超市', address: '东溪县城关镇幸福路12号', errMsg: 'chooseLocation:ok' }),
  ),
  openLocation: resolved(),
  pageScrollTo: resolved(),
  setNavigationBarTitle: resolved(),
  getCurrentInstance: jest.fn(() => ({ router: { params: {} as Record<string, string>, path: '' } })),
  onNeedPrivacyAuthorization: jest.fn((listener: Fn) => {
    privacy.listener = listener;
  }),
  // Callbacks only, as in WeChat (no Promise form). Not agreed: the listener gets a resolve; agree with
  // a tapped button's id -> success, disagree -> fail. Without a listener WeChat would show its own popup.
  requirePrivacyAuthorize: jest.fn((opts: PrivacyCallbacks = {}) => {
    if (privacy.agreed) return void opts.success?.({ errMsg: 'requirePrivacyAuthorize:ok' });
    if (!privacy.listener) return void opts.fail?.({ errMsg: 'requirePrivacyAuthorize:fail no onNeedPrivacyAuthorization listener (stub)' });
    let answered = false;
    privacy.listener(
      (reply: { event: string; buttonId?: string }) => {
        if (reply.event === 'exposureAuthorization') return void (privacy.exposed += 1);
        if (answered) return;
        answered = true;
        if (reply.event === 'agree' && reply.buttonId && privacy.tapped.has(reply.buttonId)) {
          privacy.agreed = true;
          opts.success?.({ errMsg: 'requirePrivacyAuthorize:ok' });
        } else {
          opts.fail?.({ errMsg: 'requirePrivacyAuthorize:fail privacy permission is not authorized' });
        }
      },
      { referrer: 'requirePrivacyAuthorize' },
    );
  }),
  // WeChat's subscribe dialog (订阅消息): every asked template answered 'accept' unless a test says
  // otherwise (mockImplementationOnce); the real one opens only within a user's tap.
  requestSubscribeMessage: jest.fn((opts: { tmplIds: string[] }): Promise<Record<string, string>> =>
    Promise.resolve({ errMsg: 'requestSubscribeMessage:ok', ...Object.fromEntries(opts.tmplIds.map((id) => [id, 'accept'])) }),
  ),
  getPrivacySetting: jest.fn((opts: { success?: (res: { needAuthorization: boolean; privacyContractName: string; errMsg: string }) => void } = {}) => {
    opts.success?.({ needAuthorization: !privacy.agreed, privacyContractName: '《县融隐私保护指引》', errMsg: 'getPrivacySetting:ok' });
  }),
};

export function useLoad(fn: Fn) {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => void fn({}), []);
}
export function useDidShow(fn: Fn) {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => void fn(), []);
}
export function useReady(fn: Fn) {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => void fn(), []);
}
export function useLaunch(fn: Fn) {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => void fn({}), []);
}
export function useDidHide(_fn: Fn) {}

// Page events a test fires by hand: the latest handler each mounted page registered.
const pageEvents: { pullDownRefresh?: Fn; reachBottom?: Fn; shareAppMessage?: Fn; shareTimeline?: Fn } = {};
export function usePullDownRefresh(fn: Fn) {
  pageEvents.pullDownRefresh = fn;
}
export function useReachBottom(fn: Fn) {
  pageEvents.reachBottom = fn;
}
export function useShareAppMessage(fn: Fn) {
  pageEvents.shareAppMessage = fn;
}
export function useShareTimeline(fn: Fn) {
  pageEvents.shareTimeline = fn;
}
/** Runs the page's pull-down-refresh handler, as WeChat does when the reader pulls the list down. */
export const firePullDownRefresh = () => pageEvents.pullDownRefresh?.();
/** Runs the page's reach-bottom handler (endless paging). */
export const fireReachBottom = () => pageEvents.reachBottom?.();
/** What the page's share handler returns (the share card's title and path). */
export const fireShareAppMessage = (opts: unknown = {}) => pageEvents.shareAppMessage?.(opts);
/** What the page's 朋友圈 handler returns (title, query, image), or undefined when the page has none. */
export const fireShareTimeline = () => pageEvents.shareTimeline?.();
export function useRouter() {
  return taro.getCurrentInstance().router;
}

/** Clears storage and resets every mock to its default behaviour. */
export function resetTaro() {
  storage.clear();
  delete pageEvents.pullDownRefresh;
  delete pageEvents.reachBottom;
  delete pageEvents.shareAppMessage;
  delete pageEvents.shareTimeline;
  privacy.agreed = true;
  privacy.tapped.clear();
  privacy.exposed = 0;
  for (const value of Object.values(taro)) {
    if (typeof value === 'function' && 'mockClear' in value) (value as jest.Mock).mockClear();
  }
  taro.request.mockReset();
  taro.request.mockImplementation(() => Promise.reject(new Error('Taro.request not mocked')));
}

export const { request, navigateTo, navigateBack, redirectTo, switchTab, reLaunch, showToast, setClipboardData, login, getStorageSync, setStorageSync, removeStorageSync, getEnv, ENV_TYPE } = taro;

export default taro;
