export default definePageConfig({
  navigationBarTitleText: '公开诉求',
  // Shares as a card (index.tsx); useShareAppMessage answers only when the page declares it.
  enableShareAppMessage: true,
});
