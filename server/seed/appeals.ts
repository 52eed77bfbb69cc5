/**
 * The demo county's appeals: about forty stories, in every state, from every channel, over the
 * twenty days before the seed runs. Each story is played through the appeals feature itself, in a
 * sandbox on a clock the seed sets (sandbox.ts): filed through the appeals service (the creator:
 * numbers, deadlines from the category, direct dispatch), each step a move of the state machine
 * made by the person who would make it (the dispatcher, the unit's staff, the resident), and
 * between the steps the deadline scheduler's scans (督办, the close after the rating window) and
 * the notification relay's sweep, as a running server does. So every field of every appeal (timeline,
 * deadlines, `dueAt`, `overdue`, `dispatchMs`, day buckets, counters) is what the product writes,
 * and the first scheduler run after the seed changes nothing and notifies nobody of old history.
 *
 * A story says the state it ends in; a product change that makes it end elsewhere fails the seed
 * (and its test) instead of quietly changing the demo.
 */
import type { Types } from 'mongoose';
import type { Models } from '../models';
import { chinaDay } from '../../common/china-time';
import { demoCounty } from '../../common/demo-county';
import { categoryService, type CategoryDoc } from '../categories';
import { departmentService, type DepartmentDoc } from '../departments';
import { regionLookup, type RegionDoc } from '../regions';
import { boundRooms, type RoomDoc } from '../bindings';
import { identityKey, userService, type UserDoc } from '../users';
import {
  AcceptBody,
  actorOf,
  appealCreator,
  appealDeadlines,
  appealMoves,
  appealService,
  AssignBody,
  BOT_ACCOUNT_ID,
  MergeBody,
  OPEN_STATES,
  reserveTicketNumbers,
  startTicketCounter,
  RateBody,
  RejectBody,
  ReopenBody,
  ReplyBody,
  ReturnBody,
  StartBody,
  TransferBody,
  type AppealDoc,
  type AppealKind,
  type AppealState,
  type SATISFACTION,
} from '../appeals';
import { inSandbox, type Sandbox } from './sandbox';
import { seedId } from './ids';
import { connOf, contextOf } from './context';

