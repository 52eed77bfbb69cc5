export default definePageConfig({
  navigationBarTitleText: '通知详情',
  // A notice is passed on in group chats and the 朋友圈: useShareAppMessage / useShareTimeline answer
  // only when the page declares it shares.
  enableShareAppMessage: true,
  enableShareTimeline: true,
});
