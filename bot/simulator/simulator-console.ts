/**
 * A loopback HTTP console to play the simulated WeChat: talk as any demo member in a group or
 * privately to the bot, and read what the group shows.
 *
 *   GET  /                                  a web page to play it in a browser (Accept: text/html);
 *                                           usage, rooms and contacts as JSON otherwise
 *                                           (Accept: application/json, curl's default, or ?format=json)
 *   GET  /rooms                             group chats with their members
 *   POST /say {roomId?, contactId, text, waitMs?}  say it; answers with the bot's replies
 *   GET  /rooms/:roomId/messages            recent transcript of a group
 *   GET  /contacts/:contactId/messages      recent private chat between a member and the bot
 *
 * With the demo county (common/demo-county.ts): 西城社区 staff get a code in the workbench
 * (or `POST /api/v1/binding-codes {type:'room', regionId}` as `xicheng`), then
 *
 *   curl -s localhost:<port>/say -d '{"roomId":"xicheng-neighbours@chatroom","contactId":"wxid_demo_xicheng_staff","text":"绑定 123456"}'
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { SimulatedWechat } from './simulated-wechat';
import { renderSimulatorPage, type SimulatorPageData } from './simulator-page/page';

export interface SimulatorConsoleOptions {
  sim: SimulatedWechat;
  /** 0 picks a free port. */
  port: number;
  /** Loopback only by design. */
  host?: '127.0.0.1' | '::1' | 'localhost';
  logger?: Logger;
}

export interface SimulatorConsole {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024;

/**
 * Ids from the demo county (common/demo-county.ts): xicheng-neighbours@chatroom is seeded
 * unbound, dongcheng-neighbours@chatroom bound to 东城社区 with its staff's WeChat bound.
 */
const USAGE_EXAMPLES = {
  bindRoom: {
    note: 'as 西城社区 staff: get a room code (workbench, or POST /api/v1/binding-codes {"type":"room","regionId":"<西城社区 id>"} as user xicheng), then say it in the group',
    request: 'POST /say',
    body: { roomId: 'xicheng-neighbours@chatroom', contactId: 'wxid_demo_xicheng_staff', text: '绑定 123456' },
  },
  bindContact: {
    note: 'a staff member binds their own WeChat: a contact code ({"type":"contact"}) said privately to the bot',
    request: 'POST /say',
    body: { contactId: 'wxid_demo_xicheng_staff', text: '绑定 123456' },
  },
  unbindRoom: {
    note: 'bound staff of the community release a group',
    request: 'POST /say',
    body: { roomId: 'dongcheng-neighbours@chatroom', contactId: 'wxid_demo_dongcheng_staff', text: '解绑' },
  },
  transcript: 'GET /rooms/xicheng-neighbours@chatroom/messages',
};
const MAX_WAIT_MS = 10_000;
/**
 * How long /say waits for the bot's replies by default: longer than the bot's pace (every answer
 * goes through it, BOT_SEND_MIN_INTERVAL_MS, 3 s by default), so an answer queued behind the
 * previous one still arrives. It returns as soon as the replies have settled.
 */
const DEFAULT_WAIT_MS = 5000;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendHtml(res: ServerResponse, html: string, nonce: string) {
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    Vary: 'Accept',
  });
  res.end(html);
}

