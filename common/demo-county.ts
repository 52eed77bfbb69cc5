/**
 * 东溪县 (Dongxi County), a fictional demo county. Plain data, no database code: the seed
 * (server/seed/) writes it, and the bot's simulated WeChat builds its group chats and members from
 * it, so it lives in common/ (which imports nothing of the server). Later features extend it
 * (appeals, articles, notices) in seed files of their own (server/seed/).
 *
 * All names and phone numbers are invented.
 */
import type { Role } from './roles';

export interface DemoRegion {
  code: string;
  name: string;
  level: 'county' | 'township' | 'community' | 'grid';
  parentCode: string | null;
  /** GCJ-02 centre (as WeChat's map gives points), for suggesting the community from a chosen point. */
  centre?: { lat: number; lng: number };
}

export interface DemoPerson {
  /** Staff sign in with this; residents have none. */
  username?: string;
  /** Residents sign in (development login) with this openid. */
  openid?: string;
  name: string;
  roles: Role[];
  /** Region codes a staff member works in. */
  regionCodes?: string[];
  departmentCode?: string;
  /** The community a resident lives in. */
  homeRegionCode?: string;
  phone?: string;
  /** The person's WeChat id in the simulated WeChat (never contains '@'). */
  contactId?: string;
  /** Whether the seed binds the contact to the account (staff who can then unbind rooms). */
  contactBound?: boolean;
}

export interface DemoGroupChat {
  roomId: string;
  topic: string;
  communityCode: string;
  /** Seeded as bound to the community; the unbound ones are there to try `绑定 <code>`. */
  bound: boolean;
  memberContactIds: string[];
}

export const DEMO_PASSWORD = 'xianrong123';
export const DEMO_BOT = { contactId: 'wxid_xianrong_bot', name: '东溪融媒小助手' };

const county: DemoRegion = { code: 'DX', name: '东溪县', level: 'county', parentCode: null };
const townships: DemoRegion[] = [
  { code: 'DX-01', name: '城关镇', level: 'township', parentCode: 'DX' },
  { code: 'DX-02', name: '青石乡', level: 'township', parentCode: 'DX' },
];
const communityList: [code: string, name: string, slug: string][] = [
  ['DX-01-01', '东城社区', 'dongcheng'],
  ['DX-01-02', '西城社区', 'xicheng'],
  ['DX-01-03', '南门社区', 'nanmen'],
  ['DX-02-01', '青石村', 'qingshi'],
  ['DX-02-02', '杨柳村', 'yangliu'],
  ['DX-02-03', '桃源村', 'taoyuan'],
];
/**
 * Invented centres (GCJ-02) in a quiet corner of the map: the town's three communities about 1-2 km
 * apart, the villages 8-10 km to the south-east. Grids have none, so the suggestion is a community.
 */
export const DEMO_COMMUNITY_CENTRES: Record<string, { lat: number; lng: number }> = {
  'DX-01-01': { lat: 28.9012, lng: 118.8891 },
  'DX-01-02': { lat: 28.9007, lng: 118.8702 },
  'DX-01-03': { lat: 28.8905, lng: 118.8795 },
  'DX-02-01': { lat: 28.8421, lng: 118.9518 },
  'DX-02-02': { lat: 28.8297, lng: 118.9733 },
  'DX-02-03': { lat: 28.8163, lng: 118.9402 },
};
const communities: DemoRegion[] = communityList.map(([code, name]) => ({ code, name, level: 'community', parentCode: code.slice(0, 5), centre: DEMO_COMMUNITY_CENTRES[code] }));
const GRID_NAMES = ['第一网格', '第二网格', '第三网格'];
const grids: DemoRegion[] = communityList.flatMap(([code]) => GRID_NAMES.map((name, i) => ({ code: `${code}-0${i + 1}`, name, level: 'grid' as const, parentCode: code })));

export const demoRegions: DemoRegion[] = [county, ...townships, ...communities, ...grids];

export const demoDepartments = [
  { code: 'water', name: '县水务局', phone: '0000-5100001' },
  { code: 'transport', name: '县交通运输局', phone: '0000-5100002' },
  { code: 'urban', name: '县城市管理局', phone: '0000-5100003' },
  { code: 'market', name: '县市场监督管理局', phone: '0000-5100004' },
  { code: 'housing', name: '县住房和城乡建设局', phone: '0000-5100005' },
  { code: 'power', name: '县供电公司', phone: '0000-5100006' },
  { code: 'environment', name: '县生态环境局', phone: '0000-5100007' },
  { code: 'hrss', name: '县人力资源和社会保障局', phone: '0000-5100008' },
];

/**
 * The dispatch catalogue (派单目录). Hours: accept, first contact, resolve. Water, power, gas and
 * heating are resolved within 24 h, wage arrears are complex (15 days), the rest within 7 days.
 * A category without a department waits for a dispatcher.
 */
