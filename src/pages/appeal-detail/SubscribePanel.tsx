// 订阅进度提醒 on the appeal's page: how many progress messages WeChat will still let the server
// send this resident (one per 允许 they tapped), and the button that asks for one more. The tap
// opens WeChat's dialog at once (WeChat refuses it without a tap); the answer goes to the server.
// Hidden in H5 (no subscribe messages there) and when the county has no template configured.
import { useEffect, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { subscriptionsApi } from '../../api/endpoints';
import type { GrantCounts } from '../../api/types';
import { askForSubscription, subscribeAvailable } from '../../utils/subscribe';

export function SubscribePanel() {
  const [grants, setGrants] = useState<GrantCounts['items'] | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!subscribeAvailable()) return;
    let live = true;
    subscriptionsApi
      .grants({ toast: false })
      .then((res) => live && setGrants(res.items))
      .catch(() => undefined); // without the counts the panel stays hidden
    return () => {
      live = false;
    };
  }, []);

  if (!grants || grants.length === 0) return null;
  const remaining = grants.reduce((n, g) => n + g.remaining, 0);

  const subscribe = async () => {
    if (busy) return;
    setBusy(true);
    // No await before this call: WeChat shows its dialog only within the tap.
    const after = await askForSubscription(grants.map((g) => g.templateId));
    setBusy(false);
    if (!after) return;
    const now = after.items.reduce((n, g) => n + g.remaining, 0);
    setGrants(after.items);
    if (now > remaining) void Taro.showToast({ title: '订阅成功', icon: 'success', duration: 1500 });
  };

  return (
    <View className='card appeal-detail__subscribe'>
      <Text className='card__title'>进度提醒</Text>
      {remaining > 0 ? (
        <Text className='appeal-detail__line appeal-detail__subscribe-count'>{`剩余 ${remaining} 次提醒`}</Text>
      ) : (
        <Text className='appeal-detail__line'>点击订阅后，诉求有答复时会通过微信通知您。</Text>
      )}
      <Text className='appeal-detail__sub'>每次订阅可收到一条微信通知（答复、办结或不予受理时）。</Text>
      <Button className='btn btn--secondary' disabled={busy} onClick={() => void subscribe()}>
        订阅进度提醒
      </Button>
    </View>
  );
}