type Satisfaction = (typeof SATISFACTION)[number];
/** A move or event, `h` hours after submission. */
type Step =
  | { do: 'accept'; h: number; category?: string; note?: string }
  | { do: 'assign'; h: number; department: string }
  | { do: 'review'; h: number; note?: string }
  | { do: 'start'; h: number; note?: string }
  | { do: 'reply'; h: number; answer: string }
  | { do: 'rate'; h: number; resolved: boolean; satisfaction: Satisfaction; comment?: string }
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
  /** The state it is in at the seed's moment, after its steps and the scheduler's scans. */
  ends: AppealState;
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
    ends: 'closed', ago: 460, region: 'DX-01-01', category: 'street-lights', kind: 'help', channel: 'miniprogram', resident: 1, place: '健康路32号至40号',
    text: '东城社区健康路32号到40号之间的五盏路灯连续一周晚上不亮，老人晚上出门散步看不清路，希望尽快修复。',
    steps: [
      { do: 'review', h: 1.5, note: '派单正确' },
      { do: 'start', h: 5, note: '已联系反映人，安排电工现场查看' },
      { do: 'reply', h: 26, answer: '经现场检查，系线路老化短路，已更换电缆并修复5盏路灯，目前照明正常。' },
      { do: 'rate', h: 40, resolved: true, satisfaction: 'satisfied', comment: '修得很快，谢谢！' },
    ],
  },
  {
    ends: 'closed', ago: 430, region: 'DX-02-01', category: 'water-supply', kind: 'help', channel: 'miniprogram', resident: 4, place: '青石村三组',
    text: '青石村三组从昨天下午开始停水，到现在还没来水，家里有老人小孩，做饭洗漱都成问题。',
    steps: [
      { do: 'start', h: 1, note: '抢修队已出发' },
      { do: 'reply', h: 9, answer: '三组供水主管道爆裂，抢修已完成，现已恢复供水。给您带来不便，深表歉意。' },
      { do: 'rate', h: 12, resolved: true, satisfaction: 'satisfied', comment: '抢修及时' },
    ],
  },
  {
    ends: 'closed', ago: 400, region: 'DX-01-03', category: 'food-safety', kind: 'complaint', channel: 'miniprogram', resident: 3, place: '南门菜市场东侧',
    text: '南门菜市场东侧一家熟食店卫生条件差，案板上有苍蝇，售卖的卤菜没有防尘罩，也没有公示健康证。',
    steps: [
      { do: 'review', h: 2 },
      { do: 'start', h: 20, note: '已安排执法人员现场检查' },
      { do: 'reply', h: 70, answer: '执法人员已现场检查，责令该店限期整改，补办从业人员健康证并配备防蝇防尘设施，复查已整改到位。' },
      { do: 'rate', h: 80, resolved: true, satisfaction: 'basically', comment: '整改了，希望以后常去检查。' },
    ],
  },
  {
    ends: 'closed', ago: 380, region: 'DX-02-02', category: 'road-damage', kind: 'help', channel: 'miniprogram', resident: 5, place: '杨柳村村口',
    text: '杨柳村村口到县道的水泥路有一段塌陷，坑有半米深，晚上骑电动车很危险，已经有人摔倒。',
    steps: [
      { do: 'start', h: 10 },
      { do: 'reply', h: 100, answer: '已对塌陷路段设置警示标志并完成修补，路面已恢复通行。' },
      { do: 'rate', h: 110, resolved: false, satisfaction: 'unsatisfied', comment: '补的地方没几天又裂了。' },
    ],
  },
  {
    ends: 'closed', ago: 350, region: 'DX-01-02', category: 'noise', kind: 'complaint', channel: 'miniprogram', resident: 2, place: '幸福路',
    text: '西城社区幸福路一家KTV每天营业到凌晨两三点，声音很大，严重影响周边居民休息。',
    steps: [
      { do: 'start', h: 30, note: '将安排夜间执法检查' },
      { do: 'reply', h: 90, answer: '经夜间执法检查，噪声超标属实，已责令该KTV加装隔音设施并于23点后降低音量，将持续巡查。' },
      { do: 'rate', h: 150, resolved: false, satisfaction: 'unsatisfied', comment: '还是很吵，问题没有解决。' },
    ],
  },
  {
    ends: 'closed', ago: 330, region: 'DX-02-03', category: null, kind: 'help', channel: 'group_chat', resident: 6,
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
    ends: 'closed', ago: 240, region: 'DX-02-02', category: 'social-security', kind: 'consultation', channel: 'miniprogram', resident: 11,
    text: '想咨询一下灵活就业人员怎么在网上缴纳城镇职工养老保险，需要准备哪些材料？',
    steps: [
      { do: 'start', h: 2 },
      { do: 'reply', h: 5, answer: '灵活就业人员可通过国家社会保险公共服务平台或县人社局窗口办理参保登记，需携带身份证和户口簿，缴费基数可在规定档次中自选。详情可拨打0000-5100008咨询。' },
      { do: 'rate', h: 8, resolved: true, satisfaction: 'satisfied', comment: '讲得很清楚' },
    ],
  },
  {
    ends: 'closed', ago: 260, region: 'DX-01-03', category: 'bus-service', kind: 'suggestion', channel: 'miniprogram', resident: 9,
    text: '建议增开从南门社区到县人民医院的公交线路，目前需要转两次车，老人看病很不方便。',
    steps: [
      { do: 'review', h: 3, note: '建议类，派交通运输局研究' },
      { do: 'start', h: 20 },
      { do: 'reply', h: 120, answer: '已将您的建议纳入明年公交线网优化方案，近期先将3路公交延伸至县人民医院站。' },
      { do: 'rate', h: 130, resolved: true, satisfaction: 'basically', comment: '希望尽快落实' },
    ],
  },
  {
    ends: 'closed', ago: 220, region: 'DX-01-01', category: null, kind: 'help', channel: 'group_chat', resident: 7, place: '东城社区北门',
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
    ends: 'closed', ago: 200, region: 'DX-01-02', category: 'wage-arrears', kind: 'complaint', channel: 'miniprogram', resident: 14,
    text: '我在城西一个建筑工地干了四个月，老板拖欠工资两万多元，一直推脱不给。',
    steps: [
      { do: 'start', h: 12, note: '已约谈施工企业负责人' },
      { do: 'reply', h: 150, answer: '经劳动保障监察大队调查，已督促施工企业支付拖欠工资，款项已于本周发放到位。' },
      { do: 'rate', h: 160, resolved: true, satisfaction: 'satisfied', comment: '钱拿到了，感谢政府' },
    ],
  },
  {
    ends: 'closed', ago: 170, region: 'DX-01-01', category: 'heating', kind: 'complaint', channel: 'miniprogram', resident: 19, place: '阳光小区3栋',
    text: '东城社区阳光小区3栋暖气不热，室温只有十二三度，家里老人受不了。',
    steps: [
      { do: 'start', h: 3 },
      { do: 'reply', h: 20, answer: '热力公司已对3栋管道排气并调节阀门，经回访室温已达到18度以上。' },
      { do: 'rate', h: 30, resolved: true, satisfaction: 'basically', comment: '比之前好一些' },
    ],
  },
  // ---- closed by the scheduler: no rating within 7 days of the answer ----
  {
    ends: 'closed', ago: 300, region: 'DX-01-01', category: 'prices', kind: 'complaint', channel: 'hotline', resident: 13,
    text: '来电反映在东城社区某超市购买的食用油，结账价格比标价高出5元，与店家协商无果。',
    steps: [
      { do: 'start', h: 4 },
      { do: 'reply', h: 30, answer: '经核查该超市存在价签未及时更新问题，已责令退还差价并整改，并对其予以警告。' },
    ],
  },
  {
    ends: 'closed', ago: 280, region: 'DX-02-01-02', category: 'housing-safety', kind: 'report', channel: 'grid_worker', resident: 10,
    text: '网格巡查发现青石村二组一户村民的老房子后墙开裂严重，墙体倾斜，屋内仍住着一位独居老人，存在安全隐患。',
    steps: [
      { do: 'review', h: 3, note: '情况紧急，请住建局优先处理' },
      { do: 'start', h: 8 },
      { do: 'reply', h: 60, answer: '已组织房屋安全鉴定，鉴定为C级危房，已协助老人临时搬至亲属家居住，并纳入危房改造计划。' },
    ],
  },
  // ---- rejected ----
  {
    ends: 'rejected', ago: 320, region: 'DX-01-02', category: 'other', kind: 'consultation', channel: 'miniprogram', resident: 20,
    text: '请问县里今年的中考录取分数线什么时候公布？',
    steps: [{ do: 'reject', h: 1, reason: '该问题属于教育考试信息咨询，请关注县教育局官网或拨打教育局咨询电话。' }],
  },
  {
    ends: 'rejected', ago: 120, region: 'DX-02-01', category: null, kind: 'help', channel: 'group_chat', resident: 22,
    text: '大家帮忙转发一下，我家的狗走丢了，黄色的土狗，脖子上有红绳。',
    steps: [{ do: 'reject', h: 0.6, reason: '寻物启事不属于诉求受理范围，已建议在群内发布。' }],
  },
  {
    ends: 'rejected', ago: 30, region: 'DX-01-03', category: 'other', kind: 'complaint', channel: 'hotline', resident: 21,
    text: '来电反映楼上邻居装修时间太早，早上七点就开始用电钻。',
    steps: [{ do: 'reject', h: 1, reason: '属于邻里纠纷，已建议由南门社区人民调解委员会调解处理。' }],
  },
  // ---- merged into another ----
  {
    key: 'plaza-lights', ends: 'replied', ago: 100, region: 'DX-01-01', category: 'street-lights', kind: 'help', channel: 'miniprogram', resident: 25, place: '文化广场',
    text: '东城社区文化广场旁边的路灯一到晚上就闪，有时候全灭。',
    steps: [
      { do: 'start', h: 10 },
      { do: 'reply', h: 30, answer: '已更换故障灯具和镇流器，文化广场路灯恢复正常。' },
    ],
  },
  {
    ends: 'merged', ago: 99, region: 'DX-01-01', category: null, kind: 'help', channel: 'group_chat', resident: 1,
    text: '文化广场的路灯坏了，晚上跳广场舞黑乎乎的。',
    steps: [
      { do: 'accept', h: 0.5, category: 'street-lights' },
      { do: 'merge', h: 0.8, into: 'plaza-lights' },
    ],
  },
  {
    key: 'market-rubbish', ends: 'in_progress', ago: 60, region: 'DX-01-03', category: 'sanitation', kind: 'complaint', channel: 'miniprogram', resident: 15, place: '南门农贸市场',
    text: '南门社区农贸市场后面的垃圾桶满了没人清理，污水流了一地。',
    steps: [
      { do: 'review', h: 1 },
      { do: 'start', h: 4, note: '已通知环卫所清运' },
    ],
  },
  {
    ends: 'merged', ago: 58, region: 'DX-01-03', category: null, kind: 'complaint', channel: 'hotline', resident: 27,
    text: '来电反映南门农贸市场后面垃圾堆积，气味很大。',
    steps: [{ do: 'merge', h: 0.5, into: 'market-rubbish' }],
  },
  // ---- replied, waiting for the rating ----
  {
    ends: 'replied', ago: 150, region: 'DX-02-03', category: 'power-supply', kind: 'help', channel: 'hotline', resident: 18, place: '桃源村五组',
    text: '来电反映桃源村五组变压器附近电线下垂，离地面很低，担心有触电危险。',
    steps: [
      { do: 'start', h: 1 },
      { do: 'reply', h: 6, answer: '供电公司已到场处理，对下垂线路重新架设紧固，隐患已消除。' },
    ],
  },
  {
    ends: 'replied', ago: 80, region: 'DX-02-01', category: 'road-damage', kind: 'suggestion', channel: 'miniprogram', resident: 28, place: '青石小学门口',
    text: '建议在青石小学门口的路段增设减速带和人行横道，上下学时车速太快。',
    steps: [
      { do: 'review', h: 2 },
      { do: 'start', h: 20 },
      { do: 'reply', h: 70, answer: '已在青石小学门口路段施划人行横道并安装两处减速带，同时增设了学校区域警示标志。' },
    ],
  },
  {
    ends: 'replied', ago: 50, region: 'DX-01-03', category: null, kind: 'complaint', channel: 'group_chat', resident: 9, place: '南门社区3号楼',
    text: '南门社区3号楼楼道灯坏了一个多月了，物业一直不修。',
    steps: [
      { do: 'accept', h: 0.7, category: 'housing-safety' },
      { do: 'assign', h: 1, department: 'housing' },
      { do: 'start', h: 6 },
      { do: 'reply', h: 30, answer: '已协调物业公司更换楼道灯，并要求其建立公共设施报修台账。' },
    ],
  },
  {
    ends: 'replied', ago: 36, region: 'DX-01-02-01', category: 'sanitation', kind: 'report', channel: 'grid_worker', resident: 26, place: '建设路与人民路交叉口',
    text: '网格巡查发现西城社区建设路与人民路交叉口有大量建筑垃圾乱倒，占用人行道。',
    steps: [
      { do: 'start', h: 3 },
      { do: 'reply', h: 20, answer: '已清运建筑垃圾约6车，并对乱倒行为立案调查。' },
    ],
  },
  // ---- in progress ----
  {
    ends: 'in_progress', ago: 190, region: 'DX-02-01', category: 'pollution', kind: 'report', channel: 'miniprogram', resident: 16, place: '青石村北养殖场',
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
    ends: 'in_progress', ago: 40, region: 'DX-01-01', category: 'water-supply', kind: 'complaint', channel: 'miniprogram', resident: 13,
    text: '东城社区自来水有黄色沉淀，烧开后水壶里有很多水垢，担心水质有问题。',
    steps: [
      { do: 'start', h: 5, note: '已取水样送检' },
      { do: 'follow', h: 10, resident: 7 },
      { do: 'remind', h: 30, note: '水还是黄的，请尽快处理' },
    ],
  },
  {
    ends: 'in_progress', ago: 200, region: 'DX-02-02-01', category: 'road-damage', kind: 'help', channel: 'grid_worker', resident: 17, place: '杨柳村小河桥',
    text: '杨柳村通往镇上的小河桥栏杆断了一截，桥下是河，学生每天经过很危险。',
    steps: [
      { do: 'review', h: 4 },
      { do: 'start', h: 20, note: '已设置临时围挡' },
    ],
  },
  {
    ends: 'in_progress', ago: 20, region: 'DX-02-03', category: 'pollution', kind: 'report', channel: 'miniprogram', resident: 24, place: '桃源村后山',
    text: '桃源村后山有人夜里焚烧废旧轮胎，浓烟很呛，窗户都不敢开。',
    steps: [
      { do: 'transfer', h: 2, department: 'urban', reason: '露天焚烧由城管执法部门查处' },
      { do: 'start', h: 5 },
    ],
  },
  {
    ends: 'in_progress', ago: 10, region: 'DX-01-02', category: 'street-vending', kind: 'complaint', channel: 'miniprogram', resident: 8, place: '人民路小学门口',
    text: '西城社区人民路小学门口放学时段有很多流动摊贩占道经营，车辆和学生混在一起。',
    steps: [{ do: 'start', h: 3 }],
  },
  // ---- assigned ----
  {
    ends: 'assigned', ago: 6, region: 'DX-01-03', category: 'noise', kind: 'complaint', channel: 'miniprogram', resident: 15,
    text: '南门社区旁边的建筑工地夜间施工，晚上十一点还在打桩。',
    steps: [],
  },
  {
    ends: 'assigned', ago: 12, region: 'DX-02-01-01', category: 'power-supply', kind: 'help', channel: 'grid_worker', resident: 4,
    text: '青石村一组有三户村民家中电压不稳，电器经常自动关机。',
    steps: [{ do: 'review', h: 1 }],
  },
  {
    ends: 'assigned', ago: 52, region: 'DX-01-01', category: 'bus-service', kind: 'complaint', channel: 'hotline', resident: 19,
    text: '来电投诉县城5路公交车经常不按时刻表发车，有时候一等就是四十分钟。',
    steps: [],
  },
  // ---- accepted ----
  {
    ends: 'accepted', ago: 20, region: 'DX-02-03', category: null, kind: 'help', channel: 'group_chat', resident: 12, place: '桃源村小广场',
    text: '桃源村小广场的健身器材坏了好几件，螺丝松动，孩子玩很危险。',
    steps: [
      { do: 'accept', h: 1.5, category: 'other' },
      { do: 'assign', h: 1.9, department: 'urban' },
      { do: 'return', h: 4, reason: '健身器材属于村委会管理的公共设施，不属于我局职责范围' },
    ],
  },
  {
    ends: 'accepted', ago: 1.5, region: 'DX-01-01', category: null, kind: 'help', channel: 'group_chat', resident: 19, place: '健康路',
    text: '东城社区健康路有一棵大树被风刮断了，横在路中间，车过不去。',
    steps: [{ do: 'accept', h: 0.3, note: '已通知社区先行设置警示' }],
  },
  // ---- submitted ----
  {
    ends: 'submitted', ago: 0.6, region: 'DX-02-02', category: 'other', kind: 'consultation', channel: 'miniprogram', resident: 23,
    text: '请问村里的适龄儿童接种疫苗在哪里预约？',
    steps: [],
  },
  {
    ends: 'submitted', ago: 1.2, region: 'DX-02-01', category: null, kind: 'help', channel: 'group_chat', resident: 10,
    text: '青石村卫生室门口的路灯不亮，晚上看病找不到路。',
    steps: [],
  },
  {
    ends: 'submitted', ago: 26, region: 'DX-01-02', category: 'other', kind: 'consultation', channel: 'hotline', resident: 2,
    text: '来电咨询西城社区老旧小区加装电梯的政策怎么申请，想了解补贴标准。',
    steps: [],
  },
  {
    ends: 'submitted', ago: 5, region: 'DX-01-01-02', category: null, kind: 'praise', channel: 'miniprogram', resident: 25,
    text: '表扬东城社区第二网格的网格员，上周帮我们楼里的独居老人联系了维修师傅，还每天上门看望。',
    steps: [],
  },
];
const HOUR = 3600 * 1000;
/** The deadline scheduler's default interval: a deadline is noticed by the scan after it. */
const SCAN = 60 * 1000;

