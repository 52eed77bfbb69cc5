export default definePageConfig({
  navigationBarTitleText: '高频诉求',
  enablePullDownRefresh: true,
});
