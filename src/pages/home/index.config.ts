export default definePageConfig({
  navigationBarTitleText: '县融首页',
});
