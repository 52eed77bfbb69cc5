// What the admins' pages for issued machine keys share (Open311 接口密钥, 大屏链接): the list with
// its loading, empty and error states, the secret shown once right after issuing, and revoking with
// a confirmation. Each page keeps what differs: its form, its wording and what a row says.
import { useCallback, useRef, useState, type ReactNode } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { errorMessage } from '../../../api/request';
import { EmptyState, ErrorState, LoadingState } from '../../../components/StateView';
import { withPrivacy } from '../../../utils/privacy';
import { chinaShortTime, parseInstant } from '../../../../common/china-time';

/** The fields every issued key answers (server/core/issued-keys.ts). */
export interface IssuedKey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedByName: string | null;
}

type Loaded<K> = { status: 'loading' } | { status: 'ready'; items: K[] } | { status: 'error'; error: string };

/** A moment as the list shows it ('' for none). */
export const keyTime = (iso: string | null) => {
  const at = iso ? parseInstant(iso) : null;
  return at === null ? '' : chinaShortTime(at);
};

/**
 * The page's keys, loaded each time it shows (when `enabled`); a slower earlier load never
 * overwrites a later one.
 */
export function useIssuedKeys<K extends IssuedKey>(fetch: () => Promise<{ items: K[] }>, enabled: boolean) {
  const [loaded, setLoaded] = useState<Loaded<K>>({ status: 'loading' });
  const generation = useRef(0);
  const load = useCallback(async () => {
    const gen = ++generation.current;
    try {
      const res = await fetch();
      if (gen === generation.current) setLoaded({ status: 'ready', items: res.items });
    } catch (e) {
      if (gen === generation.current) setLoaded({ status: 'error', error: errorMessage(e) });
    }
  }, [fetch]);
  useDidShow(() => {
    if (enabled) void load();
  });
  return { loaded, load };
}

/** Asks, then revokes; true when it was revoked (a failure's reason is shown by the request wrapper). */
export async function confirmRevoke(opts: { title: string; content: string; verb: string; revoke: () => Promise<unknown> }): Promise<boolean> {
  const { confirm } = await Taro.showModal({ title: opts.title, content: opts.content, confirmText: opts.verb });
  if (!confirm) return false;
  try {
    await opts.revoke();
    void Taro.showToast({ title: `已${opts.verb}`, icon: 'success' });
    return true;
  } catch {
    return false;
  }
}

/** The secret, shown this once (only its hash is kept), with 复制 and 我已保存. */
export function OnceShownSecret(props: { title: string; hint: string; secret: string; what: string; onDone: () => void }) {
  const copy = async () => {
    try {
      await withPrivacy(() => Taro.setClipboardData({ data: props.secret }));
    } catch {
      void Taro.showToast({ title: `复制失败，请长按${props.what}手动复制`, icon: 'none', duration: 2500 });
    }
  };
  return (
    <View className='card'>
      <Text className='card__title'>{props.title}</Text>
      <Text className='issued-keys__hint'>{props.hint}</Text>
      <Text className='issued-keys__secret' selectable>
        {props.secret}
      </Text>
      <Button className='btn btn--primary' onClick={() => void copy()}>
        {`复制${props.what}`}
      </Button>
      <Button className='btn btn--secondary' onClick={props.onDone}>
        我已保存
      </Button>
    </View>
  );
}

/** The issued keys, newest first as the server answers them, each with its own lines and 停用/吊销 while in force. */
export function IssuedKeyList<K extends IssuedKey>(props: {
  loaded: Loaded<K>;
  onRetry: () => void;
  title: string;
  empty: string;
  /** The verb of revoking on this page (停用, 吊销). */
  verb: string;
  heading: (k: K) => string;
  lines: (k: K) => string[];
  onRevoke: (k: K) => void;
}): ReactNode {
  const { loaded } = props;
  if (loaded.status === 'loading') return <LoadingState />;
  if (loaded.status === 'error') return <ErrorState message={`加载失败：${loaded.error}`} onRetry={props.onRetry} />;
  return (
    <View className='card'>
      <Text className='card__title'>{props.title}</Text>
      {loaded.items.length === 0 ? (
        <EmptyState text={props.empty} />
      ) : (
        loaded.items.map((k) => (
          <View className={`issued-keys__row${k.revokedAt ? ' issued-keys__revoked' : ''}`} key={k.id}>
            <Text className='issued-keys__name'>{props.heading(k)}</Text>
            {props.lines(k).map((line) => (
              <Text className='list-row__sub' key={line}>
                {line}
              </Text>
            ))}
            {k.revokedAt ? (
              <Text className='list-row__sub'>{`已${props.verb}（${k.revokedByName ?? ''}，${keyTime(k.revokedAt)}）`}</Text>
            ) : (
              <Button className='btn btn--secondary' size='mini' onClick={() => props.onRevoke(k)}>
                {props.verb}
              </Button>
            )}
          </View>
        ))
      )}
    </View>
  );
}
