import { useEffect, useState } from 'react';
import { authApi } from '../api/endpoints';
import type { LoginMethods } from '../api/types';

/**
 * Whether this deployment is a demo (the server's `GET /auth/methods` says `demo`): the demo
 * county with published passwords, and off loopback a sign-in anyone can use. Pages that show it
 * (登录, 我的) label themselves 演示. Unknown (no answer yet, or no network): not labelled.
 * `known` lets a page that already asked for the methods pass them in instead of asking again.
 */
export function useDemoFlag(known?: LoginMethods | null): boolean {
  const [demo, setDemo] = useState(false);
  const ask = known === undefined;
  useEffect(() => {
    if (!ask) return;
    let live = true;
    authApi
      .methods({ toast: false })
      .then((m) => live && setDemo(m.demo === true))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [ask]);
  return ask ? demo : known?.demo === true;
}
