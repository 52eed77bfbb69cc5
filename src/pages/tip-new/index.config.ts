export default definePageConfig({
  navigationBarTitleText: '我要爆料',
});
