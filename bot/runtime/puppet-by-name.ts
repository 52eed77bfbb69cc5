/**
 * Loads a Wechaty puppet named in WECHATY_PUPPET. Wechaty's own resolver requires the name from
 * the hoisted `wechaty-puppet` package, which misses puppets npm nests under
 * `node_modules/wechaty/node_modules` (wechaty-puppet-wechat4u with wechaty 1.20.2:
 * "Cannot find module 'wechaty-puppet-wechat4u'"). Here the name is resolved from this package,
 * then from wechaty's folder.
 */
import path from 'node:path';
import type { WechatyOptions } from 'wechaty';

export type PuppetInstance = Exclude<NonNullable<WechatyOptions['puppet']>, string>;

const PUPPET_NAME = /^(@[a-z0-9-]+\/)?wechaty-puppet-[a-z0-9-]+$/;

export function loadPuppetByName(name: string, puppetOptions: Record<string, unknown> = {}): PuppetInstance {
  if (!PUPPET_NAME.test(name)) throw new Error(`WECHATY_PUPPET must be a puppet package name like wechaty-puppet-service, got ${JSON.stringify(name)}`);
  let resolved: string;
  try {
    resolved = require.resolve(name);
  } catch {
    try {
      resolved = require.resolve(name, { paths: [path.dirname(require.resolve('wechaty'))] });
    } catch {
      throw new Error(`WECHATY_PUPPET=${name} is not installed (npm install ${name})`);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(resolved) as Record<string, unknown>;
  const Ctor = (typeof mod.default === 'function' ? mod.default : Object.entries(mod).find(([key, value]) => /^Puppet/.test(key) && typeof value === 'function')?.[1]) as
    | (new (options: Record<string, unknown>) => PuppetInstance)
    | undefined;
  if (!Ctor) throw new Error(`${name} does not export a puppet class`);
  return new Ctor(puppetOptions);
}
