/**
 * The one list of plugins the bot runs, composed from settings (STYLE "Bot"). Each feature is
 * its own file; `false` turns one off.
 */
import type { Logger } from 'pino';
import type { WechatyPlugin } from 'wechaty';
import type { Pacer } from '../runtime/pacer';
import type { Say } from '../runtime/say';
import type { ServerClient } from '../runtime/server-client';
import { AppealIntake, type AppealIntakeConfig } from './appeal-intake';
import { AppealQuery, type AppealQueryConfig } from './appeal-query';
import { ConsultationVotes, type ConsultationVotesConfig } from './consultation-votes';
import { GridForwarding, type GridForwardingConfig } from './grid-forwarding';
import { OutboxDelivery, type OutboxDeliveryConfig } from './outbox-delivery';
import { RoomBinding, type RoomBindingConfig } from './room-binding';
import { ServiceAnswers, type ServiceAnswersConfig } from './service-answers';
import { TipIntake, type TipIntakeConfig } from './tip-intake';
import { Welcome, type WelcomeConfig } from './welcome';

/** What createBot hands to every plugin. */
export interface PluginContext {
  client: ServerClient;
  logger: Logger;
  /** Epoch ms when the bot started; plugins ignore older messages. */
  since: () => number | undefined;
  /** Work that outlives a message (the outbox loop): the bot's stop() waits for it. */
  track?: (p: Promise<unknown>) => void;
  /** The account's one pacer (bot/runtime/pacer.ts): the outbox's deliveries go through it as `bulk`. */
  pacer?: Pacer;
  /** How plugins answer: through the pacer, as `reply` (bot/runtime/say.ts). */
  say?: Say;
}

type Settings<C> = Partial<Omit<C, 'client' | 'logger' | 'since' | 'track' | 'pacer' | 'say'>> | false;

export interface PluginSettings {
  /** `false` turns the plugin off. */
  roomBinding?: Settings<RoomBindingConfig>;
  /** `#报事` / `#诉求` / @bot in bound groups, and the photos that follow. */
  appealIntake?: Settings<AppealIntakeConfig>;
  /** `#爆料 …` in bound groups and private chats (news tips for the newsroom), and the photos that follow. */
  tipIntake?: Settings<TipIntakeConfig>;
  /** Bound grid workers' forwards in private chat, filed on `确认`. */
  gridForwarding?: Settings<GridForwardingConfig>;
  /** `投票 2` / `投票 #12 1 3` in bound groups: a room's votes on consultations (议事) sent and confirmed per batch. */
  consultationVotes?: Settings<ConsultationVotesConfig>;
  /** `查询 <编号>` in groups and private chats. */
  appealQuery?: Settings<AppealQueryConfig>;
  /** Drains the server's outbox for bound rooms at a paced rate. */
  outboxDelivery?: Settings<OutboxDeliveryConfig>;
  /** Keyword questions (停水找谁？, 查电话 社保) answered from the services directory, in bound groups and private chats. */
  serviceAnswers?: Settings<ServiceAnswersConfig>;
  /** A short guide to members who join a group, and the bot's introduction when it is added to one. */
  welcome?: Settings<WelcomeConfig>;
  /** Extra plugins appended after the built-in ones (tests, experiments). */
  extra?: WechatyPlugin[];
}

export function buildPlugins(ctx: PluginContext, settings: PluginSettings = {}): WechatyPlugin[] {
  const plugins: WechatyPlugin[] = [];
  if (settings.roomBinding !== false) plugins.push(RoomBinding({ ...settings.roomBinding, ...ctx }));
  if (settings.appealIntake !== false) plugins.push(AppealIntake({ ...settings.appealIntake, ...ctx }));
  if (settings.tipIntake !== false) plugins.push(TipIntake({ ...settings.tipIntake, ...ctx }));
  if (settings.gridForwarding !== false) plugins.push(GridForwarding({ ...settings.gridForwarding, ...ctx }));
  if (settings.consultationVotes !== false) plugins.push(ConsultationVotes({ ...settings.consultationVotes, ...ctx }));
  if (settings.appealQuery !== false) plugins.push(AppealQuery({ ...settings.appealQuery, ...ctx }));
  if (settings.outboxDelivery !== false) plugins.push(OutboxDelivery({ ...settings.outboxDelivery, ...ctx }));
  if (settings.serviceAnswers !== false) plugins.push(ServiceAnswers({ ...settings.serviceAnswers, ...ctx }));
  if (settings.welcome !== false) plugins.push(Welcome({ ...settings.welcome, ...ctx }));
  plugins.push(...(settings.extra ?? []));
  return plugins;
}
