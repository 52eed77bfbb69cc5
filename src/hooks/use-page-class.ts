import { useEffect, useState } from 'react';
import { useDidShow } from '@tarojs/taro';
import { isElderlyMode, onElderlyModeChange } from '../store/elderly-mode';

/** The class on the page that turns on the larger sizes (app.scss redefines the --xr-* sizes under it). */
export const ELDERLY_CLASS = 'xr-elderly';

/**
 * The class names of a page's root view: `page <name>`, plus the elderly mode's class when it is
 * on. Follows the switch at once (also on the pages under 我的 in the stack), and reads the setting
 * again each time the page shows.
 * Every page's root uses it: `<View className={usePageClass('home')}>`.
 */
export function usePageClass(name: string): string {
  const [elderly, setElderly] = useState(isElderlyMode);
  useDidShow(() => setElderly(isElderlyMode()));
  useEffect(() => onElderlyModeChange(setElderly), []);
  return elderly ? `page ${name} ${ELDERLY_CLASS}` : `page ${name}`;
}
