import { useCallback, useState } from 'react';
import { useDidShow } from '@tarojs/taro';
import { meApi } from '../api/endpoints';
import { errorMessage } from '../api/request';
import type { Me } from '../api/types';
import { getCurrentUser, getSession, updateUser } from '../store/session';

export interface CurrentUserState {
  user: Me | null;
  /** Why the fresh copy could not be loaded (e.g. no network); the stored user is still shown. */
  error: string | null;
  /** Load the fresh copy again (the page's 重试). */
  reload: () => void;
}

/**
 * The signed-in user, shown at once from storage and refreshed quietly each time the page shows
 * (the community or roles may have changed on another page or device). A failed refresh keeps
 * the user signed in and reports the error, so a page can offer 重试.
 */
export function useCurrentUserState(): CurrentUserState {
  const [user, setUser] = useState<Me | null>(() => getCurrentUser());
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    setUser(getCurrentUser());
    setError(null);
    if (!getSession()) return;
    meApi
      .get({ toast: false })
      .then((me) => {
        updateUser(me);
        setUser(me);
      })
      .catch((e: unknown) => {
        // A refused session has been cleared (and the login page opened); anything else keeps it.
        const stored = getCurrentUser();
        setUser(stored);
        setError(stored ? errorMessage(e) : null);
      });
  }, []);
  useDidShow(reload);
  return { user, error, reload };
}

export function useCurrentUser(): Me | null {
  return useCurrentUserState().user;
}
