export default definePageConfig({
  navigationBarTitleText: '登录失败记录',
});