interface Lookups {
  region(code: string): RegionDoc;
  regionById(id: Types.ObjectId): RegionDoc;
  category(code: string): CategoryDoc;
  department(code: string): DepartmentDoc;
  room(communityId: Types.ObjectId): RoomDoc;
  resident(n: number): UserDoc & { contactId: string };
  user(username: string): UserDoc;
  gridWorker(grid: RegionDoc): UserDoc;
  departmentStaff(departmentId: Types.ObjectId): UserDoc;
}

/** The earlier sections' records the stories name (regions, the catalogue, people, bound groups). */
async function lookups(models: Models): Promise<Lookups> {
  const ctx = contextOf(models);
  const users = userService(ctx);
  const [regions, categories, departments, rooms, staff] = await Promise.all([
    regionLookup(ctx).all(),
    categoryService(ctx).all(),
    departmentService(ctx).all(),
    boundRooms(ctx).all(),
    users.withUsernames(),
  ]);
  const openids = demoCounty.people.filter((p) => p.openid);
  const residents = await users.byIdentities(openids.map((p) => identityKey.wechat(p.openid!)));
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`demo appeals name unknown ${what}`);
    return v;
  };
  return {
    region: (code) => need(regions.find((r) => r.code === code), `region ${code}`),
    regionById: (id) => need(regions.find((r) => r._id.equals(id)), `region ${id}`),
    category: (code) => need(categories.find((c) => c.code === code), `category ${code}`),
    department: (code) => need(departments.find((d) => d.code === code), `department ${code}`),
    room: (communityId) => need(rooms.find((r) => r.regionId.equals(communityId)), `bound group chat of region ${communityId}`),
    resident(n) {
      const openid = `demo-resident-${String(n).padStart(2, '0')}`;
      const p = need(openids.find((x) => x.openid === openid), openid);
      return { ...need(residents.get(identityKey.wechat(openid)), openid), contactId: p.contactId! };
    },
    user: (username) => need(staff.find((u) => u.username === username), `user ${username}`),
    gridWorker: (grid) => need(staff.find((u) => u.roles.includes('grid_worker') && u.regionIds.some((r) => r.equals(grid._id))), `grid worker of ${grid.code}`),
    departmentStaff: (id) => need(staff.find((u) => u.roles.includes('department_staff') && u.departmentId?.equals(id)), `staff of department ${id}`),
  };
}

