export default definePageConfig({
  navigationBarTitleText: '通知公告',
  enablePullDownRefresh: true,
  onReachBottomDistance: 120,
});
