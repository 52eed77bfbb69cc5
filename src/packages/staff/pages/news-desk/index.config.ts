export default definePageConfig({
  navigationBarTitleText: '稿件管理',
  // Pull down to refresh; the page stops the spinner when the data is back.
  enablePullDownRefresh: true,
  onReachBottomDistance: 120,
});
