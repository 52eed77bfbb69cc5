/** Starts the bot on a simulated WeChat against a server URL, with a log capture. */
import pino from 'pino';
import { createBot, type CreateBotOptions, type XianrongBot } from '../../bot/create-bot';
import type { DemoCountyChats } from '../../bot/demo-county-fixture';
import { createSimulatedWechat, type SimulatedWechat, type TranscriptEntry } from '../../bot/simulated-wechat';

export const ROOM = 'test-dongcheng@chatroom';
export const OTHER_ROOM = 'test-xiguan@chatroom';
export const STAFF = 'wx-staff-dongcheng';
export const GRID = 'wx-grid-dongcheng';
export const RESIDENT = 'wx-resident-01';

export const testCounty: DemoCountyChats = {
  groupChats: [
    { roomId: ROOM, topic: '东城社区居民群', communityCode: 'T-DONGCHENG', memberContactIds: [STAFF, GRID, RESIDENT] },
    { roomId: OTHER_ROOM, topic: '西关社区邻里群', communityCode: 'T-XIGUAN', memberContactIds: [RESIDENT] },
  ],
  people: [
    { contactId: STAFF, name: '王丽' },
    { contactId: GRID, name: '赵强' },
    { contactId: RESIDENT, name: '张大爷' },
  ],
};

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export function captureLogger() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

export interface Harness {
  sim: SimulatedWechat;
  app: XianrongBot;
  logs: LogLine[];
  /** A member says `text` (in `roomId`, or privately) and the bot's first answer comes back. */
  ask(contactId: string, text: string, roomId?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startHarness(options: Partial<CreateBotOptions> & Pick<CreateBotOptions, 'serverUrl' | 'botToken'>): Promise<Harness> {
  const sim = createSimulatedWechat({ county: testCounty });
  const { logger, lines } = captureLogger();
  const app = createBot({
    puppet: sim.puppet,
    logger,
    checkServerOnLogin: false,
    client: { retryDelayMs: 10, timeoutMs: 2000 },
    ...options,
  });
  await app.start();
  sim.login();
  return {
    sim,
    app,
    logs: lines,
    async ask(contactId, text, roomId) {
      const reply: Promise<TranscriptEntry> = sim.nextBotMessage(roomId ?? contactId, 3000);
      sim.say({ contactId, roomId, text });
      return (await reply).text;
    },
    stop: () => app.stop(),
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
