/**
 * The default puppet: a simulated WeChat (wechaty-puppet-mock) holding the demo county's group
 * chats and members with their stable ids, so the platform runs without a WeChat account.
 * It also keeps a short transcript per conversation, as a phone would show it, for the simulator
 * console and tests (the bot itself keeps no chat history).
 */
import { EventEmitter } from 'node:events';
import { types } from 'wechaty';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
// Plain data (common/, no database code): the same group chats, people and bot account the seed writes.
import { demoCounty, type DemoGroupChat, type DemoPerson } from '../../common/demo-county';

type ContactMock = mock.ContactMock;
type RoomMock = mock.RoomMock;
type MessageMock = mock.MessageMock;

/** The bot's own WeChat account in the demo county (`wxid_xianrong_bot`, 东溪融媒小助手). */
export const DEFAULT_BOT_CONTACT: { readonly id: string; readonly name: string } = {
  id: demoCounty.bot.contactId,
  name: demoCounty.bot.name,
};

/** What the simulated WeChat needs of a county: its group chats and the people in them. */
export interface SimulatedCounty {
  groupChats: ReadonlyArray<Pick<DemoGroupChat, 'roomId' | 'topic' | 'memberContactIds'>>;
  /** People without a contactId have no WeChat in the demo and are skipped. */
  people: ReadonlyArray<Pick<DemoPerson, 'contactId' | 'name'>>;
}

export interface TranscriptEntry {
  messageId: string;
  /** ISO time. */
  at: string;
  fromContactId: string;
  fromName: string;
  /** True when the bot sent it. */
  fromBot: boolean;
  type: string;
  text: string;
}

export interface SimulatedWechatOptions {
  /** Group chats and people; defaults to the demo county. */
  county?: SimulatedCounty;
  /** The bot's account; defaults to the demo county's bot. */
  botContact?: { id: string; name: string };
  /** Entries kept per conversation. Default 200. */
  transcriptLimit?: number;
}

export interface SayParams {
  contactId: string;
  /** Omit for a private chat with the bot. */
  roomId?: string;
  text: string;
}

export interface SimulatedWechat {
  puppet: PuppetMock;
  mocker: mock.Mocker;
  botUser: ContactMock;
  /** Log the bot's account in (call after `bot.start()`). */
  login(): void;
  contact(contactId: string): ContactMock;
  room(roomId: string): RoomMock;
  rooms(): Array<{ roomId: string; topic: string; memberContactIds: string[] }>;
  contacts(): Array<{ contactId: string; name: string }>;
  /** A person says something in a room, or privately to the bot. Returns the message id. */
  say(params: SayParams): string;
  /** Room id, or the other person's contact id for a private chat with the bot. */
  transcript(conversationId: string): TranscriptEntry[];
  /** Resolves with the next bot message in the conversation (rejects after timeoutMs). */
  nextBotMessage(conversationId: string, timeoutMs?: number): Promise<TranscriptEntry>;
  /** Collects bot messages in the conversation until `settleMs` pass without one, or `timeoutMs`. */
  botMessagesAfter(conversationId: string, since: number, options?: { timeoutMs?: number; settleMs?: number }): Promise<TranscriptEntry[]>;
}

const ROOM_ID = /@chatroom$/;

