export default definePageConfig({
  navigationBarTitleText: '导入历史诉求',
});
