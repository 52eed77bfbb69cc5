import { createSimulatedWechat } from '../../bot/simulated-wechat';
import { startSimulatorConsole } from '../../bot/simulator-console';
import { demoCounty } from '../../bot/demo-county-fixture';
import { createBot } from '../../bot/create-bot';
import { captureLogger } from './harness';
import { startStubServer } from './stub-server';

describe('simulated WeChat', () => {
  test('holds the demo county rooms and members with their fixed ids', () => {
    const sim = createSimulatedWechat();
    expect(sim.rooms().map((r) => r.roomId)).toEqual(demoCounty.groupChats.map((g) => g.roomId));
    for (const chat of demoCounty.groupChats) {
      const room = sim.rooms().find((r) => r.roomId === chat.roomId)!;
      expect(room.topic).toBe(chat.topic);
      expect(room.memberContactIds).toEqual(expect.arrayContaining([...chat.memberContactIds, sim.botUser.id]));
    }
    const named = demoCounty.people.filter((p) => p.contactId);
    for (const person of named) expect(sim.contact(person.contactId!).payload.name).toBe(person.name);
    expect(() => sim.contact('nobody')).toThrow('unknown contact');
  });

  test('refuses ids WeChat would not have', () => {
    expect(() =>
      createSimulatedWechat({ county: { groupChats: [{ roomId: 'no-suffix', topic: 't', communityCode: 'c', memberContactIds: [] }], people: [] } }),
    ).toThrow('must end in @chatroom');
    expect(() => createSimulatedWechat({ county: { groupChats: [], people: [{ contactId: 'a@b', name: 'x' }] } })).toThrow("must not contain '@'");
  });

  test('the console lets a person talk in a group and read the transcript', async () => {
    const server = await startStubServer();
    const sim = createSimulatedWechat();
    const app = createBot({ puppet: sim.puppet, serverUrl: server.url, botToken: server.botToken, logger: captureLogger().logger });
    await app.start();
    sim.login();
    const sc = await startSimulatorConsole({ sim, port: 0 });
    try {
      expect(sc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const roomId = demoCounty.groupChats[0]!.roomId;
      const contactId = demoCounty.groupChats[0]!.memberContactIds[0]!;
      const code = server.issueCode({ type: 'room', regionId: 'r-dongcheng' });

      const said = await fetch(`${sc.url}/say`, { method: 'POST', body: JSON.stringify({ roomId, contactId, text: `绑定 ${code}` }) });
      expect(said.status).toBe(200);
      const body = (await said.json()) as { replies: Array<{ text: string; fromBot: boolean }> };
      expect(body.replies.map((r) => r.text)).toEqual(['绑定成功：本群已关联到「东城社区」']);

      const transcript = (await (await fetch(`${sc.url}/rooms/${encodeURIComponent(roomId)}/messages`)).json()) as {
        messages: Array<{ fromContactId: string; text: string }>;
      };
      expect(transcript.messages.map((m) => [m.fromContactId, m.text])).toEqual([
        [contactId, `绑定 ${code}`],
        [sim.botUser.id, '绑定成功：本群已关联到「东城社区」'],
      ]);

      const privately = await fetch(`${sc.url}/say`, { method: 'POST', body: JSON.stringify({ contactId, text: '绑定' }) });
      expect(((await privately.json()) as { replies: Array<{ text: string }> }).replies[0]?.text).toBe('请发送：绑定 六位绑定码');

      expect((await fetch(`${sc.url}/say`, { method: 'POST', body: '{"contactId":"nobody","text":"hi"}' })).status).toBe(404);
      expect((await fetch(`${sc.url}/say`, { method: 'POST', body: 'not json' })).status).toBe(400);
      expect((await fetch(`${sc.url}/rooms/nope@chatroom/messages`)).status).toBe(404);
    } finally {
      await sc.close();
      await app.stop();
      await server.close();
    }
  });
});
