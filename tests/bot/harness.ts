/**
 * Starts the bot on the simulated WeChat of the demo county (common/demo-county.ts), with a
 * log capture and a record of the HTTP requests the bot sends. Tests point it at the real server
 * (tests/helpers/server.ts), or at a closed port for "server down".
 */
import { createServer } from 'node:net';
import { FileBox } from 'file-box';
import pino from 'pino';
import sharp from 'sharp';
import { types } from 'wechaty';
import { createBot, type CreateBotOptions, type XianrongBot } from '../../bot/runtime/create-bot';
import { createSimulatedWechat, type SimulatedCounty, type SimulatedWechat, type TranscriptEntry } from '../../bot/simulator/simulated-wechat';

/** Ids of the demo county: group chats and WeChat contacts as the seed writes them. */
export const DEMO = {
  /** 西城社区 (DX-01-02): its group is seeded unbound; its staff's WeChat (秦红霞) is bound. */
  xicheng: {
    regionCode: 'DX-01-02',
    regionName: '西城社区',
    room: 'xicheng-neighbours@chatroom',
    topic: '西城社区邻里群',
    staffUsername: 'xicheng',
    staff: 'wxid_demo_xicheng_staff',
    resident: 'wxid_demo_resident_02',
  },
  /** 东城社区 (DX-01-01): its group is seeded bound; its staff's WeChat is bound. */
  dongcheng: {
    regionCode: 'DX-01-01',
    regionName: '东城社区',
    room: 'dongcheng-neighbours@chatroom',
    topic: '东城社区邻里群',
    staffUsername: 'dongcheng',
    staff: 'wxid_demo_dongcheng_staff',
    resident: 'wxid_demo_resident_01',
  },
  /** 杨柳村 (DX-02-02): its group is seeded unbound. */
  yangliu: {
    room: 'yangliu-neighbours@chatroom',
    staff: 'wxid_demo_yangliu_staff',
  },
} as const;

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export function captureLogger() {
  const lines: LogLine[] = [];
  const waiting = new Set<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  const logger = pino({ level: 'debug' }, {
    write: (text: string) => {
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      for (const w of waiting) {
        if (w.match(line)) {
          waiting.delete(w);
          w.resolve(line);
        }
      }
    },
  });
  /** The first line (already written or still to come) that matches; rejects after `timeoutMs`. */
  function waitFor(match: (l: LogLine) => boolean, timeoutMs = 5000): Promise<LogLine> {
    const found = lines.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = {
        match,
        resolve: (l: LogLine) => {
          clearTimeout(timer);
          resolve(l);
        },
      };
      const timer = setTimeout(() => {
        waiting.delete(w);
        reject(new Error(`no matching log line within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.add(w);
    });
  }
  return { logger, lines, waitFor };
}

export interface SentRequest {
  method: string;
  /** Path with the query, e.g. `/api/v1/bot/bindings/redeem`. */
  path: string;
  authorization: string | null;
  body: unknown;
}

/** Wraps the global fetch and records what the bot sends (the requests still go out unchanged). */
export function recordingFetch(inner: typeof fetch = fetch) {
  const requests: SentRequest[] = [];
  const wrapped: typeof fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers = new Headers(init?.headers);
    requests.push({
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      authorization: headers.get('authorization'),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    return inner(input, init);
  };
  return { fetch: wrapped, requests };
}

export interface Harness {
  sim: SimulatedWechat;
  app: XianrongBot;
  logs: LogLine[];
  /** Resolves with the first log line that matches (see captureLogger). */
  waitForLog: ReturnType<typeof captureLogger>['waitFor'];
  /** Every HTTP request the bot sent to the server. */
  requests: SentRequest[];
  /** A member says `text` (in `roomId`, or privately) and the bot's first answer comes back. */
  ask(contactId: string, text: string, roomId?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startHarness(
  options: Partial<CreateBotOptions> & Pick<CreateBotOptions, 'serverUrl' | 'botToken'> & { county?: SimulatedCounty },
): Promise<Harness> {
  const { county, ...botOptions } = options;
  const sim = createSimulatedWechat({ county });
  const { logger, lines, waitFor } = captureLogger();
  const recorder = recordingFetch(options.client?.fetch);
  const app = createBot({
    puppet: sim.puppet,
    logger,
    checkServerOnLogin: false,
    ...botOptions,
    // The outbox loop polls the server on its own; suites that test it turn it on, so the others'
    // request records hold only what their messages caused.
    plugins: { outboxDelivery: false, ...botOptions.plugins },
    // Answers go through the account's pacer like in production, at a pace that does not slow the
    // suites; the pacing suites set their own.
    pace: { minIntervalMs: 0, perMinute: 1000, ...botOptions.pace },
    client: { retryDelayMs: 10, timeoutMs: 5000, ...options.client, fetch: recorder.fetch },
  });
  await app.start();
  sim.login();
  return {
    sim,
    app,
    logs: lines,
    waitForLog: waitFor,
    requests: recorder.requests,
    async ask(contactId, text, roomId) {
      const reply: Promise<TranscriptEntry> = sim.nextBotMessage(roomId ?? contactId, 10_000);
      sim.say({ contactId, roomId, text });
      return (await reply).text;
    },
    stop: () => app.stop(),
  };
}

/** A loopback port nothing listens on (taken, then released): connecting is refused at once. */
export async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/**
 * A small PNG, different per `seed` (the server names photos by their content, so two seeds are
 * two photos), as a FileBox the mock puppet accepts (base64: `fromBuffer` throws in the mock).
 */
export async function demoPhoto(seed = 0): Promise<FileBox> {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: (seed * 53) % 256, g: (seed * 97) % 256, b: 120 } } }).png().toBuffer();
  return FileBox.fromBase64(png.toString('base64'), `photo-${seed}.png`);
}

/** A member sends a photo in a room, or privately to the bot. */
export function sendPhoto(sim: SimulatedWechat, contactId: string, photo: FileBox, roomId?: string): void {
  const speaker = sim.contact(contactId);
  speaker.say(photo).to(roomId ? sim.room(roomId) : sim.botUser);
}

let injected = 0;

/**
 * A message of a kind the mock cannot `say` (a forwarded chat record, a link), injected the way
 * the mock's own tests do; returns its id. Private to the bot unless `roomId` is given.
 */
export function injectMessage(
  sim: SimulatedWechat,
  params: { contactId: string; roomId?: string; type: types.Message; text?: string },
): string {
  const id = `injected-${process.pid}-${++injected}`;
  sim.mocker.MessageMock.create({
    id,
    talkerId: params.contactId,
    ...(params.roomId ? { roomId: params.roomId, mentionIdList: [] } : { listenerId: sim.botUser.id }),
    text: params.text,
    timestamp: Date.now(),
    type: params.type,
  });
  sim.puppet.emit('message', { messageId: id });
  return id;
}
