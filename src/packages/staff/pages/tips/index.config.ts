export default definePageConfig({
  navigationBarTitleText: '爆料线索',
  // Pull down to refresh; the page stops the spinner when the list is back.
  enablePullDownRefresh: true,
  onReachBottomDistance: 120,
});
