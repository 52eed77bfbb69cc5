import { createSimulatedWechat, DEFAULT_BOT_CONTACT } from '../../bot/simulator/simulated-wechat';
import { startSimulatorConsole } from '../../bot/simulator/simulator-console';
import { request } from 'node:http';
import { createBot } from '../../bot/runtime/create-bot';
import { demoCounty } from '../../common/demo-county';
import { startTestServer } from '../helpers/server';
import { captureLogger, DEMO } from './harness';

describe('simulated WeChat', () => {
  test('holds the demo county rooms, members and bot account with their fixed ids', () => {
    const sim = createSimulatedWechat();
    expect(sim.botUser.id).toBe('wxid_xianrong_bot');
    expect(sim.botUser.payload.name).toBe('东溪融媒小助手');
    expect(DEFAULT_BOT_CONTACT).toEqual({ id: demoCounty.bot.contactId, name: demoCounty.bot.name });
    expect(sim.rooms().map((r) => r.roomId)).toEqual(demoCounty.groupChats.map((g) => g.roomId));
    expect(sim.rooms().map((r) => r.roomId)).toEqual(expect.arrayContaining([DEMO.xicheng.room, DEMO.dongcheng.room]));
    for (const chat of demoCounty.groupChats) {
      const room = sim.rooms().find((r) => r.roomId === chat.roomId)!;
      expect(room.topic).toBe(chat.topic);
      expect(room.memberContactIds).toEqual(expect.arrayContaining([...chat.memberContactIds, sim.botUser.id]));
    }
    const named = demoCounty.people.filter((p) => p.contactId);
    for (const person of named) expect(sim.contact(person.contactId!).payload.name).toBe(person.name);
    expect(sim.contacts()).toHaveLength(named.length + 1);
    expect(() => sim.contact('nobody')).toThrow('unknown contact');
  });

  test('refuses ids WeChat would not have', () => {
    expect(() => createSimulatedWechat({ county: { groupChats: [{ roomId: 'no-suffix', topic: 't', memberContactIds: [] }], people: [] } })).toThrow(
      'must end in @chatroom',
    );
    expect(() => createSimulatedWechat({ county: { groupChats: [], people: [{ contactId: 'a@b', name: 'x' }] } })).toThrow("must not contain '@'");
  });

  test('the console lets a person bind a group against the real server and read the transcript', async () => {
    const s = await startTestServer();
    const sim = createSimulatedWechat();
    const app = createBot({ puppet: sim.puppet, serverUrl: s.url, botToken: s.ctx.config.botToken, logger: captureLogger().logger });
    await app.start();
    sim.login();
    const sc = await startSimulatorConsole({ sim, port: 0 });
    try {
      expect(sc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const usage = (await (await fetch(sc.url)).json()) as { bot: unknown; usage: { examples: { bindRoom: { body: unknown } } } };
      expect(usage.bot).toEqual({ contactId: 'wxid_xianrong_bot', name: '东溪融媒小助手' });
      expect(usage.usage.examples.bindRoom.body).toMatchObject({ roomId: DEMO.xicheng.room, contactId: DEMO.xicheng.staff });

      const regionId = String((await s.models.Region.findOne({ code: DEMO.xicheng.regionCode }).lean())!._id);
      const issued = await s.api('POST', '/api/v1/binding-codes', { body: { type: 'room', regionId }, token: await s.staffToken(DEMO.xicheng.staffUsername) });
      expect(issued.status).toBe(201);
      const code = issued.body.code as string;

      const said = await fetch(`${sc.url}/say`, {
        method: 'POST',
        body: JSON.stringify({ roomId: DEMO.xicheng.room, contactId: DEMO.xicheng.staff, text: `绑定 ${code}` }),
      });
      expect(said.status).toBe(200);
      const body = (await said.json()) as { replies: Array<{ text: string; fromBot: boolean }> };
      expect(body.replies.map((r) => r.text)).toEqual(['绑定成功：本群已关联到「西城社区」']);
      const rooms = await s.api('GET', '/api/v1/bot/rooms', { token: s.ctx.config.botToken });
      expect(rooms.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ roomId: DEMO.xicheng.room, topic: DEMO.xicheng.topic })]));

      const transcript = (await (await fetch(`${sc.url}/rooms/${encodeURIComponent(DEMO.xicheng.room)}/messages`)).json()) as {
        messages: Array<{ fromContactId: string; text: string }>;
      };
      expect(transcript.messages.map((m) => [m.fromContactId, m.text])).toEqual([
        [DEMO.xicheng.staff, `绑定 ${code}`],
        ['wxid_xianrong_bot', '绑定成功：本群已关联到「西城社区」'],
      ]);

      const privately = await fetch(`${sc.url}/say`, { method: 'POST', body: JSON.stringify({ contactId: DEMO.xicheng.staff, text: '绑定' }) });
      expect(((await privately.json()) as { replies: Array<{ text: string }> }).replies[0]?.text).toBe('请发送：绑定 八位绑定码');

      expect((await fetch(`${sc.url}/say`, { method: 'POST', body: '{"contactId":"nobody","text":"hi"}' })).status).toBe(404);
      expect((await fetch(`${sc.url}/say`, { method: 'POST', body: 'not json' })).status).toBe(400);
      expect((await fetch(`${sc.url}/rooms/nope@chatroom/messages`)).status).toBe(404);
    } finally {
      await sc.close();
      await app.stop();
      await s.stop();
    }
  });

  test('GET / gives a browser the chat page; curl, fetch and ?format=json still get JSON', async () => {
    const sim = createSimulatedWechat();
    const sc = await startSimulatorConsole({ sim, port: 0 });
    try {
      const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
      const page = await fetch(sc.url, { headers: { Accept: browserAccept } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).toMatch(/default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]+'/);
      const html = await page.text();
      expect(html).toContain('<title>模拟微信（演示县群聊）</title>');
      for (const chat of demoCounty.groupChats) {
        expect(html).toContain(`>${chat.topic}<`);
        expect(html).toContain(chat.roomId);
      }
      expect(html).toContain('私聊机器人');
      expect(html).toContain('东溪融媒小助手');
      for (const label of ['发送', '绑定 ', '解绑']) expect(html).toContain(label);
      // The inline script runs under the nonce of this response; nothing is loaded from elsewhere.
      const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
      expect(html).toContain(`<script nonce="${nonce}">`);
      expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
      // Members by name for the picker (the bot is not one of them).
      const data = JSON.parse(/<script type="application\/json" id="sim-data">([^<]*)<\/script>/.exec(html)![1]!) as {
        rooms: Array<{ roomId: string; members: Array<{ contactId: string; name: string }> }>;
        contacts: Array<{ contactId: string }>;
      };
      const xicheng = data.rooms.find((r) => r.roomId === DEMO.xicheng.room)!;
      expect(xicheng.members[0]).toEqual({ contactId: DEMO.xicheng.staff, name: sim.contact(DEMO.xicheng.staff).payload.name });
      expect(xicheng.members.map((m) => m.contactId)).not.toContain('wxid_xianrong_bot');
      expect(data.contacts).toHaveLength(sim.contacts().length - 1);

      for (const [url, headers] of [
        [sc.url, {}],
        [sc.url, { Accept: 'application/json' }],
        [`${sc.url}/?format=json`, { Accept: browserAccept }],
      ] as const) {
        const res = await fetch(url, { headers });
        expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(((await res.json()) as { rooms: unknown[] }).rooms).toHaveLength(demoCounty.groupChats.length);
      }
    } finally {
      await sc.close();
    }
  });

  test('the page escapes names and topics', async () => {
    const sim = createSimulatedWechat({
      county: {
        groupChats: [{ roomId: 'x@chatroom', topic: '<img src=x onerror=alert(1)>群', memberContactIds: ['wxid_a'] }],
        people: [{ contactId: 'wxid_a', name: '</script><b>甲</b>' }],
      },
    });
    const sc = await startSimulatorConsole({ sim, port: 0 });
    try {
      const html = await (await fetch(`${sc.url}/?format=html`)).text();
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;群');
      expect(html).not.toContain('<img');
      expect(html).not.toContain('</script><b>');
      expect(html.match(/<\/script>/g)).toHaveLength(2);
    } finally {
      await sc.close();
    }
  });

  test('a foreign web page cannot talk through the console', async () => {
    const sim = createSimulatedWechat();
    const sc = await startSimulatorConsole({ sim, port: 0 });
    try {
      const body = JSON.stringify({ contactId: DEMO.xicheng.staff, text: 'hi', waitMs: 0 });
      const foreign = await fetch(`${sc.url}/say`, { method: 'POST', body, headers: { Origin: 'http://evil.example' } });
      expect(foreign.status).toBe(403);
      expect(sim.transcript(DEMO.xicheng.staff)).toEqual([]);
      const own = await fetch(`${sc.url}/say`, { method: 'POST', body, headers: { Origin: sc.url } });
      expect(own.status).toBe(200);

      // DNS rebinding: a loopback address reached under someone else's name.
      const { port } = new URL(sc.url);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', headers: { Host: `evil.example:${port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(403);
    } finally {
      await sc.close();
    }
  });
});
