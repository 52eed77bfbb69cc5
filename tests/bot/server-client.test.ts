import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiBase, createServerClient, ServerError } from '../../bot/server-client';
import { startStubServer } from './stub-server';

describe('server client', () => {
  test('apiBase accepts an origin or a /api/v1 URL', () => {
    expect(apiBase('http://h:3000')).toBe('http://h:3000/api/v1');
    expect(apiBase('http://h:3000/')).toBe('http://h:3000/api/v1');
    expect(apiBase('http://h:3000/api/v1/')).toBe('http://h:3000/api/v1');
  });

  test('talks to the three bot endpoints with the bearer token', async () => {
    const server = await startStubServer();
    try {
      const client = createServerClient({ serverUrl: server.url, botToken: server.botToken });
      const code = server.issueCode({ type: 'room', regionId: 'r-dongcheng' });
      await expect(
        client.redeemBinding({ code, target: { type: 'room', roomId: 'x@chatroom', topic: '群' } }),
      ).resolves.toEqual({ type: 'room', region: { id: 'r-dongcheng', name: '东城社区' }, user: null });
      await expect(client.listRooms()).resolves.toEqual({
        items: [{ roomId: 'x@chatroom', topic: '群', region: { id: 'r-dongcheng', name: '东城社区' } }],
      });
      const refused = await client.unbindRoom({ roomId: 'x@chatroom', byContactId: 'nobody' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ServerError);
      expect(refused).toMatchObject({ status: 403, code: 'FORBIDDEN', message: '只有本社区已绑定微信的工作人员可以解绑本群' });
      expect(server.requests.every((r) => r.authorization === `Bearer ${server.botToken}`)).toBe(true);
    } finally {
      await server.close();
    }
  });

  test('retries a refused connection with backoff, then reports unreachable', async () => {
    const server = await startStubServer();
    await server.close();
    const warn = jest.fn();
    const client = createServerClient({ serverUrl: server.url, botToken: 't', retries: 2, retryDelayMs: 5, logger: { warn } as never });
    const err = await client.listRooms().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ServerError', status: 0, code: 'SERVER_UNREACHABLE', message: '服务暂时不可用，请稍后再试' });
    expect((err as ServerError).unavailable).toBe(true);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  test('times out a silent server and does not resend a POST that may have arrived', async () => {
    let hits = 0;
    const silent = createServer(() => {
      hits += 1; // never answers
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const { port } = silent.address() as AddressInfo;
    try {
      const client = createServerClient({ serverUrl: `http://127.0.0.1:${port}`, botToken: 't', timeoutMs: 100, retryDelayMs: 5 });
      const err = await client.redeemBinding({ code: '123456', target: { type: 'contact', contactId: 'c', name: 'n' } }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 0, code: 'SERVER_TIMEOUT' });
      expect(hits).toBe(1);
      // A GET is idempotent: it is retried.
      await client.listRooms().catch(() => undefined);
      expect(hits).toBe(4);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
