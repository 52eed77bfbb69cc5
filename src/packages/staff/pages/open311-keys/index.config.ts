export default definePageConfig({
  navigationBarTitleText: 'Open311 接口密钥',
});
