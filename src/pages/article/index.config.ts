export default definePageConfig({
  navigationBarTitleText: '文章',
  // useShareAppMessage answers only when the page declares it shares.
  enableShareAppMessage: true,
  onReachBottomDistance: 120,
});
