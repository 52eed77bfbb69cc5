// The elderly-friendly mode (适老化): larger text and touch targets on every page, remembered on the
// device (not the account: a shared family phone keeps its setting whoever signs in).
import Taro from '@tarojs/taro';

const KEY = 'xianrong.elderly';

export function isElderlyMode(): boolean {
  try {
    return Taro.getStorageSync(KEY) === true;
  } catch {
    return false;
  }
}

const listeners = new Set<(on: boolean) => void>();

export function setElderlyMode(on: boolean): void {
  Taro.setStorageSync(KEY, on);
  for (const listener of listeners) listener(on);
}

/** Called on every change of the setting (the pages already open follow the switch at once); returns the unsubscribe. */
export function onElderlyModeChange(listener: (on: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
