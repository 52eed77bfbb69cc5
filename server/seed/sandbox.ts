/**
 * Where the seed plays its stories: a scratch database beside the demo county's, holding a copy of
 * what the stories read (regions, people, the catalogue), and a context whose clock the seed sets
 * step by step. The features' own services file, move and schedule there exactly as they do for a
 * live request, and the seed then writes what they produced into the demo database as one
 * all-or-nothing section (seed.ts).
 *
 * Why not play in the demo database itself: the server may be running beside the seed (npm start
 * seeds a fresh database after it starts), and its scheduler and notification relay would catch
 * the stories half played: flag them on the real clock, post their answers into the demo groups.
 * A section written at once, with its history already relayed, gives them nothing to do.
 */
import type { Connection, Types } from 'mongoose';
import type { AppContext } from '../context';
import type { AppConfig } from '../core/config';
import { createLogger } from '../core/logger';
import { ReadCache } from '../core/cache/read-cache';
import { readStamps } from '../core/cache/stamps';
import type { Models } from '../models';
import { contextOf } from './context';
import { recordsFor, type RecordKind } from './records';
import { demoCounty } from '../../common/demo-county';


export interface Sandbox {
  /** The features' context on the sandbox, at the seed's clock. */
  ctx: AppContext;
  /** Sets the clock every service reads (`ctx.now()`); it only moves forward. */
  setClock(at: Date): void;
  clock(): Date;
}

export interface SandboxOptions {
  /** The collections the stories read, copied as they are from the demo database. */
  copy: RecordKind[];
  /** Documents the section writes itself that the stories read (its columns, its new people). */
  add?: { model: RecordKind; docs: Record<string, unknown>[] }[];
  /** Where the clock starts. */
  start: Date;
  /** The server's data folder, for services that store files (photos). */
  dataDir?: string;
}

/** The scratch database's name: the demo database's, marked (one at a time: dropped before and after). */
const sandboxName = (conn: Connection) => `${conn.name || 'xianrong'}_seed_play`.slice(0, 63);

/**
 * Runs `play` in a fresh sandbox and drops it afterwards, whatever happens (a run killed halfway
 * leaves it for the next run, which drops it first).
 */
export async function inSandbox<T>(models: Models, opts: SandboxOptions, play: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  // The seed's own collection's connection: the demo database.
  const main = models.SeedRecord.db;
  // A connection object of its own (not cached), so its models are registered afresh each run.
  const conn = main.useDb(sandboxName(main), { useCache: false });
  await conn.dropDatabase();
  try {
    let clock = opts.start;
    const ctx = seedContext(conn, () => clock, opts.dataDir);
    const demo = contextOf(models);
    for (const kind of opts.copy) await recordsFor(ctx, kind).insertMany(await recordsFor(demo, kind).all());
    for (const { model, docs } of opts.add ?? []) await recordsFor(ctx, model).insertMany(docs as { _id: Types.ObjectId }[]);
    return await play({
      ctx,
      setClock(at) {
        if (at.getTime() < clock.getTime()) throw new Error(`the seed's clock goes forward only: ${at.toISOString()} is before ${clock.toISOString()}`);
        clock = at;
      },
      clock: () => clock,
    });
  } finally {
    await conn.dropDatabase();
  }
}

/**
 * The context the features' services are built from, for the seed: the sandbox's connection, the
 * seed's clock, a quiet logger, and of the configuration what the services it plays read (the
 * demo county's ticket prefix, the data folder), and a read cache of the sandbox's own (filing
 * reads its reference data through it). No HTTP, no WeChat: the seed makes no request and sends
 * nothing.
 */
function seedContext(conn: Connection, now: () => Date, dataDir: string | undefined): AppContext {
  const config: Partial<AppConfig> = { countyPrefix: demoCounty.prefix, dataDir: dataDir ?? 'data', env: 'development', logLevel: 'silent' };
  const cache = new ReadCache({ readStamps: () => readStamps(conn) });
  return { conn, now, logger: createLogger('silent'), config, wechat: null, cache } as unknown as AppContext;
}
