import { createHash } from 'node:crypto';
import { maskContactId } from '../../bot/runtime/log-mask';
import { DEMO, startHarness } from './harness';

describe('maskContactId', () => {
  // Catches: a mask that leaks the id (or part of it), or that is not stable across calls.
  test('is a short stable hash that contains nothing of the id', () => {
    const masked = maskContactId('wxid_demo_xicheng_staff');
    expect(masked).toMatch(/^c:[0-9a-f]{8}$/);
    expect(masked).toBe(`c:${createHash('sha256').update('wxid_demo_xicheng_staff').digest('hex').slice(0, 8)}`);
    expect(maskContactId('wxid_demo_xicheng_staff')).toBe(masked);
    expect(maskContactId('wxid_demo_resident_02')).not.toBe(masked);
    expect(masked).not.toContain('wxid');
    expect(maskContactId('')).toBeUndefined();
    expect(maskContactId(null)).toBeUndefined();
  });
});

describe('bot logs', () => {
  // Catches: a contact id written in clear by any log line of the bot (login, binding, unbinding).
  test('never carry a WeChat contact id in clear', async () => {
    const h = await startHarness({ serverUrl: 'http://127.0.0.1:9', botToken: 'unused-token-0123456789abcdef', client: { retries: 0 } });
    try {
      // Answered by the server (unreachable) and by the bot itself; both paths log.
      await h.ask(DEMO.xicheng.staff, '绑定 12345678', DEMO.xicheng.room);
      await h.ask(DEMO.xicheng.staff, '解绑', DEMO.xicheng.room);
      await h.waitForLog((l) => l.msg === 'WeChat logged in');
    } finally {
      await h.stop();
    }
    const text = h.logs.map((l) => JSON.stringify(l)).join('\n');
    expect(text).toContain(String(maskContactId(h.sim.botUser.id)));
    for (const id of [DEMO.xicheng.staff, h.sim.botUser.id]) expect(text).not.toContain(id);
  });
});
