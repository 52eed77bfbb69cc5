export default definePageConfig({
  navigationBarTitleText: '县融首页',
  enablePullDownRefresh: true,
  onReachBottomDistance: 120,
});
