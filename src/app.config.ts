export default defineAppConfig({
  pages: [
    'pages/home/index',
    'pages/appeals/index',
    'pages/services/index',
    'pages/me/index',
    'pages/login/index',
    'pages/region-picker/index',
    'pages/appeal-new/index',
    'pages/appeal-detail/index',
    'pages/board-item/index',
    'pages/article/index',
    'pages/news-search/index',
    'pages/notices/index',
    'pages/notice/index',
    'pages/privacy/index',
    'pages/tip-new/index',
    'pages/tip-list/index',
    'pages/tip-detail/index',
    'pages/consultation-list/index',
    'pages/consultation-detail/index',
  ],
  // Staff pages live in a subpackage so residents never download them.
  subPackages: [
    {
      root: 'packages/staff',
      pages: [
        'pages/workbench/index',
        'pages/room-binding/index',
        'pages/contact-binding/index',
        'pages/appeal-inbox/index',
        'pages/appeal-handle/index',
        'pages/appeal-file/index',
        'pages/news-desk/index',
        'pages/article-edit/index',
        'pages/article-manage/index',
        'pages/notice-desk/index',
        'pages/notice-edit/index',
        'pages/notice-deliveries/index',
        'pages/moderation/index',
        'pages/services-admin/index',
        'pages/login-failures/index',
        'pages/open311-keys/index',
        'pages/screen-keys/index',
        'pages/measures/index',
        'pages/dashboard/index',
        'pages/tips/index',
        'pages/tips-handle/index',
        'pages/consultation-new/index',
        'pages/consultation-desk/index',
        'pages/consultation-handle/index',
        'pages/suggest-import/index',
        'pages/direct-dispatch/index',
        'pages/hotspots/index',
        'pages/hotspot/index',
      ],
    },
  ],
  // WeChat injects a page's custom components only when the page is opened, instead of all of them at
  // launch (DevTools' code-quality panel flags it when off).
  lazyCodeLoading: 'requiredComponents',
  // WeChat's privacy check: photos, location, clipboard wait until the user agrees to the privacy guide
  // (src/utils/privacy.ts answers WeChat's onNeedPrivacyAuthorization; the guide is pages/privacy).
  __usePrivacyCheck__: true,
  // WeChat refuses location APIs not declared here; chooseLocation is the report form's 选择位置
  // (openLocation, the handlers' 查看地图, needs no declaration).
  requiredPrivateInfos: ['chooseLocation'],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#b71c1c',
    navigationBarTitleText: '县融',
    navigationBarTextStyle: 'white',
    // 'default' is WeChat's own default; Taro 4's H5 router only draws its navigation bar (title and back
    // button) when this is set explicitly.
    navigationStyle: 'default',
    backgroundColor: '#f4f4f4',
  },
  tabBar: {
    color: '#333333',
    selectedColor: '#b71c1c',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/home/index', text: '首页', iconPath: 'assets/tab/home.png', selectedIconPath: 'assets/tab/home-active.png' },
      { pagePath: 'pages/appeals/index', text: '诉求', iconPath: 'assets/tab/appeals.png', selectedIconPath: 'assets/tab/appeals-active.png' },
      { pagePath: 'pages/services/index', text: '服务', iconPath: 'assets/tab/services.png', selectedIconPath: 'assets/tab/services-active.png' },
      { pagePath: 'pages/me/index', text: '我的', iconPath: 'assets/tab/me.png', selectedIconPath: 'assets/tab/me-active.png' },
    ],
  },
});
