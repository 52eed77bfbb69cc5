/**
 * How plugins speak: every answer goes through the account's one pacer (bot/pacer.ts) as a
 * `reply`, so a flood of `#报事` or `查询` cannot make the bot burst either. createBot hands one
 * `Say` to every plugin; a stopped bot drops answers still waiting for their slot.
 */
import type { Logger } from 'pino';
import type { Contact, Room } from 'wechaty';
import type { Pacer } from './pacer';

/** Says `text` in a room (with @mentions) or to a contact privately. */
export type Say = (to: Room | Contact, text: string, ...mentions: Contact[]) => Promise<void>;

const isRoom = (to: Room | Contact): to is Room => typeof (to as Room).topic === 'function';

async function sayNow(to: Room | Contact, text: string, mentions: Contact[]): Promise<void> {
  if (isRoom(to)) await to.say(text, ...mentions);
  else await to.say(text);
}

/** Unpaced: only for a plugin used on its own, outside createBot. */
export const directSay: Say = (to, text, ...mentions) => sayNow(to, text, mentions);

export function pacedSay(pacer: Pacer, signal: AbortSignal, logger?: Pick<Logger, 'debug'>): Say {
  return async (to, text, ...mentions) => {
    try {
      await pacer.run(() => sayNow(to, text, mentions), signal, 'reply');
    } catch (err) {
      // The bot stopped while the answer waited for its slot: it is dropped, not an error.
      if (signal.aborted) {
        logger?.debug('bot stopped: an answer waiting for the pacer was dropped');
        return;
      }
      throw err;
    }
  };
}
