/**
 * The privacy walk: appeals with reporters, followers, 代报 and a group-chat filing are read by every
 * role through every appeal response (details, every list view, counts, 同问 candidates), and every
 * string of every answer is searched for the names, phones and private text the viewer may not see.
 * Names and phones are unique to this suite (set before filing), so a hit is a leak, not a namesake.
 */
import type { TestServer } from '../helpers/server';
import { TEST_BOT_TOKEN, demoIds, fileAppeal, move, newKey, startAppealsServer, type AppealsTestServer, type DemoIds } from '../helpers/appeals';

let env: AppealsTestServer;
let s: TestServer;
let ids: DemoIds;

const REPORTER = { openid: 'demo-resident-01', name: '欧阳秀兰', phone: '13712340001' };
const FOLLOWER = { openid: 'demo-resident-02', name: '司马文静', phone: '13712340002' };
const OTHER = 'demo-resident-03';
const PROXY_REPORTER = { name: '诸葛明远', phone: '13912340003' };
const GROUP_MEMBER = { id: 'wxid_privacy_walk_member', name: '慕容雪晴' };
/** Text a reporter writes that must be masked wherever the appeal is shown to the public. */
const THIRD_PARTY_PHONE = '13766668888';
const ID_NUMBER = '110101199003071234';
const HOUSE = '502室';
const PRIVATE_TEXT = `楼下漏水，联系邻居${THIRD_PARTY_PHONE}，身份证${ID_NUMBER}，住5号楼3单元${HOUSE}`;
/** The point chosen on the map: exact only to those who read the text as written, rounded (0.01°) for the rest. */
const POINT = { lat: 28.903456, lng: 118.876543, name: `幸福路12号${HOUSE}`, address: `东溪县城关镇幸福路12号5号楼${HOUSE}` };
const POINT_SECRETS = [POINT.lat, POINT.lng];

type Kind = 'P' | 'PA' | 'Q' | 'QA' | 'G' | 'B';
/** P public, PA public anonymous, Q private, QA private anonymous (all by the reporter in 西城社区 grid 1, water);
 * G a grid worker's 代报 in the same grid; B a group-chat filing in 东城社区 through the bot. */
const appeal: Record<Kind, { id: string; anonymous: boolean; grid1: boolean; water: boolean; community: 'xicheng' | 'dongcheng' }> = {} as never;
const secretsOf = (k: Kind): { who: string; text: string }[] =>
  k === 'G'
    ? [{ who: 'proxy', text: PROXY_REPORTER.name }, { who: 'proxy', text: PROXY_REPORTER.phone }]
    : k === 'B'
      ? [{ who: 'member', text: GROUP_MEMBER.name }]
      : [
          { who: 'reporter', text: REPORTER.name },
          { who: 'reporter', text: REPORTER.phone },
          { who: 'follower', text: FOLLOWER.name },
          { who: 'follower', text: FOLLOWER.phone },
        ];

/** Who reads, and what they may see of each appeal: people's data (`person`) and the unmasked text. */
interface Viewer {
  key: string;
  token: string;
  /** May they see the name/phone of `who` on this appeal? */
  person(k: Kind, who: string): boolean;
  /** May they see the description, notes and answer unmasked (they work on it or wrote it)? */
  fullText(k: Kind): boolean;
}

const handles = (k: Kind) => !appeal[k].anonymous;
const VIEWERS: { key: string; staff?: string; resident?: string; person: Viewer['person']; fullText: Viewer['fullText'] }[] = [
  { key: 'reporter', resident: REPORTER.openid, person: (k, who) => who === 'reporter' && k !== 'B' && k !== 'G', fullText: (k) => k !== 'B' && k !== 'G' },
  { key: 'follower', resident: FOLLOWER.openid, person: (k, who) => who === 'follower', fullText: () => false },
  { key: 'other resident', resident: OTHER, person: () => false, fullText: () => false },
  { key: 'grid worker of the grid', staff: 'xicheng_grid1', person: (k) => appeal[k].grid1 && handles(k), fullText: (k) => appeal[k].community === 'xicheng' },
  { key: 'grid worker of another grid', staff: 'xicheng_grid2', person: () => false, fullText: (k) => appeal[k].community === 'xicheng' },
  { key: 'community staff', staff: 'xicheng', person: () => false, fullText: (k) => appeal[k].community === 'xicheng' },
  { key: 'group community staff', staff: 'dongcheng', person: () => false, fullText: (k) => appeal[k].community === 'dongcheng' },
  { key: 'group community grid worker', staff: 'dongcheng_grid1', person: () => false, fullText: (k) => appeal[k].community === 'dongcheng' },
  { key: 'department handler', staff: 'dept_water', person: (k) => appeal[k].water && handles(k), fullText: (k) => appeal[k].water },
  { key: 'other department', staff: 'dept_urban', person: () => false, fullText: () => false },
  { key: 'dispatcher', staff: 'dispatcher', person: () => true, fullText: () => true },
  { key: 'editor', staff: 'editor', person: () => false, fullText: () => false },
  { key: 'admin', staff: 'admin', person: () => true, fullText: () => true },
];
const viewers: Viewer[] = [];

