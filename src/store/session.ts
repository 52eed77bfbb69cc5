// The signed-in session, kept in Taro storage. This module is the only shared state between pages:
// pages read it when they show (useDidShow) and write it through these functions.
import Taro from '@tarojs/taro';
import type { Me, Session } from '../api/types';

const KEY = 'xianrong.session';

export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  user: Me;
}

export function getSession(): StoredSession | null {
  try {
    const value = Taro.getStorageSync(KEY) as StoredSession | '' | undefined;
    return value && typeof value === 'object' && value.accessToken ? value : null;
  } catch {
    return null;
  }
}

export function setSession(session: Session | StoredSession): StoredSession {
  const stored: StoredSession = {
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    user: session.user,
  };
  Taro.setStorageSync(KEY, stored);
  return stored;
}

export function updateUser(user: Me): void {
  const current = getSession();
  if (current) setSession({ ...current, user });
}

export function clearSession(): void {
  try {
    Taro.removeStorageSync(KEY);
  } catch {
    // storage unavailable: nothing to clear
  }
}

export function getAccessToken(): string | null {
  return getSession()?.accessToken ?? null;
}

export function getCurrentUser(): Me | null {
  return getSession()?.user ?? null;
}
