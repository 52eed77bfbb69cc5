/**
 * Consultations (议事) under load, each figure beside its baseline in the same run:
 *
 *  1. 1,000 group votes arriving at once through the bot path: 1,000 distinct members of 东城社区邻里群
 *     say `投票 n` within a moment on the simulated WeChat (the official Wechaty mock puppet), the
 *     real bot (createBot, its plugins, the consultation-votes plugin with its 5 s window) gathers
 *     them and sends them in requests of 200 to the project, and says one confirmation. Then the
 *     same 1,000 change their votes. Votes/s from the window's end to the confirmation, and the
 *     whole way from the first message; checked: one batch, the confirmation's number, voters ==
 *     1,000 and the counts summing to 1,000 per option as said (nothing lost, nothing doubled).
 *     Baseline: 1,000 driver `insertOne`s of ballot-sized documents, one by one, into a scratch
 *     collection of the same database.
 *  2. 9,000 more votes through the bot route alone (requests of 200, one after another as the
 *     plugin sends a room's batches), to 10,000 votes; checked the same way.
 *  3. The results read at 10,000 votes (`GET /api/v1/consultations/:id`, anonymous and as a
 *     resident of the community, whose own ballot is looked up), and anonymous of one with no votes
 *     (南门社区's), at 100 connections beside a bare Express 5 route that sends the same bytes
 *     (support/beside-bare.ts): req/s, p50/p99.
 *
 * The project runs in a child process as `npm start` runs it (its own embedded database in a temp
 * folder, the demo county seeded); the bot runs in this process, as `npm run bot` would beside it.
 *
 *   npx tsx bench/consultations.ts [seconds] [rounds]
 *   (default 3 s per measurement (2..30), 2 rounds (1..5); about 3 minutes)
 *
 * Roles of this file: no argument = the bench; `--project` = the project's child.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import pino from 'pino';
import { createBot } from '../bot/runtime/create-bot';
import { createSimulatedWechat } from '../bot/simulator/simulated-wechat';
import { demoCounty } from '../common/demo-county';
import { withDbName } from '../server/db/embedded';
import { serveProject, startChild, type Child } from './support/child';
import { capture, measureBesideBare, startBesideBareRun } from './support/beside-bare';
import { ms, percentile } from './support/stats';

const args = process.argv.slice(2);
const numbers = args.filter((a) => /^\d+$/.test(a)).map(Number);
const SECONDS = Math.min(Math.max(numbers[0] || 3, 2), 30);
const ROUNDS = Math.min(Math.max(numbers[1] || 2, 1), 5);
const GROUP_VOTES = 1000;
const TOTAL_VOTES = 10_000;
const BATCH = 200;
const ROOM = 'dongcheng-neighbours@chatroom';
const OPTIONS = ['方案一：外挂式', '方案二：井道式', '暂不加装'];
const DAY = 24 * 3600 * 1000;

const sec = (t0: number) => (performance.now() - t0) / 1000;
const member = (i: number) => `wxid_bench_voter_${String(i).padStart(5, '0')}`;
/** Member i's choice in round r (1-based option numbers): spread over the three options. */
const choiceOf = (i: number, round: number) => ((i + round) % OPTIONS.length) + 1;

