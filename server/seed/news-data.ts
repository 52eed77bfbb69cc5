/**
 * The demo county's news, notices and services directory (东溪县 融媒体中心). Plain data, no
 * database code: server/seed/news.ts writes it. All names, places and phone numbers are invented.
 */

export interface DemoColumn {
  code: string;
  name: string;
  reviewLevels: number;
  emergency: boolean;
  /** Cover colours of the column's articles: a diagonal gradient from the first to the second (RGB). */
  colours: [[number, number, number], [number, number, number]];
}

export const demoColumns: DemoColumn[] = [
  { code: 'local', name: '本地新闻', reviewLevels: 2, emergency: false, colours: [[183, 28, 28], [255, 138, 101]] },
  { code: 'livelihood', name: '民生', reviewLevels: 1, emergency: false, colours: [[21, 101, 192], [129, 212, 250]] },
  { code: 'government', name: '政务', reviewLevels: 3, emergency: false, colours: [[136, 14, 79], [240, 98, 146]] },
  { code: 'rural', name: '乡村振兴', reviewLevels: 1, emergency: false, colours: [[46, 125, 50], [205, 220, 57]] },
  { code: 'culture', name: '文旅', reviewLevels: 1, emergency: false, colours: [[230, 81, 0], [255, 213, 79]] },
  { code: 'emergency', name: '应急', reviewLevels: 1, emergency: true, colours: [[66, 66, 66], [255, 87, 34]] },
];

/** The reviewers of levels 1, 2 and 3 (demo-county.ts); a reviewer approves one level of an article. */
export const demoNewsReviewers = ['reviewer', 'reviewer2', 'reviewer3'];

export interface DemoArticle {
  column: string;
  title: string;
  summary: string;
  /** Paragraphs; a string starting with `## ` is the one <h3>. `**x**` is bold. */
  body: string[];
  source: string;
  author: string;
  /** Hours before the seed's moment it was published (or, for the others, last touched). */
  ago: number;
  /** published unless said; review waits at level 1; scheduled publishes tomorrow. */
  state?: 'review' | 'draft' | 'scheduled';
  pinned?: boolean;
  /** Township code when the article concerns one township only; county-wide otherwise. */
  region?: string;
  views?: number;
  likes?: number;
  /** Without a cover picture (a text-only item). */
  noCover?: boolean;
}

const MEDIA = '东溪县融媒体中心';

