/**
 * The demo county's appeals: about forty stories, in every state, from every channel, over the
 * twenty days before the seed runs. Each story lists its moves (hours after submission); the
 * builder plays them with the same field changes the moves make (appeals/moves.ts) and adds the
 * 督办 events the deadline scheduler would have written, so every appeal is one the server could
 * have produced: deadlines from its category, a timeline in order, `dueAt` and `overdue` as the
 * scheduler leaves them (an open appeal past its deadline is already flagged, a replied one is
 * still inside its rating window), so the first scheduler run after the seed changes nothing and
 * sends no notification for history.
 */
import { Types } from 'mongoose';
import type { Models } from '../models';
import { chinaDay } from '../../common/china-time';
import type { CategoryDoc } from '../categories/model';
import type { DepartmentDoc } from '../departments/model';
import type { RegionDoc } from '../regions/model';
import type { RoomDoc } from '../bindings/model';
import type { UserDoc } from '../users/model';
import { identityKey } from '../users/model';
import type { Role } from '../../common/roles';
import type { AppealDoc, TimelineEvent } from '../appeals/model';
import type { Actor } from '../appeals/events';
import { SYSTEM } from '../appeals/events';
import { deadlinesFrom, dueAtFor, RATING_WINDOW_MS, resolveAgainFrom } from '../appeals/deadlines';
import { BOT_ACCOUNT_ID } from '../appeals/bot-routes';
import { OPEN_STATES, type AppealKind, type AppealState, type EventAction } from '../appeals/state-machine';
import type { SATISFACTION } from '../appeals/schemas';
import { demoCounty } from '../../common/demo-county';

type Satisfaction = (typeof SATISFACTION)[number];
/** A move or event, `h` hours after submission. */
type Step =
  | { do: 'accept'; h: number; category?: string; note?: string }
  | { do: 'assign'; h: number; department: string }
  | { do: 'review'; h: number; note?: string }
  | { do: 'start'; h: number; note?: string }
  | { do: 'reply'; h: number; answer: string }
  | { do: 'rate'; h: number; resolved: boolean; satisfaction: Satisfaction; comment?: string }
  /** The scheduler's close, a minute after the rating window ends. */
  | { do: 'close' }
  | { do: 'reject'; h: number; reason: string }
  | { do: 'merge'; h: number; into: string }
  | { do: 'return'; h: number; reason: string }
  | { do: 'transfer'; h: number; department: string; reason: string }
  | { do: 'reopen'; h: number; reason: string }
  | { do: 'remind'; h: number; note?: string }
  | { do: 'follow'; h: number; resident: number };

interface Story {
  /** Referred to by a merge. */
  key?: string;
  /** Hours before the seed's `now` it was filed. */
  ago: number;
  /** Community or grid code (a grid for a grid worker's 代报). */
  region: string;
  /** Category code; a category with a default unit is dispatched at once (直派), as filing does. */
  category: string | null;
  kind: AppealKind;
  channel: 'miniprogram' | 'group_chat' | 'grid_worker' | 'hotline';
  /** The demo resident (demo-resident-NN) it is for. */
  resident: number;
  text: string;
  place?: string;
  steps: Step[];
}