async function call<T>(base: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(base + url, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

interface Detail {
  voters: number;
  options: Array<{ votes: number }>;
}

/** Expected counts per option when members [from, to) last voted in `round`, for each group. */
function expectedCounts(groups: Array<{ from: number; to: number; round: number }>): number[] {
  const counts = OPTIONS.map(() => 0);
  for (const g of groups) for (let i = g.from; i < g.to; i++) counts[choiceOf(i, g.round) - 1]++;
  return counts;
}

function check(what: string, d: Detail, voters: number, counts: number[]): boolean {
  const got = d.options.map((o) => o.votes);
  const ok = d.voters === voters && got.every((n, i) => n === counts[i]);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: voters ${d.voters} (expected ${voters}), counts ${got.join('/')} (expected ${counts.join('/')}), sum ${got.reduce((a, b) => a + b, 0)}`);
  return ok;
}

async function bench(): Promise<void> {
  // The project's bot token: ours, so this process's bot can speak to it.
  process.env.BOT_TOKEN ||= 'bench-bot-token-0123456789abcdef';
  const botToken = process.env.BOT_TOKEN;
  const { tmp, cap, project } = await startBesideBareRun({ title: 'Consultations bench', file: __filename, routes: 3, seconds: SECONDS, rounds: ROUNDS, extraSeconds: 900 });
  const children: Child[] = [project];
  let conn: mongoose.Connection | null = null;
  let ok = true;
  try {
    const base = project.url;
    conn = await mongoose.createConnection(project.extra[0]!).asPromise();
    const staff = { authorization: `Bearer ${(await call<{ accessToken: string }>(base, 'POST', '/api/v1/auth/password-login', { username: 'dongcheng', password: 'xianrong123' })).accessToken}` };
    const resident = { authorization: `Bearer ${(await call<{ accessToken: string }>(base, 'POST', '/api/v1/auth/dev-login', { openid: 'demo-resident-01' })).accessToken}` };
    const region = await conn.collection('regions').findOne({ code: 'DX-01-01' });
    const c = await call<{ id: string; number: number }>(base, 'POST', '/api/v1/consultations', { title: '老楼加装电梯选哪种方案', options: OPTIONS, regionId: String(region!._id), closesAt: new Date(Date.now() + 3 * DAY).toISOString(), idempotencyKey: `bench-consultation-${Date.now()}` }, staff);
    const results = () => call<Detail>(base, 'GET', `/api/v1/consultations/${c.id}`);
    // One with no votes at all, in another community (a second open one in 东城社区 would make every
    // `投票 n` there ask for a number): its read beside the one at 10k shows what the votes cost the read.
    const nanmen = { authorization: `Bearer ${(await call<{ accessToken: string }>(base, 'POST', '/api/v1/auth/password-login', { username: 'nanmen', password: 'xianrong123' })).accessToken}` };
    const nanmenRegion = await conn.collection('regions').findOne({ code: 'DX-01-03' });
    const empty = await call<{ id: string }>(base, 'POST', '/api/v1/consultations', { title: '社区食堂开放时间', options: OPTIONS, regionId: String(nanmenRegion!._id), closesAt: new Date(Date.now() + 3 * DAY).toISOString(), idempotencyKey: `bench-consultation-empty-${Date.now()}` }, nanmen);

    // ---- 1. through the bot ----
    const county = {
      groupChats: demoCounty.groupChats.map((g) => (g.roomId === ROOM ? { ...g, memberContactIds: [...g.memberContactIds, ...Array.from({ length: GROUP_VOTES }, (_, i) => member(i))] } : g)),
      people: [...demoCounty.people, ...Array.from({ length: GROUP_VOTES }, (_, i) => ({ contactId: member(i), name: `邻居${i + 1}` }))],
    };
    const sim = createSimulatedWechat({ county, transcriptLimit: 50 });
    const requestMs: number[] = [];
    const timedFetch: typeof fetch = async (input, init) => {
      const t = performance.now();
      const res = await fetch(input, init);
      if (String(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).endsWith('/bot/consultations/votes')) requestMs.push(performance.now() - t);
      return res;
    };
    let windowEnd = 0;
    const batches: number[] = [];
    /** When the plugin collected the round's first and last vote (its debug log). */
    const collected = { first: 0, last: 0 };
    const logger = pino({ level: 'debug' }, { write: (line: string) => {
      const l = JSON.parse(line) as { msg: string; votes?: number; level: number };
      if (l.msg === 'vote collected') {
        collected.last = performance.now();
        collected.first ||= collected.last;
      } else if (l.msg === 'group votes sent') batches.push(l.votes ?? 0);
      else if (l.level >= 50) process.stderr.write(line);
    } });
    const app = createBot({
      puppet: sim.puppet,
      serverUrl: base,
      botToken,
      logger,
      checkServerOnLogin: false,
      client: { fetch: timedFetch, timeoutMs: 60_000 },
      // As deployed, but without the outbox loop (the seed's notices would take the pacer's slots).
      plugins: {
        outboxDelivery: false,
        consultationVotes: {
          schedule: (fn, wait) => {
            const t = setTimeout(() => {
              windowEnd = performance.now();
              fn();
            }, wait);
            return () => clearTimeout(t);
          },
        },
      },
    });
    await app.start();
    sim.login();
    // Wechaty readies a room (every member's contact) before handing on its first message; 1,000
    // messages at once to a room not yet ready each start that (110 s here): done once first, timed.
    const tr = performance.now();
    // (Room.find readies it.)
    await app.bot.Room.find({ id: ROOM });
    const roomReady = sec(tr);

    const groupRound = async (round: number) => {
      batches.length = 0;
      requestMs.length = 0;
      collected.first = 0;
      const answer = sim.nextBotMessage(ROOM, 300_000);
      const t0 = performance.now();
      for (let i = 0; i < GROUP_VOTES; i++) sim.say({ contactId: member(i), roomId: ROOM, text: `投票 ${choiceOf(i, round)}` });
      const said = (await answer).text;
      const total = sec(t0);
      const batch = (performance.now() - windowEnd) / 1000;
      return { said, total, batch, batches: [...batches], requests: [...requestMs], firstIn: (collected.first - t0) / 1000, allIn: (collected.last - t0) / 1000 };
    };

    console.log(`\n1. ${GROUP_VOTES} group votes at once through the bot (mock puppet → plugins → POST /bot/consultations/votes in requests of ${BATCH}), consultation 第${c.number}号`);
    const first = await groupRound(0);
    const changes = await groupRound(1);
    await app.stop();

    // Baseline: as many plain inserts with the driver, one by one, on the same database.
    const scratch = conn.collection('bench_plain_inserts');
    const tb = performance.now();
    for (let i = 0; i < GROUP_VOTES; i++) await scratch.insertOne({ _id: `bench-${i}` as never, consultationId: c.id, choices: [choiceOf(i, 0)], channel: 'group_chat', changes: 1, at: new Date() });
    const plain = sec(tb);
    await scratch.drop();

    const h1 = `${'run'.padEnd(44)} ${'votes/s'.padStart(8)} ${'seconds'.padStart(8)} ${'request p50/p99 ms'.padStart(19)}`;
    console.log(h1);
    console.log('-'.repeat(h1.length));
    for (const [name, r] of [['first votes', first], ['the same 1000 change', changes]] as const) {
      console.log(`${`${name}: window end → confirmation`.padEnd(44)} ${(GROUP_VOTES / r.batch).toFixed(0).padStart(8)} ${r.batch.toFixed(2).padStart(8)} ${`${ms(percentile(r.requests, 50))} / ${ms(percentile(r.requests, 99))}`.padStart(19)}`);
      console.log(`${`${name}: first message → confirmation`.padEnd(44)} ${(GROUP_VOTES / r.total).toFixed(0).padStart(8)} ${r.total.toFixed(2).padStart(8)}`);
      console.log(`${''.padEnd(6)}(the plugin had the first vote after ${r.firstIn.toFixed(2)} s and all after ${r.allIn.toFixed(2)} s; then the 5 s window; ${r.requests.length} requests; said: ${r.said})`);
    }
    console.log(`(before the rounds: Wechaty readied the room and its ${GROUP_VOTES + 9} members in ${roomReady.toFixed(2)} s, once per bot start)`);
    console.log(`${'baseline: driver insertOne, one by one'.padEnd(44)} ${(GROUP_VOTES / plain).toFixed(0).padStart(8)} ${plain.toFixed(2).padStart(8)}`);
    const expectAnswer = (changed: number) => `已记录第${c.number}号议事 ${GROUP_VOTES} 位邻居的投票${changed ? `（其中 ${changed} 位改票）` : ''}。投票内容保密，截止前可改。`;
    for (const [r, changed] of [[first, 0], [changes, GROUP_VOTES]] as const) {
      const good = r.batches.length === 1 && r.batches[0] === GROUP_VOTES && r.said === expectAnswer(changed);
      console.log(`${good ? 'ok  ' : 'FAIL'} one batch of ${GROUP_VOTES} and its confirmation (${r.batches.length} batch(es): ${r.batches.join(', ')})`);
      ok &&= good;
    }
    ok = check(`after the group rounds`, await results(), GROUP_VOTES, expectedCounts([{ from: 0, to: GROUP_VOTES, round: 1 }])) && ok;

    // ---- 2. the bot route alone, to 10k ----
    console.log(`\n2. ${TOTAL_VOTES - GROUP_VOTES} more votes through the bot route alone (requests of ${BATCH}, one after another)`);
    const routeMs: number[] = [];
    let refused = 0;
    const t2 = performance.now();
    for (let from = GROUP_VOTES; from < TOTAL_VOTES; from += BATCH) {
      const votes = Array.from({ length: Math.min(BATCH, TOTAL_VOTES - from) }, (_, k) => ({ messageId: `bench-msg-${from + k}`, roomId: ROOM, contactId: member(from + k), choices: [choiceOf(from + k, 0)] }));
      const t = performance.now();
      const r = await call<{ results: Array<{ receipt: unknown }> }>(base, 'POST', '/api/v1/bot/consultations/votes', { votes }, { authorization: `Bearer ${botToken}` });
      routeMs.push(performance.now() - t);
      refused += r.results.filter((x) => !x.receipt).length;
    }
    const route = sec(t2);
    console.log(`bot route: ${((TOTAL_VOTES - GROUP_VOTES) / route).toFixed(0)} votes/s (${route.toFixed(1)} s; a request of ${BATCH}: p50 ${ms(percentile(routeMs, 50))} / p99 ${ms(percentile(routeMs, 99))} ms; ${refused} refused)`);
    ok = check(`at ${TOTAL_VOTES}`, await results(), TOTAL_VOTES, expectedCounts([{ from: 0, to: GROUP_VOTES, round: 1 }, { from: GROUP_VOTES, to: TOTAL_VOTES, round: 0 }])) && ok && refused === 0;

    // ---- 3. the results read at 10k ----
    console.log(`\n3. The results at ${TOTAL_VOTES} votes at 100 connections beside a bare route`);
    const routes = [
      await capture(base, 'GET /consultations/:id (anonymous)', `/api/v1/consultations/${c.id}`),
      await capture(base, 'GET /consultations/:id (resident)', `/api/v1/consultations/${c.id}`, resident),
      await capture(base, 'the same, 0 votes (anonymous)', `/api/v1/consultations/${empty.id}`),
    ];
    const file = path.join(tmp, 'bare-routes.json');
    await fs.writeFile(file, JSON.stringify(routes));
    const bare = await startChild(path.join(__dirname, 'api.ts'), ['--bare', file], process.env);
    children.push(bare);
    ok = (await measureBesideBare(routes, base, bare.url, { seconds: SECONDS, rounds: ROUNDS, nameWidth: 36 })) && ok;
    console.log(`\nreq/s: mean of ${ROUNDS} rounds; p50/p99: median of the rounds' figures. ratio = project req/s / bare req/s.`);
    console.log('The counts are kept on the consultation by increments: the read is one document whatever the number of votes; a resident also reads their own ballot (by its id).');
    if (!ok) {
      console.error('\na check failed or some responses were not 2xx: the figures above are not meaningful');
      process.exitCode = 1;
    }
  } finally {
    await conn?.close();
    for (const ch of children.reverse()) await ch.stop();
    await fs.rm(tmp, { recursive: true, force: true });
    clearTimeout(cap);
  }
}

const role = process.argv[2];
const main = role === '--project' ? serveProject((server) => [withDbName(server.embedded!.uri, 'xianrong')]) : bench();
main.then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
