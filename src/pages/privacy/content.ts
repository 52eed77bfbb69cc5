// The wording of the 隐私保护指引 (privacy guide) in one place: the guide page shows it, the popup names
// it, and the declarations a county enters in the WeChat console (mp.weixin.qq.com, 设置 > 服务内容声明 >
// 用户隐私保护指引) must say the same, so docs can be checked against this list.

export const PRIVACY_GUIDE_TITLE = '县融隐私保护指引';

/** One kind of personal information the mini-program handles. */
export interface PrivacyItem {
  key: 'photos' | 'location' | 'phone' | 'wechat' | 'clipboard' | 'files';
  /** What it is, as the resident reads it. */
  title: string;
  /** When it is collected. */
  when: string;
  /** Why. */
  why: string;
  /** Who sees it. */
  who: string;
  /** How long it is kept. */
  kept: string;
  /** The WeChat APIs that touch it (they wait for the agreement). */
  apis: string[];
  /**
   * The type to declare in the WeChat console's 用户隐私保护指引 and its purpose, as entered there
   * (WeChat shows it as '为了<purpose>'); null when no console type applies.
   */
  declaration: { type: string; purpose: string } | null;
}

export const PRIVACY_ITEMS: PrivacyItem[] = [
  {
    key: 'photos',
    title: '照片',
    when: '您在提交诉求、补充材料或爆料时，自己选择或拍摄照片。',
    why: '作为诉求和爆料的证据，帮助工作人员了解现场情况。',
    who: '原图（可能含拍摄时间、地点等信息）只给处理这条记录的工作人员查看；公开展示的照片已去掉这些信息。',
    kept: '随诉求或爆料记录保存；记录删除时一并删除。',
    apis: ['chooseImage', 'chooseMedia'],
    declaration: { type: '选中的照片或视频信息', purpose: '在提交诉求和爆料时上传现场照片作为证据' },
  },
  {
    key: 'location',
    title: '位置',
    when: '仅当您在提交诉求时点“选择位置”，自己在地图上选定地点（网页版使用浏览器提供的当前位置，需您在浏览器中允许）。',
    why: '标明诉求发生的地点，便于派给所在社区和部门处理。',
    who: '处理这条诉求的工作人员看到准确位置；公开展示时只显示大致位置。',
    kept: '随诉求记录保存。',
    apis: ['chooseLocation', 'getLocation'],
    declaration: { type: '选择的位置信息', purpose: '标明诉求发生的地点，便于派给所在社区和部门处理' },
  },
  {
    key: 'phone',
    title: '手机号',
    when: '仅当您在诉求中自己填写手机号、希望工作人员回电时。',
    why: '方便工作人员联系您核实情况、反馈结果。',
    who: '只有处理这条诉求的工作人员能看到完整号码；其他人看到的是隐去中间几位的号码，公开内容中不显示。',
    kept: '随诉求记录保存。',
    apis: [],
    declaration: { type: '手机号', purpose: '在您希望回电时联系您核实诉求、反馈结果' },
  },
  {
    key: 'wechat',
    title: '微信身份',
    when: '您登录小程序时；群聊机器人替群成员登记诉求时。',
    why: '用微信身份标识（openid）让您登录、查看自己的诉求；群里登记的诉求记下发言成员的微信号，以便办结后在群里告知本人。',
    who: '只用于识别身份，不公开展示；工作人员看到的是您的称呼。',
    kept: '账号存续期间保存；注销或申请删除后删除。',
    apis: ['login'],
    declaration: null,
  },
  {
    key: 'clipboard',
    title: '剪贴板',
    when: '仅当您点“复制链接”（文章）或工作人员点“复制”（绑定码）时，写入要复制的内容。',
    why: '方便您把文章链接或绑定消息粘贴到聊天中。',
    who: '只写入，不读取您剪贴板里的其他内容。',
    kept: '不保存。',
    apis: ['setClipboardData'],
    declaration: { type: '剪切板', purpose: '复制文章链接或绑定码，方便粘贴到聊天中' },
  },
  {
    key: 'files',
    title: '文件',
    when: '仅当管理员在“导入历史诉求”中，从微信聊天里选择一个表格文件（.csv 或 .xlsx）时。',
    why: '读取过去的诉求文字和分类，用来改进诉求分类建议；不作为新的诉求登记。',
    who: '只有导入它的管理员能看到导入预览和结果；文件里的内容不对外展示。',
    kept: '导入的文字和分类作为分类建议的学习记录保存；删除这次导入时一并删除。',
    apis: ['chooseMessageFile'],
    declaration: { type: '选中的文件', purpose: '导入过去的诉求记录，用来改进诉求分类建议' },
  },
];

/** How to ask for a copy, a correction or removal. */
export const PRIVACY_CONTACT =
  '如需查询、更正或删除您的个人信息，请联系本县融媒体中心（“服务”页的便民热线中有联系电话），我们核实后及时处理并答复您。';

/** Shown above the list. */
export const PRIVACY_INTRO =
  '县融是本县融媒体中心运营的新闻和诉求平台。我们只在您使用相应功能时收集所需的信息，不会用于其他目的，也不会出售给任何人。';

/** What declining means (the popup and the guide say it). */
export const PRIVACY_DECLINE_NOTE = '不同意也可以继续浏览新闻、通知和诉求，只是不能使用照片、位置、复制等功能。';
