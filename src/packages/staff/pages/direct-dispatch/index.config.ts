export default definePageConfig({
  navigationBarTitleText: '智能分派设置',
});