const STORIES: Story[] = [
  // ---- closed, rated ----
  {
    ago: 460, region: 'DX-01-01', category: 'street-lights', kind: 'help', channel: 'miniprogram', resident: 1, place: '健康路32号至40号',
    text: '东城社区健康路32号到40号之间的五盏路灯连续一周晚上不亮，老人晚上出门散步看不清路，希望尽快修复。',
    steps: [
      { do: 'review', h: 1.5, note: '派单正确' },
      { do: 'start', h: 5, note: '已联系反映人，安排电工现场查看' },
      { do: 'reply', h: 26, answer: '经现场检查，系线路老化短路，已更换电缆并修复5盏路灯，目前照明正常。' },
      { do: 'rate', h: 40, resolved: true, satisfaction: 'satisfied', comment: '修得很快，谢谢！' },
    ],
  },
  {
    ago: 430, region: 'DX-02-01', category: 'water-supply', kind: 'help', channel: 'miniprogram', resident: 4, place: '青石村三组',
    text: '青石村三组从昨天下午开始停水，到现在还没来水，家里有老人小孩，做饭洗漱都成问题。',
    steps: [
      { do: 'start', h: 1, note: '抢修队已出发' },
      { do: 'reply', h: 9, answer: '三组供水主管道爆裂，抢修已完成，现已恢复供水。给您带来不便，深表歉意。' },
      { do: 'rate', h: 12, resolved: true, satisfaction: 'satisfied', comment: '抢修及时' },
    ],
  },
  {
    ago: 400, region: 'DX-01-03', category: 'food-safety', kind: 'complaint', channel: 'miniprogram', resident: 3, place: '南门菜市场东侧',
    text: '南门菜市场东侧一家熟食店卫生条件差，案板上有苍蝇，售卖的卤菜没有防尘罩，也没有公示健康证。',
    steps: [
      { do: 'review', h: 2 },
      { do: 'start', h: 20, note: '已安排执法人员现场检查' },
      { do: 'reply', h: 70, answer: '执法人员已现场检查，责令该店限期整改，补办从业人员健康证并配备防蝇防尘设施，复查已整改到位。' },
      { do: 'rate', h: 80, resolved: true, satisfaction: 'basically', comment: '整改了，希望以后常去检查。' },
    ],
  },
  {
    ago: 380, region: 'DX-02-02', category: 'road-damage', kind: 'help', channel: 'miniprogram', resident: 5, place: '杨柳村村口',
    text: '杨柳村村口到县道的水泥路有一段塌陷，坑有半米深，晚上骑电动车很危险，已经有人摔倒。',
    steps: [
      { do: 'start', h: 10 },
      { do: 'reply', h: 100, answer: '已对塌陷路段设置警示标志并完成修补，路面已恢复通行。' },
      { do: 'rate', h: 110, resolved: false, satisfaction: 'unsatisfied', comment: '补的地方没几天又裂了。' },
    ],
  },
  {
    ago: 350, region: 'DX-01-02', category: 'noise', kind: 'complaint', channel: 'miniprogram', resident: 2, place: '幸福路',
    text: '西城社区幸福路一家KTV每天营业到凌晨两三点，声音很大，严重影响周边居民休息。',
    steps: [
      { do: 'start', h: 30, note: '将安排夜间执法检查' },
      { do: 'reply', h: 90, answer: '经夜间执法检查，噪声超标属实，已责令该KTV加装隔音设施并于23点后降低音量，将持续巡查。' },
      { do: 'rate', h: 150, resolved: false, satisfaction: 'unsatisfied', comment: '还是很吵，问题没有解决。' },
    ],
  },
  {
    ago: 330, region: 'DX-02-03', category: null, kind: 'help', channel: 'group_chat', resident: 6,
    text: '村里垃圾站三四天没人来清运了，垃圾堆到路边，天热有味道。',
    steps: [
      { do: 'accept', h: 0.8, category: 'sanitation' },
      { do: 'assign', h: 1, department: 'urban' },
      { do: 'start', h: 6 },
      { do: 'reply', h: 20, answer: '已安排清运车辆完成清运，并将桃源村垃圾清运频次调整为每两天一次。' },
      { do: 'rate', h: 30, resolved: true, satisfaction: 'satisfied', comment: '现在干净多了' },
    ],
  },
  {
    ago: 240, region: 'DX-02-02', category: 'social-security', kind: 'consultation', channel: 'miniprogram', resident: 11,
    text: '想咨询一下灵活就业人员怎么在网上缴纳城镇职工养老保险，需要准备哪些材料？',
    steps: [
      { do: 'start', h: 2 },
      { do: 'reply', h: 5, answer: '灵活就业人员可通过国家社会保险公共服务平台或县人社局窗口办理参保登记，需携带身份证和户口簿，缴费基数可在规定档次中自选。详情可拨打0000-5100008咨询。' },
      { do: 'rate', h: 8, resolved: true, satisfaction: 'satisfied', comment: '讲得很清楚' },
    ],
  },
  {
    ago: 260, region: 'DX-01-03', category: 'bus-service', kind: 'suggestion', channel: 'miniprogram', resident: 9,
    text: '建议增开从南门社区到县人民医院的公交线路，目前需要转两次车，老人看病很不方便。',
    steps: [
      { do: 'review', h: 3, note: '建议类，派交通运输局研究' },
      { do: 'start', h: 20 },
      { do: 'reply', h: 120, answer: '已将您的建议纳入明年公交线网优化方案，近期先将3路公交延伸至县人民医院站。' },
      { do: 'rate', h: 130, resolved: true, satisfaction: 'basically', comment: '希望尽快落实' },
    ],
  },
  {
    ago: 220, region: 'DX-01-01', category: null, kind: 'help', channel: 'group_chat', resident: 7, place: '东城社区北门',
    text: '小区门口的下水道井盖丢了，已经放了个纸箱子挡着，怕有小孩掉下去。',
    steps: [
      { do: 'accept', h: 0.5, category: 'road-damage' },
      { do: 'assign', h: 0.7, department: 'transport' },
      { do: 'start', h: 1.5 },
      { do: 'reply', h: 4, answer: '已补装井盖，感谢您的及时反映。' },
      { do: 'rate', h: 6, resolved: true, satisfaction: 'satisfied', comment: '效率很高' },
    ],
  },
  {
    ago: 200, region: 'DX-01-02', category: 'wage-arrears', kind: 'complaint', channel: 'miniprogram', resident: 14,
    text: '我在城西一个建筑工地干了四个月，老板拖欠工资两万多元，一直推脱不给。',
    steps: [
      { do: 'start', h: 12, note: '已约谈施工企业负责人' },
      { do: 'reply', h: 150, answer: '经劳动保障监察大队调查，已督促施工企业支付拖欠工资，款项已于本周发放到位。' },
      { do: 'rate', h: 160, resolved: true, satisfaction: 'satisfied', comment: '钱拿到了，感谢政府' },
    ],
  },
  {
    ago: 170, region: 'DX-01-01', category: 'heating', kind: 'complaint', channel: 'miniprogram', resident: 19, place: '阳光小区3栋',
    text: '东城社区阳光小区3栋暖气不热，室温只有十二三度，家里老人受不了。',
    steps: [
      { do: 'start', h: 3 },
      { do: 'reply', h: 20, answer: '热力公司已对3栋管道排气并调节阀门，经回访室温已达到18度以上。' },
      { do: 'rate', h: 30, resolved: true, satisfaction: 'basically', comment: '比之前好一些' },
    ],
  },
  // ---- closed by the scheduler: no rating within 7 days of the answer ----
  {
    ago: 300, region: 'DX-01-01', category: 'prices', kind: 'complaint', channel: 'hotline', resident: 13,
    text: '来电反映在东城社区某超市购买的食用油，结账价格比标价高出5元，与店家协商无果。',
    steps: [
      { do: 'start', h: 4 },
      { do: 'reply', h: 30, answer: '经核查该超市存在价签未及时更新问题，已责令退还差价并整改，并对其予以警告。' },
      { do: 'close' },
    ],
  },
  {
    ago: 280, region: 'DX-02-01-02', category: 'housing-safety', kind: 'report', channel: 'grid_worker', resident: 10,
    text: '网格巡查发现青石村二组一户村民的老房子后墙开裂严重，墙体倾斜，屋内仍住着一位独居老人，存在安全隐患。',
    steps: [
      { do: 'review', h: 3, note: '情况紧急，请住建局优先处理' },
      { do: 'start', h: 8 },
      { do: 'reply', h: 60, answer: '已组织房屋安全鉴定，鉴定为C级危房，已协助老人临时搬至亲属家居住，并纳入危房改造计划。' },
      { do: 'close' },
    ],
  },
  // ---- rejected ----
  {
    ago: 320, region: 'DX-01-02', category: 'other', kind: 'consultation', channel: 'miniprogram', resident: 20,
    text: '请问县里今年的中考录取分数线什么时候公布？',
    steps: [{ do: 'reject', h: 1, reason: '该问题属于教育考试信息咨询，请关注县教育局官网或拨打教育局咨询电话。' }],
  },
  {
    ago: 120, region: 'DX-02-01', category: null, kind: 'help', channel: 'group_chat', resident: 22,
    text: '大家帮忙转发一下，我家的狗走丢了，黄色的土狗，脖子上有红绳。',
    steps: [{ do: 'reject', h: 0.6, reason: '寻物启事不属于诉求受理范围，已建议在群内发布。' }],
  },
  {
    ago: 30, region: 'DX-01-03', category: 'other', kind: 'complaint', channel: 'hotline', resident: 21,
    text: '来电反映楼上邻居装修时间太早，早上七点就开始用电钻。',
    steps: [{ do: 'reject', h: 1, reason: '属于邻里纠纷，已建议由南门社区人民调解委员会调解处理。' }],
  },
  // ---- merged into another ----
  {
    key: 'plaza-lights', ago: 100, region: 'DX-01-01', category: 'street-lights', kind: 'help', channel: 'miniprogram', resident: 25, place: '文化广场',
    text: '东城社区文化广场旁边的路灯一到晚上就闪，有时候全灭。',
    steps: [
      { do: 'start', h: 10 },
      { do: 'reply', h: 30, answer: '已更换故障灯具和镇流器，文化广场路灯恢复正常。' },
    ],
  },
  {
    ago: 99, region: 'DX-01-01', category: null, kind: 'help', channel: 'group_chat', resident: 1,
    text: '文化广场的路灯坏了，晚上跳广场舞黑乎乎的。',
    steps: [
      { do: 'accept', h: 0.5, category: 'street-lights' },
      { do: 'merge', h: 0.8, into: 'plaza-lights' },
    ],
  },
  {
    key: 'market-rubbish', ago: 60, region: 'DX-01-03', category: 'sanitation', kind: 'complaint', channel: 'miniprogram', resident: 15, place: '南门农贸市场',
    text: '南门社区农贸市场后面的垃圾桶满了没人清理，污水流了一地。',
    steps: [
      { do: 'review', h: 1 },
      { do: 'start', h: 4, note: '已通知环卫所清运' },
    ],
  },
  {
    ago: 58, region: 'DX-01-03', category: null, kind: 'complaint', channel: 'hotline', resident: 27,
    text: '来电反映南门农贸市场后面垃圾堆积，气味很大。',
    steps: [{ do: 'merge', h: 0.5, into: 'market-rubbish' }],
  },
  // ---- replied, waiting for the rating ----
  {
    ago: 150, region: 'DX-02-03', category: 'power-supply', kind: 'help', channel: 'hotline', resident: 18, place: '桃源村五组',
    text: '来电反映桃源村五组变压器附近电线下垂，离地面很低，担心有触电危险。',
    steps: [
      { do: 'start', h: 1 },
      { do: 'reply', h: 6, answer: '供电公司已到场处理，对下垂线路重新架设紧固，隐患已消除。' },
    ],
  },
  {
    ago: 80, region: 'DX-02-01', category: 'road-damage', kind: 'suggestion', channel: 'miniprogram', resident: 28, place: '青石小学门口',
    text: '建议在青石小学门口的路段增设减速带和人行横道，上下学时车速太快。',
    steps: [
      { do: 'review', h: 2 },
      { do: 'start', h: 20 },
      { do: 'reply', h: 70, answer: '已在青石小学门口路段施划人行横道并安装两处减速带，同时增设了学校区域警示标志。' },
    ],
  },
  {
    ago: 50, region: 'DX-01-03', category: null, kind: 'complaint', channel: 'group_chat', resident: 9, place: '南门社区3号楼',
    text: '南门社区3号楼楼道灯坏了一个多月了，物业一直不修。',
    steps: [
      { do: 'accept', h: 0.7, category: 'housing-safety' },
      { do: 'assign', h: 1, department: 'housing' },
      { do: 'start', h: 6 },
      { do: 'reply', h: 30, answer: '已协调物业公司更换楼道灯，并要求其建立公共设施报修台账。' },
    ],
  },
  {
    ago: 36, region: 'DX-01-02-01', category: 'sanitation', kind: 'report', channel: 'grid_worker', resident: 26, place: '建设路与人民路交叉口',
    text: '网格巡查发现西城社区建设路与人民路交叉口有大量建筑垃圾乱倒，占用人行道。',
    steps: [
      { do: 'start', h: 3 },
      { do: 'reply', h: 20, answer: '已清运建筑垃圾约6车，并对乱倒行为立案调查。' },
    ],
  },
  // ---- in progress ----
  {
    ago: 190, region: 'DX-02-01', category: 'pollution', kind: 'report', channel: 'miniprogram', resident: 16, place: '青石村北养殖场',
    text: '青石村北边的养殖场直接把污水排进河沟，河水发黑发臭。',
    steps: [
      { do: 'review', h: 1 },
      { do: 'start', h: 20 },
      { do: 'reply', h: 100, answer: '经监测，该养殖场存在污水直排问题，已立案查处，责令停止排放并建设污水处理设施。' },
      { do: 'rate', h: 120, resolved: false, satisfaction: 'unsatisfied', comment: '还在偷偷排，晚上最明显。' },
      { do: 'reopen', h: 121, reason: '晚上仍有偷排，请夜间检查' },
    ],
  },
  {
    ago: 40, region: 'DX-01-01', category: 'water-supply', kind: 'complaint', channel: 'miniprogram', resident: 13,
    text: '东城社区自来水有黄色沉淀，烧开后水壶里有很多水垢，担心水质有问题。',
    steps: [
      { do: 'start', h: 5, note: '已取水样送检' },
      { do: 'follow', h: 10, resident: 7 },
      { do: 'remind', h: 30, note: '水还是黄的，请尽快处理' },
    ],
  },
  {
    ago: 200, region: 'DX-02-02-01', category: 'road-damage', kind: 'help', channel: 'grid_worker', resident: 17, place: '杨柳村小河桥',
    text: '杨柳村通往镇上的小河桥栏杆断了一截，桥下是河，学生每天经过很危险。',
    steps: [
      { do: 'review', h: 4 },
      { do: 'start', h: 20, note: '已设置临时围挡' },
    ],
  },
  {
    ago: 20, region: 'DX-02-03', category: 'pollution', kind: 'report', channel: 'miniprogram', resident: 24, place: '桃源村后山',
    text: '桃源村后山有人夜里焚烧废旧轮胎，浓烟很呛，窗户都不敢开。',
    steps: [
      { do: 'transfer', h: 2, department: 'urban', reason: '露天焚烧由城管执法部门查处' },
      { do: 'start', h: 5 },
    ],
  },
  {
    ago: 10, region: 'DX-01-02', category: 'street-vending', kind: 'complaint', channel: 'miniprogram', resident: 8, place: '人民路小学门口',
    text: '西城社区人民路小学门口放学时段有很多流动摊贩占道经营，车辆和学生混在一起。',
    steps: [{ do: 'start', h: 3 }],
  },
  // ---- assigned ----
  {
    ago: 6, region: 'DX-01-03', category: 'noise', kind: 'complaint', channel: 'miniprogram', resident: 15,
    text: '南门社区旁边的建筑工地夜间施工，晚上十一点还在打桩。',
    steps: [],
  },
  {
    ago: 12, region: 'DX-02-01-01', category: 'power-supply', kind: 'help', channel: 'grid_worker', resident: 4,
    text: '青石村一组有三户村民家中电压不稳，电器经常自动关机。',
    steps: [{ do: 'review', h: 1 }],
  },
  {
    ago: 52, region: 'DX-01-01', category: 'bus-service', kind: 'complaint', channel: 'hotline', resident: 19,
    text: '来电投诉县城5路公交车经常不按时刻表发车，有时候一等就是四十分钟。',
    steps: [],
  },
  // ---- accepted ----
  {
    ago: 20, region: 'DX-02-03', category: null, kind: 'help', channel: 'group_chat', resident: 12, place: '桃源村小广场',
    text: '桃源村小广场的健身器材坏了好几件，螺丝松动，孩子玩很危险。',
    steps: [
      { do: 'accept', h: 1.5, category: 'other' },
      { do: 'assign', h: 1.9, department: 'urban' },
      { do: 'return', h: 4, reason: '健身器材属于村委会管理的公共设施，不属于我局职责范围' },
    ],
  },
  {
    ago: 1.5, region: 'DX-01-01', category: null, kind: 'help', channel: 'group_chat', resident: 19, place: '健康路',
    text: '东城社区健康路有一棵大树被风刮断了，横在路中间，车过不去。',
    steps: [{ do: 'accept', h: 0.3, note: '已通知社区先行设置警示' }],
  },
  // ---- submitted ----
  {
    ago: 0.6, region: 'DX-02-02', category: 'other', kind: 'consultation', channel: 'miniprogram', resident: 23,
    text: '请问村里的适龄儿童接种疫苗在哪里预约？',
    steps: [],
  },
  {
    ago: 1.2, region: 'DX-02-01', category: null, kind: 'help', channel: 'group_chat', resident: 10,
    text: '青石村卫生室门口的路灯不亮，晚上看病找不到路。',
    steps: [],
  },
  {
    ago: 26, region: 'DX-01-02', category: 'other', kind: 'consultation', channel: 'hotline', resident: 2,
    text: '来电咨询西城社区老旧小区加装电梯的政策怎么申请，想了解补贴标准。',
    steps: [],
  },
  {
    ago: 5, region: 'DX-01-01-02', category: null, kind: 'praise', channel: 'miniprogram', resident: 25,
    text: '表扬东城社区第二网格的网格员，上周帮我们楼里的独居老人联系了维修师傅，还每天上门看望。',
    steps: [],
  },
];