/**
 * Ticket numbers for the seeded appeals, reserved in the demo database the way filing takes them:
 * `$inc` on each day's counter by that day's count, so a number filed meanwhile (the server may be
 * running) is never handed out twice, and a counter left ahead by an interrupted run only skips
 * numbers. Returns, per day, the first reserved sequence number.
 */
async function reserveNumbers(models: Models, days: string[]): Promise<Map<string, number>> {
  const perDay = new Map<string, number>();
  for (const d of days) perDay.set(d, (perDay.get(d) ?? 0) + 1);
  const first = new Map<string, number>();
  for (const [day, n] of perDay) {
    first.set(day, await reserveTicketNumbers(connOf(models), day, n));
  }
  return first;
}

/** A story's filing or one of its steps, at its moment. */
interface Action {
  at: Date;
  story: Story;
  serial: number;
  step: Step | null;
}

/**
 * The demo appeals, in id order, as the appeals feature produced them at the seed's clock.
 * Reserves their ticket numbers in the demo database.
 */
export async function buildDemoAppeals(models: Models, now: Date): Promise<AppealDoc[]> {
  const look = await lookups(models);
  const filedAt = (s: Story) => new Date(now.getTime() - Math.round(s.ago * HOUR));
  const stories = STORIES.map((story, i) => ({ story, serial: i + 1, at: filedAt(story) }));
  const actions: Action[] = stories.flatMap(({ story, serial, at }) => [
    { at, story, serial, step: null },
    ...story.steps.map((step) => ({ at: new Date(at.getTime() + Math.round(step.h * HOUR)), story, serial, step })),
  ]);
  // In time order; at one moment, filings first, then in story order (a stable sort).
  actions.sort((a, b) => a.at.getTime() - b.at.getTime() || Number(a.step !== null) - Number(b.step !== null));
  for (const a of actions) if (a.at.getTime() >= now.getTime()) throw new Error(`demo appeal ${a.serial}: ${a.step?.do ?? 'filing'} would be in the future`);
  const filings = actions.filter((a) => a.step === null);
  const firstNumbers = await reserveNumbers(models, filings.map((a) => chinaDay(a.at)));

  return inSandbox(models, { copy: ['Region', 'Department', 'Category', 'User'], start: filings[0].at }, async (box) => {
    // The sandbox's day counters continue where the reservation starts, so filing hands out the reserved numbers.
    for (const [day, seq] of firstNumbers) await startTicketCounter(box.ctx.conn, day, seq - 1);
    const play = storyPlayer(box, look);
    for (const action of actions) {
      await play.scanUntil(action.at);
      box.setClock(action.at);
      await play.act(action);
    }
    await play.scanUntil(now);
    return play.finish(stories.map((s) => s.story), now);
  });
}

