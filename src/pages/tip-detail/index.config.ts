export default definePageConfig({
  navigationBarTitleText: '爆料详情',
  enablePullDownRefresh: true,
});