export const demoArticles: DemoArticle[] = [
  // ---- 本地新闻 (two review levels) ----
  {
    column: 'local', title: '东溪县城区“断头路”滨河北路全线贯通', summary: '滨河北路与健康路交叉口段完工通车，城东居民到县人民医院可少绕行两公里。',
    body: [
      '11月下旬，东溪县城区滨河北路延伸工程完成路面铺装和交通标线施划，正式全线通车。该路段全长1.8公里，打通了健康路与迎宾大道之间的“断头路”。',
      '## 通车后出行更方便',
      '城关镇东城社区居民王大爷说：“以前去县人民医院要绕到老街，现在沿滨河北路直走，骑电动车十分钟就到了。”县交通运输局介绍，新路设置了**非机动车道和人行道**，沿线新装路灯86盏。',
      '下一步，县里还将对滨河南路进行提质改造，计划明年汛期前完工。',
    ],
    source: MEDIA, author: '记者 林晓东', ago: 30, pinned: true, views: 1842, likes: 96,
  },
  {
    column: 'local', title: '南门菜市场改造完成 重新开市', summary: '经过三个月的改造，南门菜市场新增摊位120个，实现雨污分流和统一电子秤。',
    body: [
      '改造后的南门菜市场于本周一重新开市。市场内划分为蔬菜、肉类、水产、熟食四个区域，地面进行了防滑处理，排水沟实现雨污分流。',
      '## 统一配置电子秤和溯源屏',
      '县市场监督管理局为每个摊位配置了统一校准的电子秤，入口处设有**农产品检测公示屏**，每天公布抽检结果。',
      '市场管理方表示，开市首周对摊主减免一半管理费，欢迎市民前来选购。',
    ],
    source: MEDIA, author: '记者 周海燕', ago: 100, region: 'DX-01', views: 965, likes: 41,
  },
  {
    column: 'local', title: '县第一中学新教学楼投入使用', summary: '新教学楼共五层，可容纳36个教学班，配有录播教室和心理辅导室。',
    body: [
      '本学期起，东溪县第一中学新教学楼正式投入使用，高一年级全部搬入新楼上课。',
      '## 功能教室一应俱全',
      '新楼配有物理、化学、生物实验室各两间，录播教室一间，以及**心理辅导室**和图书阅览室。教室全部安装护眼灯和新风系统。',
      '学校负责人表示，新楼启用后，学校大班额问题得到有效缓解。',
    ],
    source: MEDIA, author: '记者 陈文博', ago: 190, views: 1203, likes: 58,
  },
  // ---- 民生 ----
  {
    column: 'livelihood', title: '城区部分小区本周六停水检修', summary: '因供水管网改造，本周六8:00至18:00东城、西城社区部分小区停水，请提前储水。',
    body: [
      '县供水公司通知：因滨河北路供水主管网接驳施工，本周六8:00至18:00，东城社区、西城社区部分小区将暂停供水。',
      '## 影响范围',
      '健康路、幸福路沿线小区及老街片区。如遇施工延误，恢复供水时间将顺延，请居民**提前做好储水准备**。',
      '停水期间如有疑问，可拨打县供水公司服务电话0000-5123456咨询。',
    ],
    source: '县供水公司', author: '通讯员 赵国华', ago: 20, region: 'DX-01', views: 2310, likes: 37,
  },
  {
    column: 'livelihood', title: '2027年度城乡居民医保开始缴费', summary: '个人缴费标准为每人每年400元，可通过微信、银行网点或村（社区）代收点缴纳。',
    body: [
      '2027年度城乡居民基本医疗保险集中缴费工作已经开始，缴费截止时间为12月31日。',
      '## 缴费方式',
      '参保群众可通过微信“医保缴费”、各银行网点，或到所在村（社区）代收点缴纳。**特困人员、低保对象**等困难群众的个人缴费部分由政府按规定资助。',
      '县医保中心提醒：请认准官方缴费渠道，谨防以“代缴医保”为名的诈骗。',
    ],
    source: '县医疗保障局', author: '通讯员 吴春梅', ago: 70, views: 3021, likes: 88,
  },
  {
    column: 'livelihood', title: '3路公交延伸至县人民医院', summary: '自下周一起，3路公交从南门社区经滨河北路延伸至县人民医院，票价不变。',
    body: [
      '根据市民建议，县城乡公交公司对3路公交线路进行调整，自下周一起延伸至县人民医院站。',
      '## 新增站点',
      '调整后新增南门社区、滨河北路、县人民医院三个站点，首末班时间为6:30和19:00，**票价仍为1元**，老年人凭老年卡免费乘坐。',
    ],
    source: MEDIA, author: '记者 林晓东', ago: 150, views: 1456, likes: 73,
  },
  // ---- 政务 (three review levels) ----
  {
    column: 'government', title: '县政务服务中心推出“午间不打烊”服务', summary: '即日起工作日12:00至14:00，不动产、社保、户籍等窗口提供延时服务。',
    body: [
      '为方便上班族办事，县政务服务中心即日起推出“午间不打烊”服务，工作日中午12:00至14:00开设综合受理窗口。',
      '## 可办理事项',
      '午间可办理不动产登记查询、社保参保登记、医保关系转移、居民身份证申领等**68项高频事项**。',
      '办事群众也可通过“东溪政务”小程序提前预约，到场后优先办理。',
    ],
    source: '县政务服务中心', author: '通讯员 孙志强', ago: 44, views: 1120, likes: 64,
  },
  {
    column: 'government', title: '东溪县召开冬季安全生产工作会议', summary: '会议部署燃气、消防、道路交通等领域冬季安全隐患排查整治。',
    body: [
      '11月24日，东溪县召开冬季安全生产工作会议，部署当前和今冬明春安全生产工作。',
      '## 重点整治燃气和消防隐患',
      '会议要求，各乡镇、各部门要重点排查**餐饮场所燃气使用**、老旧小区消防通道、农村自建房等领域的安全隐患，做到发现一处、整改一处。',
      '会议强调，要加强值班值守，遇有雨雪冰冻天气及时发布预警信息。',
    ],
    source: MEDIA, author: '记者 陈文博', ago: 80, views: 612, likes: 15,
  },
  {
    column: 'government', title: '东溪县公开征求2027年民生实事项目意见', summary: '即日起至12月10日，群众可通过小程序、电话或信件提出建议。',
    body: [
      '为办好群众最关心、最直接、最现实的利益问题，东溪县现面向社会公开征求2027年民生实事项目意见建议。',
      '## 征集范围',
      '涉及教育、医疗、养老、交通、供水供电、农村人居环境等方面。群众可通过县融小程序“诉求”页面提交建议，或拨打**12345热线**反映。',
      '征集结束后，县政府将对建议进行梳理，择优纳入2027年民生实事项目。',
    ],
    source: '县人民政府办公室', author: '通讯员 孙志强', ago: 210, views: 845, likes: 52,
  },
  // ---- 乡村振兴 ----
  {
    column: 'rural', title: '青石村高山蔬菜喜获丰收 订单销往省城', summary: '青石村200亩高山蔬菜基地今年亩产达4000斤，村集体增收30余万元。',
    body: [
      '初冬时节，青石乡青石村高山蔬菜基地里一片繁忙，村民们正在采收白菜和萝卜。',
      '## 订单农业让销路不愁',
      '今年，青石村与省城两家商超签订了供货协议，实行**“合作社+基地+农户”**模式，村民既能拿土地流转租金，又能在基地务工。',
      '村党支部书记说，明年计划再扩种100亩，并建设一座冷库。',
    ],
    source: MEDIA, author: '记者 周海燕', ago: 55, region: 'DX-02', views: 1388, likes: 102,
  },
  {
    column: 'rural', title: '杨柳村“四好农村路”通到家门口', summary: '杨柳村新修硬化路8.6公里，实现组组通、户户通。',
    body: [
      '近日，杨柳村最后一段通组路完成硬化，全村8.6公里村组道路全部实现水泥硬化。',
      '## 路通了，产业也活了',
      '“以前下雨天一脚泥，农产品运不出去。”村民说。如今货车能直接开到田边，村里的**柑橘和土鸡蛋**通过电商销往全国。',
    ],
    source: MEDIA, author: '记者 林晓东', ago: 125, region: 'DX-02', views: 704, likes: 45,
  },
  {
    column: 'rural', title: '桃源村开办农民夜校 手机变成“新农具”', summary: '每周三晚，农技员和电商讲师在村文化室授课，已培训村民300余人次。',
    body: [
      '每周三晚上，桃源村文化室总是坐满了人。村里开办的农民夜校，教大家种植技术，也教大家用手机直播卖货。',
      '## 学以致用',
      '村民老张学会了拍短视频，他家的**手工红薯粉**在网上卖出了2000多斤。夜校还开设了防范电信诈骗、医保缴费等实用课程。',
    ],
    source: MEDIA, author: '通讯员 吴春梅', ago: 230, region: 'DX-02', views: 530, likes: 38, noCover: true,
  },
  // ---- 文旅 ----
  {
    column: 'culture', title: '东溪古镇入选省级历史文化街区', summary: '老街片区保存明清民居47栋，将按“修旧如旧”原则保护修缮。',
    body: [
      '近日，省住房和城乡建设厅公布第三批省级历史文化街区名单，东溪县城关镇老街片区成功入选。',
      '## 修旧如旧 留住乡愁',
      '老街片区保存有明清时期民居47栋、古井3口和石板街巷1.2公里。县里将按照**“修旧如旧”**的原则，分批修缮古建筑，并完善消防和排水设施。',
      '修缮期间老街照常开放，部分路段将临时封闭施工，请游客留意现场提示。',
    ],
    source: MEDIA, author: '记者 陈文博', ago: 90, views: 2056, likes: 167,
  },
  {
    column: 'culture', title: '第五届东溪县农民丰收节文艺汇演精彩上演', summary: '来自各村（社区）的18支队伍带来了花灯、山歌、舞龙等节目。',
    body: [
      '第五届东溪县农民丰收节文艺汇演在县文化广场举行，数千名群众现场观看。',
      '## 乡土节目唱主角',
      '青石村的花灯、桃源村的山歌对唱、东城社区老年舞蹈队的广场舞赢得阵阵掌声。现场还设有**农产品展销区**，土蜂蜜、腊肉、红薯粉供不应求。',
    ],
    source: MEDIA, author: '记者 周海燕', ago: 170, views: 1671, likes: 121,
  },
  {
    column: 'culture', title: '县图书馆延长开放时间 周末开设亲子阅读课', summary: '县图书馆工作日开放至21:00，周六上午开设免费亲子阅读课。',
    body: [
      '为满足群众阅读需求，县图书馆自12月1日起延长开放时间，工作日开放至21:00。',
      '## 亲子阅读课免费报名',
      '每周六上午9:30，图书馆少儿阅览室开设亲子阅读课，每期限20组家庭，可在**县图书馆服务台或电话**报名。',
    ],
    source: '县文化和旅游局', author: '通讯员 赵国华', ago: 235, views: 488, likes: 33,
  },
  // ---- 应急 (emergency column: on top of every feed) ----
  {
    column: 'emergency', title: '寒潮来袭 东溪县启动防寒防冻应急响应', summary: '未来三天最低气温降至零下4℃，请做好防寒保暖，注意燃气和用电安全。',
    body: [
      '据县气象台预报，受强冷空气影响，未来三天我县将出现大风降温天气，最低气温降至零下4℃，高海拔山区有道路结冰。',
      '## 防寒防冻提示',
      '请市民**关好门窗，注意保暖**；使用燃气热水器和取暖器时保持通风，严防一氧化碳中毒；车辆出行注意防滑，山区道路减速慢行。',
      '县应急管理局已启动防寒防冻四级应急响应，各乡镇对独居老人、困难群众逐户走访。',
    ],
    source: '县应急管理局', author: '通讯员 孙志强', ago: 6, views: 4120, likes: 210,
  },
  {
    column: 'emergency', title: '县消防救援大队开展冬季消防安全检查', summary: '重点检查人员密集场所和“九小场所”，排查整改隐患63处。',
    body: [
      '进入冬季，县消防救援大队对全县商场、学校、养老院及“九小场所”开展消防安全检查。',
      '## 检查发现的主要问题',
      '检查中发现**电动车楼道充电**、疏散通道堆放杂物、灭火器过期等隐患63处，已全部督促整改。',
      '消防部门提醒：电动车请到集中充电点充电，切勿“飞线”充电。',
    ],
    source: '县消防救援大队', author: '通讯员 赵国华', ago: 120, views: 860, likes: 44,
  },
  {
    column: 'emergency', title: '东溪县开展山洪地质灾害应急演练', summary: '青石乡组织村民演练转移避险，200余名群众参加。',
    body: [
      '青石乡在青石村开展山洪地质灾害应急演练，模拟强降雨引发山体滑坡后的预警、转移和救援。',
      '## 听到锣声就转移',
      '演练中，网格员敲锣示警，村民按照**“户不漏人、村不漏户”**的要求沿指定路线转移至安置点。',
    ],
    source: '县应急管理局', author: '通讯员 吴春梅', ago: 220, region: 'DX-02', views: 377, likes: 19,
  },
  // ---- not (yet) published ----
  {
    column: 'local', title: '城关镇启动老旧小区加装电梯试点', summary: '首批试点选在东城社区和南门社区，居民同意比例达到要求即可申请补贴。',
    body: [
      '城关镇近日启动老旧小区加装电梯试点工作，首批选在东城社区和南门社区。',
      '## 补贴标准',
      '每部电梯可申请**财政补贴15万元**，其余费用由业主按楼层分摊。',
    ],
    source: MEDIA, author: '记者 林晓东', ago: 3, state: 'review', region: 'DX-01',
  },
  {
    column: 'livelihood', title: '冬季供暖常见问题解答（草稿）', summary: '暖气不热怎么办？报修电话是多少？',
    body: ['暖气不热时，请先检查阀门是否全部打开，再排气。', '## 报修方式', '仍不热的，请在小程序“诉求”页面反映。'],
    source: MEDIA, author: '记者 周海燕', ago: 26, state: 'draft', noCover: true,
  },
  {
    column: 'culture', title: '东溪古镇灯会将于元旦开幕', summary: '灯会持续至正月十五，设置花灯展、非遗市集和民俗表演。',
    body: [
      '东溪古镇首届新春灯会将于元旦开幕，持续至正月十五。',
      '## 活动安排',
      '灯会设置**花灯展、非遗市集和民俗表演**三大板块，每晚18:00至22:00开放，免费参观。',
    ],
    source: MEDIA, author: '记者 陈文博', ago: 8, state: 'scheduled',
  },
];

