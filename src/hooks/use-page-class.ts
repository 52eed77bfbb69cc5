import { useState } from 'react';
import { useDidShow } from '@tarojs/taro';
import { isElderlyMode } from '../store/elderly-mode';

/** The class on the page that turns on the larger sizes (app.scss redefines the --xr-* sizes under it). */
export const ELDERLY_CLASS = 'xr-elderly';

/**
 * The class names of a page's root view: `page <name>`, plus the elderly mode's class when it is
 * on. Read again each time the page shows, so a page under 我的 in the stack follows the switch.
 * Every page's root uses it: `<View className={usePageClass('home')}>`.
 */
export function usePageClass(name: string): string {
  const [elderly, setElderly] = useState(isElderlyMode);
  useDidShow(() => setElderly(isElderlyMode()));
  return elderly ? `page ${name} ${ELDERLY_CLASS}` : `page ${name}`;
}
