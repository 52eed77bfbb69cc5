export default definePageConfig({
  navigationBarTitleText: '诉求详情',
  // A public appeal shares as a card (index.tsx); useShareAppMessage answers only when the page declares it.
  enableShareAppMessage: true,
});