const HOUR = 3600 * 1000;
const MINUTE = 60 * 1000;
const SCAN = MINUTE; // the deadline scheduler's default interval
const OVERDUE_NOTES: Partial<Record<AppealState, string>> = {
  submitted: '超过受理时限，请尽快受理',
  accepted: '超过派单时限，请尽快派单',
  in_progress: '超过办结时限，请尽快办结',
};

/** Deterministic ids that still sort by time (lists page by `_id`): the time, a seed mark, a serial. */
const seedId = (at: Date, tag: string, serial: number) =>
  new Types.ObjectId(Types.ObjectId.createFromTime(Math.floor(at.getTime() / 1000)).toHexString().slice(0, 8) + '5eed' + tag + serial.toString(16).padStart(10, '0'));

interface People {
  resident(n: number): UserDoc & { contactId: string };
  user(username: string): UserDoc;
  gridWorker(grid: RegionDoc): UserDoc;
  departmentStaff(departmentId: Types.ObjectId): UserDoc;
}

async function lookups(models: Models) {
  const [regions, categories, departments, rooms, staff] = await Promise.all([
    models.Region.find().lean<RegionDoc[]>(),
    models.Category.find().lean<CategoryDoc[]>(),
    models.Department.find().lean<DepartmentDoc[]>(),
    models.Room.find().lean<RoomDoc[]>(),
    models.User.find({ username: { $ne: null } }).lean<UserDoc[]>(),
  ]);
  const openids = demoCounty.people.filter((p) => p.openid);
  const identities = await models.Identity.find({ key: { $in: openids.map((p) => identityKey.wechat(p.openid!)) } }).lean<{ key: string; userId: Types.ObjectId }[]>();
  const residentUsers = await models.User.find({ _id: { $in: identities.map((i) => i.userId) } }).lean<UserDoc[]>();
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`demo appeals name unknown ${what}`);
    return v;
  };
  const people: People = {
    resident(n) {
      const openid = `demo-resident-${String(n).padStart(2, '0')}`;
      const p = need(openids.find((x) => x.openid === openid), openid);
      const id = need(identities.find((i) => i.key === identityKey.wechat(openid)), openid).userId;
      return { ...need(residentUsers.find((u) => u._id.equals(id)), openid), contactId: p.contactId! };
    },
    user: (username) => need(staff.find((u) => u.username === username), `user ${username}`),
    gridWorker: (grid) => need(staff.find((u) => u.roles.includes('grid_worker') && u.regionIds.some((r) => r.equals(grid._id))), `grid worker of ${grid.code}`),
    departmentStaff: (id) => need(staff.find((u) => u.roles.includes('department_staff') && u.departmentId?.equals(id)), `staff of department ${id}`),
  };
  return {
    region: (code: string) => need(regions.find((r) => r.code === code), `region ${code}`),
    regionById: (id: Types.ObjectId) => need(regions.find((r) => r._id.equals(id)), `region ${id}`),
    category: (code: string) => need(categories.find((c) => c.code === code), `category ${code}`),
    categoryById: (id: Types.ObjectId) => need(categories.find((c) => c._id.equals(id)), `category ${id}`),
    department: (code: string) => need(departments.find((d) => d.code === code), `department ${code}`),
    departmentById: (id: Types.ObjectId) => need(departments.find((d) => d._id.equals(id)), `department ${id}`),
    room: (communityId: Types.ObjectId) => need(rooms.find((r) => r.regionId.equals(communityId)), `bound group chat of region ${communityId}`),
    people,
  };
}
type Lookups = Awaited<ReturnType<typeof lookups>>;