export interface DemoNotice {
  title: string;
  body: string;
  level: 'normal' | 'important' | 'emergency';
  /** Township or community code; county-wide when absent. */
  region?: string;
  ago: number;
}

export const demoNotices: DemoNotice[] = [
  {
    title: '寒潮蓝色预警：请做好防寒防冻',
    body: '县气象台发布寒潮蓝色预警：未来48小时我县气温将下降8至10℃，最低气温零下4℃，山区道路有结冰。请关好门窗、注意保暖；使用燃气取暖注意通风，严防一氧化碳中毒；老人和儿童减少外出；车辆出行注意防滑。如遇险情请拨打110、119或县应急值班电话0000-5120110。',
    level: 'emergency', ago: 5,
  },
  {
    title: '城关镇部分区域本周六停水通知',
    body: '因滨河北路供水主管网接驳施工，本周六8:00至18:00，城关镇东城社区、西城社区健康路、幸福路沿线及老街片区暂停供水，请提前储水。咨询电话：0000-5123456。',
    level: 'important', region: 'DX-01', ago: 22,
  },
  {
    title: '2027年度城乡居民医保缴费提醒',
    body: '2027年度城乡居民医保个人缴费标准为每人每年400元，缴费截止12月31日。可通过微信“医保缴费”、银行网点或村（社区）代收点缴纳。请勿相信“代缴医保”等陌生来电。',
    level: 'normal', ago: 72,
  },
  {
    title: '县政务服务中心工作日午间延时服务',
    body: '即日起，县政务服务中心工作日12:00至14:00开设综合受理窗口，可办理不动产登记查询、社保参保、医保关系转移、身份证申领等高频事项。地址：县城迎宾大道66号。',
    level: 'normal', ago: 46,
  },
];