export interface DemoCategory {
  code: string;
  name: string;
  group: string;
  departmentCode: string | null;
  resolveHours?: number;
}
export const demoCategories: DemoCategory[] = [
  { code: 'water-supply', name: '停水、水质问题', group: '公用事业', departmentCode: 'water', resolveHours: 24 },
  { code: 'power-supply', name: '停电、电力设施', group: '公用事业', departmentCode: 'power', resolveHours: 24 },
  { code: 'gas-supply', name: '燃气供应与安全', group: '公用事业', departmentCode: 'housing', resolveHours: 24 },
  { code: 'heating', name: '供暖不热', group: '公用事业', departmentCode: 'housing', resolveHours: 24 },
  { code: 'road-damage', name: '道路破损、井盖缺失', group: '交通出行', departmentCode: 'transport' },
  { code: 'bus-service', name: '公交与客运', group: '交通出行', departmentCode: 'transport' },
  { code: 'street-lights', name: '路灯不亮', group: '城市管理', departmentCode: 'urban' },
  { code: 'sanitation', name: '垃圾清运、环境卫生', group: '城市管理', departmentCode: 'urban' },
  { code: 'street-vending', name: '占道经营', group: '城市管理', departmentCode: 'urban' },
  { code: 'noise', name: '噪声扰民', group: '生态环境', departmentCode: 'environment' },
  { code: 'pollution', name: '污水、废气排放', group: '生态环境', departmentCode: 'environment' },
  { code: 'food-safety', name: '食品安全', group: '市场监管', departmentCode: 'market' },
  { code: 'prices', name: '价格与消费纠纷', group: '市场监管', departmentCode: 'market' },
  { code: 'housing-safety', name: '房屋安全、物业纠纷', group: '住房城建', departmentCode: 'housing' },
  { code: 'wage-arrears', name: '拖欠工资', group: '劳动社保', departmentCode: 'hrss', resolveHours: 15 * 24 },
  { code: 'social-security', name: '社保与就业咨询', group: '劳动社保', departmentCode: 'hrss' },
  { code: 'other', name: '其他问题', group: '其他', departmentCode: null },
];

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段';
const GIVEN = ['建国', '秀英', '志强', '丽娟', '海燕', '国华', '春梅', '文博', '晓东', '桂兰', '永强', '玉兰', '明辉', '红霞', '俊杰', '淑珍', '子轩', '雨涵', '德明', '凤英'];
const personName = (i: number) => SURNAMES[(i * 7) % SURNAMES.length] + GIVEN[(i * 3) % GIVEN.length];
const phoneOf = (i: number) => `1380000${String(i).padStart(4, '0')}`;

const staff: DemoPerson[] = [
  { username: 'admin', name: '系统管理员', roles: ['admin'], regionCodes: ['DX'], phone: phoneOf(1), contactId: 'wxid_demo_admin', contactBound: true },
  { username: 'dispatcher', name: personName(2), roles: ['dispatcher'], regionCodes: ['DX'], phone: phoneOf(2), contactId: 'wxid_demo_dispatcher' },
  { username: 'chengguan', name: personName(3), roles: ['dispatcher'], regionCodes: ['DX-01'], phone: phoneOf(3) },
  { username: 'editor', name: personName(4), roles: ['editor'], phone: phoneOf(4) },
  { username: 'reviewer', name: personName(5), roles: ['reviewer'], phone: phoneOf(5) },
  // A reviewer approves one level of an article: 政务's three levels need three reviewers.
  { username: 'reviewer2', name: personName(6), roles: ['reviewer'], phone: phoneOf(6) },
  { username: 'reviewer3', name: personName(7), roles: ['reviewer'], phone: phoneOf(7) },
  ...communityList.map(([code, name, slug], i): DemoPerson => ({
    username: slug,
    name: personName(10 + i),
    roles: ['community_staff'],
    regionCodes: [code],
    phone: phoneOf(10 + i),
    contactId: `wxid_demo_${slug}_staff`,
    // Half of the community staff have bound their WeChat, so they can manage their groups, and
    // 西城社区's: a group code works only from its maker's bound WeChat, and the README binds the
    // unbound 西城社区邻里群 as her.
    contactBound: i % 2 === 0 || slug === 'xicheng',
  })),
  ...communityList.flatMap(([code, , slug], c) =>
    GRID_NAMES.map((_, g): DemoPerson => ({
      username: `${slug}_grid${g + 1}`,
      name: personName(20 + c * 3 + g),
      roles: ['grid_worker'],
      regionCodes: [`${code}-0${g + 1}`],
      phone: phoneOf(20 + c * 3 + g),
      contactId: `wxid_demo_${slug}_grid${g + 1}`,
      contactBound: g === 0,
    })),
  ),
  ...demoDepartments.map((d, i): DemoPerson => ({ username: `dept_${d.code}`, name: personName(50 + i), roles: ['department_staff'], departmentCode: d.code, phone: phoneOf(50 + i) })),
];

const residents: DemoPerson[] = Array.from({ length: 30 }, (_, i): DemoPerson => {
  const n = String(i + 1).padStart(2, '0');
  return {
    openid: `demo-resident-${n}`,
    name: personName(100 + i),
    roles: ['resident'],
    // Resident 30 has not chosen a community yet: the mini-program asks them to.
    homeRegionCode: i === 29 ? undefined : communityList[i % communityList.length][0],
    phone: phoneOf(100 + i),
    contactId: `wxid_demo_resident_${n}`,
  };
});

export const demoPeople: DemoPerson[] = [...staff, ...residents];

export const demoGroupChats: DemoGroupChat[] = communityList.map(([code, name, slug], i) => ({
  roomId: `${slug}-neighbours@chatroom`,
  topic: `${name}邻里群`,
  communityCode: code,
  // Two groups are left unbound to try binding with a code from the workbench.
  bound: i !== 1 && i !== 4,
  memberContactIds: [
    `wxid_demo_${slug}_staff`,
    ...GRID_NAMES.map((_, g) => `wxid_demo_${slug}_grid${g + 1}`),
    ...residents.filter((r) => r.homeRegionCode === code).map((r) => r.contactId!),
  ],
}));

export const demoCounty = {
  name: '东溪县',
  prefix: 'DX',
  regions: demoRegions,
  departments: demoDepartments,
  categories: demoCategories,
  people: demoPeople,
  groupChats: demoGroupChats,
  bot: DEMO_BOT,
  password: DEMO_PASSWORD,
};
