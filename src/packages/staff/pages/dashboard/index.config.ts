export default definePageConfig({
  navigationBarTitleText: '诉求办理数据大屏',
  navigationBarBackgroundColor: '#0b1a33',
  navigationBarTextStyle: 'white',
  backgroundColor: '#0b1a33',
});
