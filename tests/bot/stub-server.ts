/**
 * STAND-IN for the real server's bot endpoints, used only until the lead's server (server/
 * bot-gateway) is ready: a tiny node:http server on 127.0.0.1, port 0, implementing the three
 * bot endpoints of docs/ARCHITECTURE.md with the contract's statuses and Chinese messages.
 * TODO(lead): swap for the real server (tests/helpers) and seed codes through the staff API.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRegion {
  id: string;
  name: string;
}

export interface StubStaff {
  id: string;
  name: string;
  regionId: string;
}

interface StubCode {
  type: 'room' | 'contact';
  regionId: string | null;
  userId: string | null;
  expiresAt: number;
  usedAt?: number;
}

export interface StubRequest {
  method: string;
  path: string;
  authorization?: string;
  body?: unknown;
}

export interface StubServer {
  url: string;
  botToken: string;
  requests: StubRequest[];
  /** Bound rooms: roomId -> { topic, regionId }. */
  rooms: Map<string, { topic: string; regionId: string }>;
  /** Bound contacts: contactId -> staff user id. */
  contacts: Map<string, string>;
  /** A staff member issues a code (`room` codes carry the region, `contact` codes the user). */
  issueCode(input: { type: 'room'; regionId: string } | { type: 'contact'; userId: string }, ttlMs?: number): string;
  /** Make the next response of `path` a raw answer (status, body text). */
  failNext(path: string, status: number, body: string): void;
  close(): Promise<void>;
}

const REGIONS: StubRegion[] = [
  { id: 'r-dongcheng', name: '东城社区' },
  { id: 'r-xiguan', name: '西关社区' },
];

const STAFF: StubStaff[] = [
  { id: 'u-staff-dongcheng', name: '王丽', regionId: 'r-dongcheng' },
  { id: 'u-grid-dongcheng', name: '赵强', regionId: 'r-dongcheng' },
  { id: 'u-staff-xiguan', name: '陈静', regionId: 'r-xiguan' },
];

const err = (status: number, code: string, message: string) => ({ status, body: { error: { code, message } } });

export async function startStubServer(options: { botToken?: string } = {}): Promise<StubServer> {
  const botToken = options.botToken ?? 'stub-bot-token-0123456789abcdef';
  const codes = new Map<string, StubCode>();
  const rooms = new Map<string, { topic: string; regionId: string }>();
  const contacts = new Map<string, string>();
  const requests: StubRequest[] = [];
  const failures = new Map<string, { status: number; body: string }>();
  let nextCode = 100000;

  const region = (id: string | null) => (id ? REGIONS.find((r) => r.id === id) ?? null : null);
  const staff = (id: string | null) => (id ? STAFF.find((s) => s.id === id) ?? null : null);

  const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

  function redeem(body: any): { status: number; body: unknown } {
    const target = body?.target;
    const validTarget =
      (target?.type === 'room' && nonEmpty(target.roomId) && /@/.test(target.roomId) && typeof target.topic === 'string') ||
      (target?.type === 'contact' && nonEmpty(target.contactId) && !/@/.test(target.contactId) && typeof target.name === 'string');
    if (!nonEmpty(body?.code) || !/^\d{6}$/.test(body.code) || !validTarget) return err(400, 'VALIDATION_FAILED', '请求参数有误');
    const code = codes.get(body.code);
    if (!code) return err(404, 'NOT_FOUND', '绑定码无效');
    if (code.usedAt) return err(409, 'CONFLICT', '绑定码已使用');
    if (code.expiresAt < Date.now()) return err(409, 'CONFLICT', '绑定码已过期');
    if (code.type !== target.type) {
      return err(400, 'VALIDATION_FAILED', code.type === 'room' ? '这是群聊绑定码，请在要绑定的群里发送' : '这是个人绑定码，请私聊机器人发送');
    }
    code.usedAt = Date.now();
    if (target.type === 'room') {
      rooms.set(target.roomId, { topic: target.topic, regionId: code.regionId! });
      return { status: 200, body: { type: 'room', region: region(code.regionId), user: null } };
    }
    contacts.set(target.contactId, code.userId!);
    const user = staff(code.userId)!;
    return { status: 200, body: { type: 'contact', region: region(user.regionId), user: { id: user.id, name: user.name } } };
  }

  function unbind(body: any): { status: number; body: unknown } {
    if (!nonEmpty(body?.roomId) || !nonEmpty(body?.byContactId)) return err(400, 'VALIDATION_FAILED', '请求参数有误');
    const bound = rooms.get(body.roomId);
    if (!bound) return err(404, 'NOT_FOUND', '本群尚未绑定');
    const speaker = staff(contacts.get(body.byContactId) ?? null);
    if (!speaker || speaker.regionId !== bound.regionId) return err(403, 'FORBIDDEN', '只有本社区已绑定微信的工作人员可以解绑本群');
    rooms.delete(body.roomId);
    return { status: 200, body: { region: region(bound.regionId) } };
  }

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return Symbol.for('bad-json');
    }
  }

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    const body = await readBody(req);
    requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(payload));
    };
    const failure = failures.get(path);
    if (failure) {
      failures.delete(path);
      res.writeHead(failure.status, { 'Content-Type': 'text/plain' });
      res.end(failure.body);
      return;
    }
    if (req.headers.authorization !== `Bearer ${botToken}`) {
      reply(401, { error: { code: 'UNAUTHENTICATED', message: '请先登录' } });
      return;
    }
    if (body === Symbol.for('bad-json')) {
      reply(400, { error: { code: 'VALIDATION_FAILED', message: '请求体不是有效的 JSON' } });
      return;
    }
    let result: { status: number; body: unknown };
    if (req.method === 'POST' && path === '/api/v1/bot/bindings/redeem') result = redeem(body);
    else if (req.method === 'POST' && path === '/api/v1/bot/rooms/unbind') result = unbind(body);
    else if (req.method === 'GET' && path === '/api/v1/bot/rooms') {
      result = {
        status: 200,
        body: { items: [...rooms].map(([roomId, r]) => ({ roomId, topic: r.topic, region: region(r.regionId) })) },
      };
    } else result = err(404, 'NOT_FOUND', '接口不存在');
    reply(result.status, result.body);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    botToken,
    requests,
    rooms,
    contacts,
    issueCode(input, ttlMs = 24 * 3600 * 1000) {
      const code = String(nextCode++);
      codes.set(code, {
        type: input.type,
        regionId: input.type === 'room' ? input.regionId : staff(input.userId)!.regionId,
        userId: input.type === 'contact' ? input.userId : null,
        expiresAt: Date.now() + ttlMs,
      });
      return code;
    },
    failNext(path, status, body) {
      failures.set(path, { status, body });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