beforeAll(async () => {
  env = await startAppealsServer();
  s = env.server;
  ids = await demoIds(s);
  const { User } = s.models;
  for (const p of [REPORTER, FOLLOWER]) await User.updateOne({ _id: await ids.user(p.openid) }, { $set: { name: p.name, phone: p.phone } });
  for (const v of VIEWERS) viewers.push({ key: v.key, token: v.staff ? await s.staffToken(v.staff) : await s.residentToken(v.resident), person: v.person, fullText: v.fullText });
  const tok = (key: string) => viewers.find((v) => v.key === key)!.token;
  const water = await s.staffToken('dept_water');
  const grid1 = ids.region['DX-01-02-01'];

  // Every event a resident can add: 提交, 同问 (public ones), 催办, 评价 after a 重新办理.
  for (const [k, isPublic, isAnonymous] of [['P', true, false], ['PA', true, true], ['Q', false, false], ['QA', false, true]] as const) {
    const a = await fileAppeal(s, tok('reporter'), { regionId: grid1, categoryId: ids.category['water-supply'], isPublic, isAnonymous, description: PRIVATE_TEXT, place: `幸福路12号${HOUSE}`, location: POINT });
    expect(a.state).toBe('assigned');
    appeal[k] = { id: a.id, anonymous: isAnonymous, grid1: true, water: true, community: 'xicheng' };
    if (isPublic) await move(s, tok('follower'), a.id, 'follow');
    await move(s, tok('reporter'), a.id, 'remind', { note: `请联系${THIRD_PARTY_PHONE}` });
    await move(s, water, a.id, 'start', { note: '已联系反映人' });
    await move(s, water, a.id, 'reply', { answer: `已派人到5号楼3单元${HOUSE}维修，联系电话${THIRD_PARTY_PHONE}` });
    await move(s, tok('reporter'), a.id, 'reopen', { reason: `仍然漏水，${HOUSE}天花板还在滴水` });
    await move(s, water, a.id, 'reply', { answer: '已再次维修完毕' });
    await move(s, tok('reporter'), a.id, 'rate', { resolved: true, satisfaction: 'satisfied', comment: `谢谢，${HOUSE}已经不漏了` });
  }
  // A grid worker files for a resident of their grid (代报), private.
  const g = await fileAppeal(s, tok('grid worker of the grid'), {
    regionId: grid1, categoryId: ids.category['water-supply'], isPublic: false, description: PRIVATE_TEXT, channel: 'grid_worker', reporter: PROXY_REPORTER,
  });
  appeal.G = { id: g.id, anonymous: false, grid1: true, water: true, community: 'xicheng' };
  // A member of 东城社区's group says #报事 through the bot.
  const b = await s.api('POST', '/api/v1/bot/appeals', {
    token: TEST_BOT_TOKEN,
    body: { idempotencyKey: newKey('walk'), channel: 'group_chat', roomId: 'dongcheng-neighbours@chatroom', contact: GROUP_MEMBER, text: `公开 ${PRIVATE_TEXT}`, photoIds: [] },
  });
  expect(b.status).toBe(201);
  appeal.B = { id: b.body.id, anonymous: false, grid1: false, water: false, community: 'dongcheng' };
}, 120_000);
afterAll(async () => {
  await env?.stop();
});

const kindOf = (id: unknown): Kind | null => (Object.keys(appeal) as Kind[]).find((k) => appeal[k].id === id) ?? null;
const TEXT_SECRETS = [THIRD_PARTY_PHONE, ID_NUMBER, HOUSE];
const SECRETS = [...new Map((['P', 'G', 'B'] as Kind[]).flatMap(secretsOf).map((x) => [x.text, x])).values()];

/**
 * Every string in `value`, each with the appeal it belongs to (the nearest enclosing object whose
 * `id` is one of this suite's appeals), checked against what the viewer may see of that appeal.
 */
function walk(v: Viewer, value: unknown, where: string, within: Kind | null, leaks: string[]): void {
  if (typeof value === 'number') {
    // The exact point is shown only as the text is: rounded (28.9) for everyone else.
    if (POINT_SECRETS.includes(value) && (!within || !v.fullText(within))) leaks.push(`${v.key} sees the exact point ${value} of ${within ?? 'another appeal'} at ${where}`);
    return;
  }
  if (typeof value === 'string') {
    for (const sec of SECRETS) {
      if (!value.includes(sec.text)) continue;
      // A name or phone is fine only inside the appeal it belongs to, and only if this viewer may see it there.
      const mine = within !== null && secretsOf(within).some((x) => x.text === sec.text);
      if (!mine || !v.person(within!, sec.who)) leaks.push(`${v.key} sees ${sec.who} "${sec.text}" in ${within ?? 'another appeal'} at ${where}: ${value}`);
    }
    if (within && !v.fullText(within)) for (const t of TEXT_SECRETS) if (value.includes(t)) leaks.push(`${v.key} sees private text "${t}" of ${within} at ${where}: ${value}`);
    return;
  }
  if (Array.isArray(value)) return value.forEach((x, i) => walk(v, x, `${where}[${i}]`, within, leaks));
  if (value && typeof value === 'object') {
    const own = kindOf((value as { id?: unknown }).id);
    for (const [key, x] of Object.entries(value)) walk(v, x, `${where}.${key}`, own ?? within, leaks);
  }
}

