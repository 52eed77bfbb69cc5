export default definePageConfig({
  navigationBarTitleText: '发送情况',
  // Pull down to refresh; the page stops the spinner when the data is back.
  enablePullDownRefresh: true,
  onReachBottomDistance: 120,
});
