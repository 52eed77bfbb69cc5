export default definePageConfig({
  navigationBarTitleText: '高频诉求',
  // Pull down to refresh; the page stops the spinner when the list is back.
  enablePullDownRefresh: true,
  onReachBottomDistance: 120,
});
