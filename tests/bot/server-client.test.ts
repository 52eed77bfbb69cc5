import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiBase, createServerClient, ServerError } from '../../bot/runtime/server-client';
import { startTestServer } from '../helpers/server';
import { closedPortUrl, DEMO, recordingFetch } from './harness';

/**
 * Protocol edge cases the real server cannot produce (a silent peer, an HTML error page from a
 * proxy) need something else listening: this tiny loopback HTTP server is ONLY for those.
 * Everything the server does answer is tested against the real server.
 */
async function startOddServer(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('server client', () => {
  test('apiBase accepts an origin or a /api/v1 URL', () => {
    expect(apiBase('http://h:3000')).toBe('http://h:3000/api/v1');
    expect(apiBase('http://h:3000/')).toBe('http://h:3000/api/v1');
    expect(apiBase('http://h:3000/api/v1/')).toBe('http://h:3000/api/v1');
  });

  test('talks to the three bot endpoints of the real server with the bearer token', async () => {
    const s = await startTestServer();
    try {
      const botToken = s.ctx.config.botToken;
      const recorder = recordingFetch();
      const client = createServerClient({ serverUrl: `${s.url}/api/v1/`, botToken, fetch: recorder.fetch });
      const region = (await s.models.Region.findOne({ code: DEMO.xicheng.regionCode }).lean())!;
      const regionId = String(region._id);
      const issued = await s.api('POST', '/api/v1/binding-codes', { body: { type: 'room', regionId }, token: await s.staffToken(DEMO.xicheng.staffUsername) });
      expect(issued.status).toBe(201);

      await expect(
        client.redeemBinding({ code: issued.body.code, target: { type: 'room', roomId: DEMO.xicheng.room, topic: '群', byContactId: DEMO.xicheng.staff } }),
      ).resolves.toEqual({ type: 'room', region: { id: regionId, name: '西城社区' }, user: null });

      const rooms = await client.listRooms();
      expect(rooms.items.find((r) => r.roomId === DEMO.xicheng.room)).toEqual({
        roomId: DEMO.xicheng.room,
        topic: '群',
        region: { id: regionId, name: '西城社区', level: 'community', pathNames: region.pathNames },
        boundAt: expect.any(String),
      });
      // The seed binds four groups; the bot sees them all.
      expect(rooms.items.map((r) => r.roomId)).toEqual(expect.arrayContaining([DEMO.dongcheng.room, DEMO.xicheng.room]));

      const refused = await client.unbindRoom({ roomId: DEMO.xicheng.room, byContactId: 'nobody' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ServerError);
      expect(refused).toMatchObject({ status: 403, code: 'FORBIDDEN', message: '只有「西城社区」的工作人员可以解绑（请先私聊机器人绑定个人微信）' });
      expect((refused as ServerError).unavailable).toBe(false);

      const invalid = await client.redeemBinding({ code: 'abc', target: { type: 'contact', contactId: 'c', name: 'n' } }).catch((e: unknown) => e);
      expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
      expect((invalid as ServerError).details).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('code') })]));

      const wrongToken = createServerClient({ serverUrl: s.url, botToken: 'wrong-token-0123456789abcdef' });
      await expect(wrongToken.listRooms()).rejects.toMatchObject({ status: 401 });

      expect(recorder.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /api/v1/bot/bindings/redeem',
        'GET /api/v1/bot/rooms',
        'POST /api/v1/bot/rooms/unbind',
        'POST /api/v1/bot/bindings/redeem',
      ]);
      expect(recorder.requests.every((r) => r.authorization === `Bearer ${botToken}`)).toBe(true);
    } finally {
      await s.stop();
    }
  });

  test('retries a refused connection with backoff, then reports unreachable', async () => {
    const warn = jest.fn();
    const client = createServerClient({ serverUrl: await closedPortUrl(), botToken: 't', retries: 2, retryDelayMs: 5, logger: { warn } as never });
    const err = await client.listRooms().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ServerError', status: 0, code: 'SERVER_UNREACHABLE', message: '服务暂时不可用，请稍后再试' });
    expect((err as ServerError).unavailable).toBe(true);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  test('times out a silent server and does not resend a POST that may have arrived', async () => {
    let hits = 0;
    const silent = await startOddServer(() => {
      hits += 1; // never answers
    });
    try {
      const client = createServerClient({ serverUrl: silent.url, botToken: 't', timeoutMs: 100, retryDelayMs: 5 });
      const err = await client.redeemBinding({ code: '12345678', target: { type: 'contact', contactId: 'c', name: 'n' } }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 0, code: 'SERVER_TIMEOUT' });
      expect(hits).toBe(1);
      // A GET is idempotent: it is retried.
      await client.listRooms().catch(() => undefined);
      expect(hits).toBe(4);
    } finally {
      await silent.close();
    }
  });

  test('an HTML 502 from a proxy and an empty 200 are BAD_RESPONSE, shown as "try later"', async () => {
    const odd = await startOddServer((req, res) => {
      if (req.url?.endsWith('/bot/rooms')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end();
        return;
      }
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
    });
    try {
      const client = createServerClient({ serverUrl: odd.url, botToken: 't' });
      const proxied = await client.redeemBinding({ code: '12345678', target: { type: 'room', roomId: 'x@chatroom', topic: 't', byContactId: 'c' } }).catch((e: unknown) => e);
      expect(proxied).toMatchObject({ status: 502, code: 'BAD_RESPONSE', message: '服务暂时不可用，请稍后再试' });
      expect((proxied as ServerError).unavailable).toBe(true);
      await expect(client.listRooms()).rejects.toMatchObject({ status: 200, code: 'BAD_RESPONSE' });
    } finally {
      await odd.close();
    }
  });
});