const VIEWS = ['mine', 'inbox', 'queue', 'direct', 'overdue', 'public'];

async function everyResponse(v: Viewer): Promise<{ where: string; body: unknown; within: Kind | null }[]> {
  const out: { where: string; body: unknown; within: Kind | null }[] = [];
  const get = async (path: string, within: Kind | null = null) => {
    const res = await s.api('GET', path, { token: v.token });
    if (res.status === 200) out.push({ where: path, body: res.body, within });
    else expect([403, 404]).toContain(res.status);
    return res;
  };
  for (const k of Object.keys(appeal) as Kind[]) await get(`/api/v1/appeals/${appeal[k].id}`, k);
  for (const view of VIEWS) {
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res: { status: number; body: any } = await get(`/api/v1/appeals?view=${view}&limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      cursor = res.status === 200 ? res.body.nextCursor : null;
      if (!cursor) break;
    }
  }
  await get('/api/v1/appeals/counts');
  for (const region of ['DX-01-02', 'DX-01-02-01', 'DX-01-01']) for (const cat of ['water-supply', 'other']) await get(`/api/v1/appeals/similar?categoryId=${ids.category[cat]}&regionId=${ids.region[region]}`);
  return out;
}

describe('every appeal response, walked for every role', () => {
  it('the suite reaches the data it guards (the walk is not vacuous)', async () => {
    // Catches: a walk that passes because nobody sees anything (a broken setup), not because nothing leaks.
    const admin = viewers.find((v) => v.key === 'admin')!;
    const d = await s.api('GET', `/api/v1/appeals/${appeal.PA.id}`, { token: admin.token });
    const text = JSON.stringify(d.body);
    for (const t of [REPORTER.name, REPORTER.phone, FOLLOWER.name, THIRD_PARTY_PHONE]) expect(text).toContain(t);
    expect(d.body.location).toMatchObject({ lat: POINT.lat, lng: POINT.lng, approximate: false });
    expect(d.body.timeline.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['submit', 'follow', 'remind', 'reopen', 'rate']));
  });

  it('shows 匿名, 张* or the name itself where the rule says so', async () => {
    // Catches: a walk that passes because names vanished altogether (e.g. every actor shown as 居民),
    // instead of each viewer seeing the appearance the rule gives them.
    const byNames = async (key: string, k: Kind) => {
      const d = await s.api('GET', `/api/v1/appeals/${appeal[k].id}`, { token: viewers.find((v) => v.key === key)!.token });
      expect(d.status).toBe(200);
      return Object.fromEntries(d.body.timeline.filter((e: { byRole: string }) => e.byRole === 'resident').map((e: { action: string; byName: string }) => [e.action, e.byName]));
    };
    expect(await byNames('department handler', 'PA')).toEqual({ submit: '匿名', follow: '匿名', remind: '匿名', reopen: '匿名', rate: '匿名' });
    expect(await byNames('department handler', 'P')).toMatchObject({ submit: REPORTER.name, follow: FOLLOWER.name });
    expect(await byNames('community staff', 'P')).toMatchObject({ submit: '欧*', follow: '司*' });
    expect(await byNames('reporter', 'PA')).toMatchObject({ submit: REPORTER.name, follow: '匿名' });
    expect(await byNames('dispatcher', 'PA')).toMatchObject({ submit: REPORTER.name, follow: FOLLOWER.name });
    const publicView = await s.api('GET', `/api/v1/appeals/${appeal.P.id}`, { token: viewers.find((v) => v.key === 'other resident')!.token });
    expect(publicView.body.description).toBe('楼下漏水，联系邻居137****8888，身份证******************，住*号楼*单元*室');
    expect(publicView.body.place).toBe('幸福路*号*室');
    expect(publicView.body.location).toEqual({ lat: 28.9, lng: 118.88, name: '幸福路*号*室', address: '东溪县城关镇幸福路*号*号楼*室', approximate: true });
  });

  it.each(VIEWERS.map((v) => v.key))('%s sees no name, phone or private text they may not see', async (key) => {
    // Catches: an anonymous reporter named in the timeline (提交 催办 评价 重新办理 同问) to the
    // department, the community or its grid workers; a name unmasked for staff outside the
    // reporter's grid; a follower or group member named; phones, ID and house numbers in text
    // shown publicly (description, excerpt, place, answer, notes, rating comment); the exact point
    // on the map, or its name and address unmasked, to anyone who reads the appeal only because it is public.
    const v = viewers.find((x) => x.key === key)!;
    const leaks: string[] = [];
    for (const r of await everyResponse(v)) walk(v, r.body, r.where, r.within, leaks);
    expect(leaks).toEqual([]);
  });
});
