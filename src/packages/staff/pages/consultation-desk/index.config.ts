export default definePageConfig({
  navigationBarTitleText: '议事管理',
  // Pull down to refresh; the page stops the spinner when the list is back.
  enablePullDownRefresh: true,
  onReachBottomDistance: 120,
});
