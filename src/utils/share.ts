import Taro from '@tarojs/taro';

/**
 * Turns on the page's 转发 and 分享到朋友圈 in WeChat's ··· menu. `menus` is WeChat's (base library
 * 2.11.3+), missing from Taro's type; without it only 转发 shows. Nothing to do in H5.
 */
export function showShareMenus(): void {
  if (process.env.TARO_ENV !== 'weapp') return;
  void Taro.showShareMenu({ withShareTicket: false, menus: ['shareAppMessage', 'shareTimeline'] } as Taro.showShareMenu.Option);
}