export function createSimulatedWechat(options: SimulatedWechatOptions = {}): SimulatedWechat {
  const county: SimulatedCounty = options.county ?? demoCounty;
  const botContact = options.botContact ?? DEFAULT_BOT_CONTACT;
  const limit = options.transcriptLimit ?? 200;

  const mocker = new mock.Mocker();
  const puppet = new PuppetMock({ mocker });
  const entries = new Map<string, TranscriptEntry[]>();
  const events = new EventEmitter();
  events.setMaxListeners(0);

  const contacts = new Map<string, ContactMock>();
  const addContact = (id: string, name: string) => {
    if (id.includes('@')) throw new Error(`simulated WeChat: contact id must not contain '@': ${id}`);
    if (!contacts.has(id)) contacts.set(id, mocker.createContact({ id, name }));
  };
  addContact(botContact.id, botContact.name);
  for (const person of county.people) if (person.contactId) addContact(person.contactId, person.name);

  const rooms = new Map<string, RoomMock>();
  for (const chat of county.groupChats) {
    if (!ROOM_ID.test(chat.roomId)) throw new Error(`simulated WeChat: room id must end in @chatroom: ${chat.roomId}`);
    for (const id of chat.memberContactIds) addContact(id, id);
    // Always pass memberIdList: the mock's default picks random members from every contact.
    const memberIdList = [...new Set([...chat.memberContactIds, botContact.id])];
    rooms.set(chat.roomId, mocker.createRoom({ id: chat.roomId, topic: chat.topic, memberIdList }));
  }

  const botUser = contacts.get(botContact.id)!;

  const record = (conversationId: string, msg: MessageMock) => {
    const payload = msg.payload;
    const talker = contacts.get(payload.talkerId ?? '');
    const entry: TranscriptEntry = {
      messageId: payload.id,
      at: new Date(payload.timestamp).toISOString(),
      fromContactId: payload.talkerId ?? '',
      fromName: talker?.payload.name ?? payload.talkerId ?? '',
      fromBot: payload.talkerId === botContact.id,
      type: types.Message[payload.type] ?? String(payload.type),
      text: payload.text ?? '',
    };
    const list = entries.get(conversationId) ?? [];
    list.push(entry);
    if (list.length > limit) list.splice(0, list.length - limit);
    entries.set(conversationId, list);
    events.emit('entry', conversationId, entry);
  };

  // The mock emits each message on its room, its talker and its listener.
  for (const [roomId, room] of rooms) room.on('message', (msg) => record(roomId, msg));
  botUser.on('message', (msg) => {
    if (msg.room()) return;
    const payload = msg.payload;
    const other = payload.talkerId === botContact.id ? payload.listenerId : payload.talkerId;
    if (other) record(other, msg);
  });

  const contact = (contactId: string) => {
    const found = contacts.get(contactId);
    if (!found) throw new Error(`simulated WeChat: unknown contact ${contactId}`);
    return found;
  };
  const room = (roomId: string) => {
    const found = rooms.get(roomId);
    if (!found) throw new Error(`simulated WeChat: unknown room ${roomId}`);
    return found;
  };

  const nextBotMessage = (conversationId: string, timeoutMs = 5000) =>
    new Promise<TranscriptEntry>((resolve, reject) => {
      const onEntry = (id: string, entry: TranscriptEntry) => {
        if (id !== conversationId || !entry.fromBot) return;
        cleanup();
        resolve(entry);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no bot message in ${conversationId} within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        events.off('entry', onEntry);
      };
      events.on('entry', onEntry);
    });

  return {
    puppet,
    mocker,
    botUser,
    login: () => mocker.login(botUser),
    contact,
    room,
    rooms: () =>
      [...rooms.values()].map((r) => ({ roomId: r.id, topic: r.payload.topic, memberContactIds: [...r.payload.memberIdList] })),
    contacts: () => [...contacts.values()].map((c) => ({ contactId: c.id, name: c.payload.name })),
    say({ contactId, roomId, text }) {
      const speaker = contact(contactId);
      const sent = { id: '' };
      const capture = (_conversation: string, entry: TranscriptEntry) => {
        if (!sent.id && entry.fromContactId === contactId && entry.text === text) sent.id = entry.messageId;
      };
      events.on('entry', capture);
      try {
        if (roomId) {
          const target = room(roomId);
          if (!target.payload.memberIdList.includes(contactId)) {
            throw new Error(`simulated WeChat: ${contactId} is not a member of ${roomId}`);
          }
          speaker.say(text).to(target);
        } else {
          if (contactId === botContact.id) throw new Error('simulated WeChat: the bot cannot message itself');
          speaker.say(text).to(botUser);
        }
      } finally {
        events.off('entry', capture);
      }
      return sent.id;
    },
    transcript: (conversationId) => [...(entries.get(conversationId) ?? [])],
    nextBotMessage,
    botMessagesAfter(conversationId, since, { timeoutMs = 2000, settleMs = 100 } = {}) {
      return new Promise<TranscriptEntry[]>((resolve) => {
        const collected = (entries.get(conversationId) ?? []).filter((e) => e.fromBot && Date.parse(e.at) >= since);
        let settle: NodeJS.Timeout | undefined;
        const finish = () => {
          clearTimeout(deadline);
          if (settle) clearTimeout(settle);
          events.off('entry', onEntry);
          resolve(collected);
        };
        const deadline = setTimeout(finish, timeoutMs);
        const onEntry = (id: string, entry: TranscriptEntry) => {
          if (id !== conversationId || !entry.fromBot) return;
          collected.push(entry);
          if (settle) clearTimeout(settle);
          settle = setTimeout(finish, settleMs);
        };
        events.on('entry', onEntry);
        if (collected.length > 0) settle = setTimeout(finish, settleMs);
      });
    },
  };
}