const as = (u: UserDoc, role: Role): Actor => ({ id: u._id, name: u.name, role });

/**
 * Ticket numbers for the seeded appeals, reserved the way filing reserves them: `$inc` on each
 * day's counter by that day's count, so the counter is past every seeded number (a new appeal
 * cannot collide) and numbers taken by appeals filed before this section ran are skipped.
 */
async function reserveNumbers(models: Models, days: string[]): Promise<string[]> {
  const perDay = new Map<string, number>();
  for (const d of days) perDay.set(d, (perDay.get(d) ?? 0) + 1);
  const next = new Map<string, number>();
  for (const [day, n] of perDay) {
    const c = await models.Counter.findOneAndUpdate({ _id: `appeal:${day}` }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after' }).lean();
    next.set(day, c!.seq - n + 1);
  }
  return days.map((day) => {
    const seq = next.get(day)!;
    next.set(day, seq + 1);
    return `${demoCounty.prefix}-${day}-${String(seq).padStart(4, '0')}`;
  });
}

/** The documents of the demo appeals, newest last, for `now`. Reserves their ticket numbers. */
export async function buildDemoAppeals(models: Models, now: Date): Promise<AppealDoc[]> {
  const look = await lookups(models);
  // Filing order: numbers follow submission time within a day, as filing hands them out.
  const order = STORIES.map((s, i) => ({ s, i, at: new Date(now.getTime() - Math.round(s.ago * HOUR)) })).sort((a, b) => a.at.getTime() - b.at.getTime());
  const numbers = await reserveNumbers(models, order.map((o) => chinaDay(o.at)));
  const filed = order.map((o, k) => file(look, o.s, o.i + 1, o.at, numbers[k]));
  const byKey = new Map(order.map((o, k) => [o.s.key, filed[k]] as const).filter(([key]) => key));
  for (const [k, o] of order.entries()) play(look, o.s, filed[k], byKey, now);
  for (const doc of filed) finish(doc, now);
  return filed.map((f) => f.doc);
}

interface Playing {
  doc: AppealDoc;
  serial: number;
  dispatcher: UserDoc;
}

/** The appeal as filing makes it (appeals/create.ts), with the direct dispatch when the category has a unit. */
function file(look: Lookups, s: Story, serial: number, submittedAt: Date, number: string): Playing {
  const region = look.region(s.region);
  const category = s.category ? look.category(s.category) : null;
  const unit = category?.defaultDepartmentId ? look.departmentById(category.defaultDepartmentId) : null;
  const resident = look.people.resident(s.resident);
  const community = region.level === 'grid' ? look.regionById(region.parentId!) : region;
  // 城关镇 has a dispatcher of its own; the county's handles 青石乡 and the hotline.
  const dispatcher = look.people.user(s.region.startsWith('DX-01') && s.channel !== 'hotline' ? 'chengguan' : 'dispatcher');

  let submitter: Actor;
  let submittedById: Types.ObjectId;
  let reporterId: Types.ObjectId | null = null;
  let room: RoomDoc | null = null;
  switch (s.channel) {
    case 'miniprogram':
      submitter = as(resident, 'resident');
      submittedById = resident._id;
      reporterId = resident._id;
      break;
    case 'group_chat':
      if (category) throw new Error('demo appeals: a group chat appeal comes without a category');
      room = look.room(community._id);
      submitter = { id: null, name: `${resident.name}（${room.topic}）`, role: 'bot' };
      submittedById = BOT_ACCOUNT_ID;
      reporterId = resident._id;
      break;
    case 'grid_worker': {
      if (region.level !== 'grid') throw new Error(`demo appeals: 代报 happens in a grid, not ${s.region}`);
      const worker = look.people.gridWorker(region);
      submitter = as(worker, 'grid_worker');
      submittedById = worker._id;
      break;
    }
    case 'hotline':
      submitter = as(dispatcher, 'dispatcher');
      submittedById = dispatcher._id;
      break;
  }

  const deadlines = deadlinesFrom(submittedAt, category?.deadlines);
  const p: Playing = { doc: {} as AppealDoc, serial, dispatcher };
  const timeline: TimelineEvent[] = [];
  const doc: AppealDoc = {
    _id: seedId(submittedAt, '00', serial),
    number,
    kind: s.kind,
    state: 'submitted',
    channel: s.channel,
    categoryId: category?._id ?? null,
    categoryName: category?.name ?? null,
    regionId: region._id,
    regionPath: region.path,
    regionName: region.pathNames.slice(1).join(' / ') || region.name,
    departmentId: null,
    departmentName: null,
    description: s.text,
    place: s.place ?? null,
    photoIds: [],
    // Group chats are public (the group saw it); staff-filed ones are private, as their forms default.
    isPublic: s.channel === 'miniprogram' || s.channel === 'group_chat',
    isAnonymous: false,
    submittedById,
    reporterId,
    reporterName: resident.name,
    reporterPhone: resident.phone,
    roomId: room?.roomId ?? null,
    reporterContactId: room ? resident.contactId : null,
    idempotencyKey: `seed:${String(serial).padStart(4, '0')}`,
    followerIds: [],
    followersCount: 0,
    submittedAt,
    day: chinaDay(submittedAt),
    ...deadlines,
    dueAt: null,
    overdue: false,
    overdueCount: 0,
    acceptedAt: null,
    assignedAt: null,
    firstContactAt: null,
    repliedAt: null,
    closedAt: null,
    dispatchMs: null,
    directDispatch: false,
    dispatchReviewed: false,
    answer: null,
    rating: null,
    duplicateOfId: null,
    duplicateOfNumber: null,
    lastRemindDay: null,
    timeline,
    eventCount: 0,
    notifiedCount: 0,
    notifyPending: false,
    createdAt: submittedAt,
    updatedAt: submittedAt,
  };
  p.doc = doc;
  push(p, submittedAt, 'submit', submitter, null, 'submitted');
  if (unit) {
    // 直派 in the filing request itself: a few milliseconds after submission.
    const at = new Date(submittedAt.getTime() + 20 + ((serial * 7) % 40));
    push(p, at, 'accept', SYSTEM, 'submitted', 'accepted', '按派单目录自动受理');
    push(p, at, 'assign', SYSTEM, 'accepted', 'assigned', `按派单目录直派至${unit.name}`);
    Object.assign(doc, { state: 'assigned', departmentId: unit._id, departmentName: unit.name, acceptedAt: at, assignedAt: at, dispatchMs: at.getTime() - submittedAt.getTime(), directDispatch: true });
  }
  doc.dueAt = dueAtFor(doc.state, doc);
  return p;
}

function push(p: Playing, at: Date, action: EventAction, by: Actor, from: AppealState | null, to: AppealState | null, note: string | null = null): void {
  const t = p.doc.timeline;
  t.push({ _id: seedId(at, 'e0', p.serial * 256 + t.length), at, action, from, to, byId: by.id, byName: by.name, byRole: by.role, note });
  p.doc.eventCount = t.length;
  p.doc.updatedAt = at;
}

/**
 * 督办 as the scheduler writes it: an open appeal whose step deadline passed before `at` is
 * flagged once, a scan after the deadline (and never before the last event it follows).
 */
function flagIfLate(p: Playing, at: Date): void {
  const a = p.doc;
  if (!OPEN_STATES.includes(a.state) || !a.dueAt || a.overdue || a.dueAt.getTime() > at.getTime()) return;
  const last = a.timeline[a.timeline.length - 1].at.getTime();
  const when = new Date(Math.min(Math.max(a.dueAt.getTime(), last) + SCAN, at.getTime() - 1));
  const note = a.state === 'assigned' ? (a.firstContactAt ? '超过办结时限，请尽快办结' : '超过首次联系时限，请尽快联系群众') : (OVERDUE_NOTES[a.state] ?? '已超期');
  push(p, when, 'overdue', SYSTEM, null, null, note);
  a.overdue = true;
  a.overdueCount += 1;
}

/** A move: the state changes and the deadline of the step it lands in, as moves.ts commits them. */
function move(p: Playing, at: Date, action: EventAction, by: Actor, to: AppealState, set: Partial<AppealDoc>, note: string | null = null): void {
  const a = p.doc;
  const from = a.state;
  Object.assign(a, set, { state: to });
  const dueAt = dueAtFor(to, a);
  if ((dueAt?.getTime() ?? null) !== (a.dueAt?.getTime() ?? null)) a.overdue = false;
  a.dueAt = dueAt;
  push(p, at, action, by, from, to, note);
}

function play(look: Lookups, s: Story, p: Playing, byKey: Map<string | undefined, Playing>, now: Date): void {
  const a = p.doc;
  const t0 = a.submittedAt.getTime();
  const handler = () => as(look.people.departmentStaff(a.departmentId!), 'department_staff');
  const dispatcher = as(p.dispatcher, 'dispatcher');
  const reporter = () => as(look.people.resident(s.resident), 'resident');
  for (const step of s.steps) {
    const at = new Date(step.do === 'close' ? a.repliedAt!.getTime() + RATING_WINDOW_MS + SCAN : t0 + Math.round(step.h * HOUR));
    if (at.getTime() >= now.getTime()) throw new Error(`demo appeal ${a.number}: ${step.do} would be in the future`);
    flagIfLate(p, at);
    switch (step.do) {
      case 'accept': {
        const c = step.category ? look.category(step.category) : null;
        const recategorised = c ? { categoryId: c._id, categoryName: c.name, ...deadlinesFrom(a.submittedAt, c.deadlines) } : {};
        move(p, at, 'accept', dispatcher, 'accepted', { acceptedAt: at, ...recategorised }, step.note ?? null);
        break;
      }
      case 'assign': {
        const d = look.department(step.department);
        move(p, at, 'assign', dispatcher, 'assigned', { departmentId: d._id, departmentName: d.name, assignedAt: a.assignedAt ?? at, dispatchMs: a.dispatchMs ?? at.getTime() - t0 }, `派至${d.name}`);
        break;
      }
      case 'return':
        move(p, at, 'return', handler(), 'accepted', { departmentId: null, departmentName: null }, step.reason);
        break;
      case 'transfer': {
        const d = look.department(step.department);
        move(p, at, 'transfer', dispatcher, 'assigned', { departmentId: d._id, departmentName: d.name }, `改派至${d.name}：${step.reason}`);
        break;
      }
      case 'start':
        move(p, at, 'start', handler(), 'in_progress', { firstContactAt: a.firstContactAt ?? at }, step.note ?? null);
        break;
      case 'reply':
        move(p, at, 'reply', handler(), 'replied', { answer: { text: step.answer, photoIds: [], at, departmentName: a.departmentName }, repliedAt: at, firstContactAt: a.firstContactAt ?? at });
        break;
      case 'rate':
        move(p, at, 'rate', reporter(), 'closed', { rating: { resolved: step.resolved, satisfaction: step.satisfaction, comment: step.comment ?? null, at }, closedAt: at }, step.comment ?? null);
        break;
      case 'close':
        move(p, at, 'close', SYSTEM, 'closed', { closedAt: at }, '答复后7天未评价，自动办结');
        break;
      case 'reopen': {
        const c = a.categoryId ? look.categoryById(a.categoryId) : null;
        move(p, at, 'reopen', reporter(), 'in_progress', { rating: null, closedAt: null, resolveBy: resolveAgainFrom(at, c?.deadlines) }, step.reason);
        break;
      }
      case 'reject':
        move(p, at, 'reject', dispatcher, 'rejected', { closedAt: at }, step.reason);
        break;
      case 'merge': {
        const target = byKey.get(step.into);
        if (!target || target.doc.submittedAt >= a.submittedAt) throw new Error(`demo appeal ${a.number}: merge target ${step.into} must be filed before it`);
        move(p, at, 'merge', dispatcher, 'merged', { duplicateOfId: target.doc._id, duplicateOfNumber: target.doc.number, closedAt: at }, `合并至 ${target.doc.number}`);
        // The target records the merge, and the merged appeal's resident follows it.
        const r = a.reporterId;
        if (r && !target.doc.reporterId?.equals(r) && !target.doc.followerIds.some((f) => f.equals(r))) {
          target.doc.followerIds.push(r);
          target.doc.followersCount += 1;
        }
        push(target, at, 'merged_in', dispatcher, null, null, `合并 ${a.number}`);
        break;
      }
      case 'review':
        if (!a.directDispatch) throw new Error(`demo appeal ${a.number}: only a direct dispatch is reviewed`);
        a.dispatchReviewed = true;
        push(p, at, 'review', dispatcher, null, null, step.note ?? null);
        break;
      case 'remind':
        a.lastRemindDay = chinaDay(at);
        push(p, at, 'remind', reporter(), null, null, step.note ?? null);
        break;
      case 'follow': {
        const f = look.people.resident(step.resident);
        a.followerIds.push(f._id);
        a.followersCount += 1;
        push(p, at, 'follow', as(f, 'resident'), null, null);
        break;
      }
    }
  }
}

/**
 * Up to `now`: the last 督办, the timeline in time order (merges add events to their targets
 * out of order), and nothing left for the notification relay.
 */
function finish(p: Playing, now: Date): void {
  flagIfLate(p, now);
  const a = p.doc;
  if (a.state === 'replied' && a.dueAt! <= now) throw new Error(`demo appeal ${a.number}: replied longer ago than the rating window`);
  a.timeline.sort((x, y) => x.at.getTime() - y.at.getTime());
  a.updatedAt = a.timeline[a.timeline.length - 1].at;
  a.eventCount = a.timeline.length;
  a.notifiedCount = a.eventCount;
  a.notifyPending = false;
}
