/**
 * The one list of plugins the bot runs, composed from settings (STYLE "Bot"). New features
 * (intake, forwarding, query, outbox, welcome) are added here, each in its own file.
 */
import type { Logger } from 'pino';
import type { WechatyPlugin } from 'wechaty';
import type { ServerClient } from '../server-client';
import { RoomBinding, type RoomBindingConfig } from './room-binding';

/** What createBot hands to every plugin. */
export interface PluginContext {
  client: ServerClient;
  logger: Logger;
  /** Epoch ms when the bot started; plugins ignore older messages. */
  since: () => number | undefined;
}

type Settings<C> = Partial<Omit<C, 'client' | 'logger' | 'since'>> | false;

export interface PluginSettings {
  /** `false` turns the plugin off. */
  roomBinding?: Settings<RoomBindingConfig>;
  /** Extra plugins appended after the built-in ones (tests, experiments). */
  extra?: WechatyPlugin[];
}

export function buildPlugins(ctx: PluginContext, settings: PluginSettings = {}): WechatyPlugin[] {
  const plugins: WechatyPlugin[] = [];
  if (settings.roomBinding !== false) plugins.push(RoomBinding({ ...settings.roomBinding, ...ctx }));
  plugins.push(...(settings.extra ?? []));
  return plugins;
}