function storyPlayer(box: Sandbox, look: Lookups) {
  const creator = appealCreator(box.ctx);
  // The scheduler's scans relay the notifications (its sweep, a server's fallback for a missed
  // kick), so each change is not relayed on its own as well: the same result, less work.
  const moves = appealMoves(box.ctx, () => {});
  const deadlines = appealDeadlines(box.ctx);
  const users = userService(box.ctx);
  const appeals = appealService(box.ctx);
  const ids = new Map<number, Types.ObjectId>();
  /** What the scheduler looks at, per appeal, as the last write left it. */
  const watched = new Map<string, Pick<AppealDoc, 'state' | 'dueAt' | 'overdue' | 'departmentId'>>();
  const watch = (a: AppealDoc) => void watched.set(String(a._id), { state: a.state, dueAt: a.dueAt, overdue: a.overdue, departmentId: a.departmentId });
  const byKey = new Map<string, Types.ObjectId>();
  const auth = new Map<string, Promise<Awaited<ReturnType<typeof users.toAuthUser>>>>();
  const as = (u: UserDoc) => {
    let a = auth.get(String(u._id));
    if (!a) auth.set(String(u._id), (a = users.toAuthUser(u)));
    return a;
  };
  /** An appeal as the county's administrator reads it (whole). */
  const read = async (id: string) => appeals.read(await as(look.user('admin')), id);
  // 城关镇 has a dispatcher of its own; the county's handles 青石乡 and the hotline.
  const dispatcherOf = (s: Story) => look.user(s.region.startsWith('DX-01') && s.channel !== 'hotline' ? 'chengguan' : 'dispatcher');

  /** The appeal as filing from the story's channel files it: the service's form, the bot's intake. */
  async function file(s: Story, serial: number, at: Date): Promise<AppealDoc> {
    const region = look.region(s.region);
    const category = s.category ? look.category(s.category) : null;
    const resident = look.resident(s.resident);
    const community = region.level === 'grid' ? look.regionById(region.parentId!) : region;
    const base = {
      id: seedId(at, '00', serial),
      idempotencyKey: `seed:${String(serial).padStart(4, '0')}`,
      channel: s.channel,
      kind: s.kind,
      categoryId: category ? String(category._id) : null,
      description: s.text,
      photoIds: [],
      regionId: String(region._id),
      place: s.place ?? null,
      // Group chats are public here (the members asked for it: 公开); staff-filed ones private, as their forms default.
      isPublic: s.channel === 'miniprogram' || s.channel === 'group_chat',
      isAnonymous: false,
      reporterName: resident.name,
      reporterPhone: resident.phone,
      // The seed's own way past the filing limits: its history is not a burst of requests.
      limits: [],
    };
    let filing;
    switch (s.channel) {
      case 'miniprogram': {
        const me = await as(resident);
        filing = { ...base, submittedById: resident._id, submitter: actorOf(me, 'resident'), photoOwnerId: me.id, reporterId: resident._id };
        break;
      }
      case 'group_chat': {
        if (category) throw new Error('demo appeals: a group chat appeal comes without a category');
        const room = look.room(community._id);
        // As the bot's intake files it (appeals/bot-routes.ts): by the bot, for the member.
        const submitter = { id: null, name: `${resident.name}（${room.topic}）`, role: 'bot' as const };
        filing = { ...base, submittedById: BOT_ACCOUNT_ID, submitter, photoOwnerId: 'bot', reporterId: resident._id, roomId: room.roomId, reporterContactId: resident.contactId };
        break;
      }
      case 'grid_worker': {
        if (region.level !== 'grid') throw new Error(`demo appeals: 代报 happens in a grid, not ${s.region}`);
        const worker = look.gridWorker(region);
        const me = await as(worker);
        filing = { ...base, submittedById: worker._id, submitter: actorOf(me, 'grid_worker'), photoOwnerId: me.id, reporterId: null };
        break;
      }
      case 'hotline': {
        const dispatcher = dispatcherOf(s);
        const me = await as(dispatcher);
        filing = { ...base, submittedById: dispatcher._id, submitter: actorOf(me, 'dispatcher'), photoOwnerId: me.id, reporterId: null };
        break;
      }
    }
    const { appeal } = await creator.file(filing);
    ids.set(serial, appeal._id);
    if (s.key) byKey.set(s.key, appeal._id);
    return appeal;
  }

  /** One step, by whoever makes it: the dispatcher, the unit's staff (of the unit it is with now), the resident. */
  async function step(s: Story, serial: number, st: Step): Promise<AppealDoc> {
    const id = String(ids.get(serial)!);
    const m = moves;
    const dispatcher = () => as(dispatcherOf(s));
    const reporter = () => as(look.resident(s.resident));
    const handler = () => as(look.departmentStaff(watched.get(id)!.departmentId!));
    const categoryId = (code: string | undefined) => (code ? String(look.category(code)._id) : undefined);
    switch (st.do) {
      case 'accept':
        return (await m.accept(await dispatcher(), id, AcceptBody.parse({ note: st.note, categoryId: categoryId(st.category) })));
      case 'assign':
        return (await m.assign(await dispatcher(), id, AssignBody.parse({ departmentId: String(look.department(st.department)._id) })));
      case 'review':
        return (await m.review(await dispatcher(), id, st.note ?? null));
      case 'return':
        return (await m.return(await handler(), id, ReturnBody.parse({ reason: st.reason })));
      case 'transfer':
        return (await m.transfer(await dispatcher(), id, TransferBody.parse({ departmentId: String(look.department(st.department)._id), reason: st.reason })));
      case 'start':
        return (await m.start(await handler(), id, StartBody.parse({ note: st.note })));
      case 'reply':
        return (await m.reply(await handler(), id, ReplyBody.parse({ answer: st.answer })));
      case 'rate':
        return (await m.rate(await reporter(), id, RateBody.parse({ resolved: st.resolved, satisfaction: st.satisfaction, comment: st.comment })));
      case 'reopen':
        return (await m.reopen(await reporter(), id, ReopenBody.parse({ reason: st.reason })));
      case 'reject':
        return (await m.reject(await dispatcher(), id, RejectBody.parse({ reason: st.reason })));
      case 'merge': {
        const into = byKey.get(st.into);
        if (!into) throw new Error(`demo appeal ${serial}: merge target ${st.into} must be filed before it`);
        return (await m.merge(await dispatcher(), id, MergeBody.parse({ intoId: String(into) })));
      }
      case 'remind':
        return (await m.remind(await reporter(), id, st.note ?? null));
      case 'follow':
        return (await m.follow(await as(look.resident(st.resident)), id));
    }
  }

  return {
    act: async (a: Action) => watch(await (a.step ? step(a.story, a.serial, a.step) : file(a.story, a.serial, a.at))),

    /**
     * The deadline scheduler's scans before `until`: one a scan interval after each deadline that
     * passes (督办 for an open step, the close of a replied appeal whose rating window ended), and
     * before the next thing that happens to the appeals.
     */
    async scanUntil(until: Date): Promise<void> {
      for (;;) {
        // The scheduler's query (scheduler.ts): open and not flagged yet, or replied (to close).
        const due = [...watched.entries()].filter(([, a]) => ((OPEN_STATES.includes(a.state) && !a.overdue) || a.state === 'replied') && a.dueAt && a.dueAt < until);
        if (due.length === 0) return;
        const next = Math.min(...due.map(([, a]) => a.dueAt!.getTime()));
        const clock = box.clock().getTime();
        box.setClock(new Date(Math.max(clock, Math.min(Math.max(next, clock) + SCAN, until.getTime() - 1))));
        const run = await deadlines.run();
        if (run.flagged + run.closed === 0) throw new Error(`demo appeals: the scheduler left an appeal past its deadline at ${box.clock().toISOString()}`);
        // Only an appeal whose deadline the scan passed can have changed.
        for (const [id, a] of due) if (a.dueAt! <= box.clock()) watch(await read(id));
      }
    },

    /** Every notification relayed (into the sandbox: history is not sent), each story where it should end. */
    async finish(stories: Story[], now: Date): Promise<AppealDoc[]> {
      box.setClock(now);
      await deadlines.relay.idle();
      await deadlines.relay.sweep();
      const docs = await Promise.all([...ids.values()].sort((x, y) => String(x).localeCompare(String(y))).map((id) => read(String(id))));
      for (const [i, s] of stories.entries()) {
        const a = docs.find((d) => d._id.equals(ids.get(i + 1)!))!;
        if (a.state !== s.ends) throw new Error(`demo appeal ${a.number} (${s.text.slice(0, 12)}…) ends ${a.state}, its story says ${s.ends}`);
        if (a.notifyPending) throw new Error(`demo appeal ${a.number}: notifications left pending`);
      }
      return docs;
    },
  };
}
