export default definePageConfig({
  navigationBarTitleText: '通知管理',
});
