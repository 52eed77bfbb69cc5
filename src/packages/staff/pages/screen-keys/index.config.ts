export default definePageConfig({
  navigationBarTitleText: '大屏链接',
});
