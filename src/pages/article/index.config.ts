export default definePageConfig({
  navigationBarTitleText: '文章',
  // useShareAppMessage answers only when the page declares it shares.
  enableShareAppMessage: true,
  // 分享到朋友圈 (useShareTimeline): the page opens from the 朋友圈 in WeChat's single-page mode.
  enableShareTimeline: true,
  onReachBottomDistance: 120,
});