export interface DemoComment {
  /** Index into demoArticles. */
  article: number;
  /** Demo resident number (demo-resident-NN). */
  resident: number;
  text: string;
  ago: number;
  held?: string[];
  /** Residents who reported it (three hide it). */
  reportedBy?: number[];
}

export const demoComments: DemoComment[] = [
  { article: 0, resident: 1, text: '这条路通了太方便了，去医院再也不用绕老街了！', ago: 28 },
  { article: 0, resident: 7, text: '晚上路灯很亮，散步也安全，点赞。', ago: 26 },
  { article: 0, resident: 13, text: '希望滨河南路也早点修好。', ago: 20 },
  { article: 0, resident: 2, text: '路口红绿灯的时间有点短，老人过马路有点赶。', ago: 12 },
  { article: 15, resident: 4, text: '收到，已经给家里老人说了，谢谢提醒。', ago: 5 },
  { article: 15, resident: 10, text: '山上的路结冰了，跑车的师傅们注意安全。', ago: 4 },
  { article: 15, resident: 16, text: '网格员昨天来家里看过了，很暖心。', ago: 3 },
  { article: 15, resident: 5, text: '专业代开发票，加微信详聊', ago: 2, held: ['代开发票'] },
  { article: 0, resident: 8, text: '修路修了半年，早干嘛去了，全是作秀！', ago: 18, reportedBy: [1, 7, 13] },
];

