export default definePageConfig({
  navigationBarTitleText: '群发送情况',
});