/** q of a media type in an Accept header (exact type only; 0 when absent). */
function acceptQ(accept: string, type: string): number {
  for (const part of accept.split(',')) {
    const [name, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (name !== type) continue;
    const q = params.find((p) => p.startsWith('q='));
    const value = q ? Number(q.slice(2)) : 1;
    return Number.isFinite(value) ? value : 0;
  }
  return 0;
}

/** The page for browsers; JSON for `?format=json`, `Accept: application/json`, and the wildcard Accept of curl and fetch. */
function wantsHtml(req: IncomingMessage, url: URL): boolean {
  const format = url.searchParams.get('format');
  if (format === 'json') return false;
  if (format === 'html') return true;
  const accept = req.headers.accept ?? '';
  const html = acceptQ(accept, 'text/html');
  return html > 0 && html > acceptQ(accept, 'application/json');
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The console is reachable from any page the person has open in a browser on this machine: refuse
 * a Host that is not loopback (DNS rebinding) and a POST from another origin (a foreign page
 * posting to /say). curl and Node's fetch send no Origin, so they are unaffected.
 */
function checkBrowserOrigin(req: IncomingMessage) {
  const host = req.headers.host ?? '';
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  if (host && !LOOPBACK_HOSTS.has(hostname)) throw new HttpError(403, `host ${host} is not loopback`);
  const origin = req.headers.origin;
  if (req.method !== 'GET' && req.method !== 'HEAD' && origin !== undefined && origin !== `http://${host}`) {
    throw new HttpError(403, `cross-origin request from ${origin} refused`);
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'body must be a JSON object');
  }
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new HttpError(400, `${key} must be a string`);
  return value;
}

export async function startSimulatorConsole(options: SimulatorConsoleOptions): Promise<SimulatorConsole> {
  const { sim, logger } = options;
  const host = options.host ?? '127.0.0.1';

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    checkBrowserOrigin(req);

    if (req.method === 'GET' && parts.length === 0 && wantsHtml(req, url)) {
      const names = new Map(sim.contacts().map((c) => [c.contactId, c.name]));
      const person = (contactId: string) => ({ contactId, name: names.get(contactId) ?? contactId });
      const data: SimulatorPageData = {
        bot: { contactId: sim.botUser.id, name: sim.botUser.payload.name },
        rooms: sim.rooms().map((r) => ({
          roomId: r.roomId,
          topic: r.topic,
          members: r.memberContactIds.filter((id) => id !== sim.botUser.id).map(person),
        })),
        contacts: sim.contacts().filter((c) => c.contactId !== sim.botUser.id),
      };
      const nonce = randomBytes(16).toString('base64');
      return sendHtml(res, renderSimulatorPage(data, nonce), nonce);
    }
    if (req.method === 'GET' && parts.length === 0) {
      return send(res, 200, {
        usage: {
          page: 'open this address in a browser for a web page to chat in the simulated groups',
          say: 'POST /say {"roomId":"...@chatroom","contactId":"...","text":"..."} (omit roomId for a private chat with the bot; waitMs = how long to wait for replies, default 5000: the bot answers at its pace, one message every 3 s by default)',
          roomTranscript: 'GET /rooms/:roomId/messages',
          privateTranscript: 'GET /contacts/:contactId/messages',
          examples: USAGE_EXAMPLES,
        },
        bot: { contactId: sim.botUser.id, name: sim.botUser.payload.name },
        rooms: sim.rooms(),
        contacts: sim.contacts(),
      });
    }
    if (req.method === 'GET' && parts.length === 1 && parts[0] === 'favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET' && parts.length === 1 && parts[0] === 'rooms') return send(res, 200, { items: sim.rooms() });
    if (req.method === 'GET' && parts.length === 3 && parts[2] === 'messages' && (parts[0] === 'rooms' || parts[0] === 'contacts')) {
      const id = parts[1]!;
      if (parts[0] === 'rooms') sim.room(id);
      else sim.contact(id);
      return send(res, 200, { conversationId: id, messages: sim.transcript(id) });
    }
    if (req.method === 'POST' && parts.length === 1 && parts[0] === 'say') {
      const body = await readJson(req);
      const contactId = optionalString(body, 'contactId');
      const text = optionalString(body, 'text');
      const roomId = optionalString(body, 'roomId');
      if (!contactId || !text) throw new HttpError(400, 'contactId and text are required');
      const waitMs = Math.min(Math.max(Number(body['waitMs'] ?? DEFAULT_WAIT_MS) || 0, 0), MAX_WAIT_MS);
      const since = Date.now();
      const messageId = sim.say({ contactId, roomId, text });
      const replies = waitMs > 0 ? await sim.botMessagesAfter(roomId ?? contactId, since, { timeoutMs: waitMs }) : [];
      return send(res, 200, { messageId, replies });
    }
    throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : /^simulated WeChat:/.test(String((err as Error)?.message)) ? 404 : 500;
      if (status === 500) logger?.error({ err }, 'simulator console failed');
      if (!res.headersSent) send(res, status, { error: (err as Error)?.message ?? String(err) });
      else res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger?.info({ url }, 'simulated WeChat console listening (loopback only)');

  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
