import { useState } from 'react';
import { useDidShow } from '@tarojs/taro';
import { meApi } from '../api/endpoints';
import type { Me } from '../api/types';
import { getCurrentUser, getSession, updateUser } from '../store/session';

/**
 * The signed-in user, shown at once from storage and refreshed quietly each time the page shows
 * (the community or roles may have changed on another page or device).
 */
export function useCurrentUser(): Me | null {
  const [user, setUser] = useState<Me | null>(() => getCurrentUser());
  useDidShow(() => {
    setUser(getCurrentUser());
    if (!getSession()) return;
    meApi
      .get({ toast: false })
      .then((me) => {
        updateUser(me);
        setUser(me);
      })
      .catch(() => undefined);
  });
  return user;
}