export interface DemoService {
  name: string;
  group: string;
  phone: string;
  hours: string;
  address: string;
  keywords: string[];
  note?: string;
}

export const demoServices: DemoService[] = [
  { name: '县政务服务中心', group: '政务服务', phone: '0000-5121000', hours: '工作日 9:00-17:00（午间不打烊）', address: '县城迎宾大道66号', keywords: ['办证', '营业执照', '政务', '办事'], note: '工作日12:00-14:00开设综合窗口' },
  { name: '12345市民热线', group: '便民热线', phone: '12345', hours: '24小时', address: '', keywords: ['投诉', '举报', '咨询', '热线'] },
  { name: '县供水公司', group: '公共事业', phone: '0000-5123456', hours: '抢修24小时；营业厅 8:30-17:30', address: '县城滨河北路18号', keywords: ['停水', '水费', '水质', '水管', '漏水'] },
  { name: '城关供电所', group: '公共事业', phone: '0000-5125566', hours: '抢修24小时；营业厅 8:30-17:30', address: '城关镇健康路9号', keywords: ['停电', '电费', '电表', '跳闸'] },
  { name: '东溪燃气公司', group: '公共事业', phone: '0000-5127788', hours: '抢修24小时；营业厅 8:30-17:30', address: '县城工业路3号', keywords: ['燃气', '煤气', '天然气', '漏气', '燃气费'] },
  { name: '县人民医院', group: '医疗', phone: '0000-5120120', hours: '门诊 8:00-17:30；急诊24小时', address: '县城健康路1号', keywords: ['看病', '挂号', '急诊', '医院', '体检'] },
  { name: '县医保中心', group: '社会保障', phone: '0000-5128800', hours: '工作日 9:00-17:00', address: '县政务服务中心二楼', keywords: ['医保', '报销', '医保卡', '异地就医'] },
  { name: '县社保中心', group: '社会保障', phone: '0000-5128801', hours: '工作日 9:00-17:00', address: '县政务服务中心二楼', keywords: ['社保', '养老保险', '退休', '失业'] },
  { name: '县不动产登记中心', group: '政务服务', phone: '0000-5121168', hours: '工作日 9:00-17:00', address: '县政务服务中心三楼', keywords: ['房产证', '不动产', '过户', '产权'] },
  { name: '县公安局户籍室', group: '政务服务', phone: '0000-5121110', hours: '工作日 9:00-17:00', address: '县政务服务中心一楼', keywords: ['户口', '身份证', '落户', '迁户'] },
  { name: '城乡公交公司', group: '交通出行', phone: '0000-5126677', hours: '6:30-19:00', address: '县城汽车站', keywords: ['公交', '班车', '老年卡', '失物'] },
  { name: '县融媒体中心', group: '便民热线', phone: '0000-5129900', hours: '工作日 9:00-17:30', address: '县城文化路12号', keywords: ['新闻', '爆料', '广告', '融媒'] },
];
