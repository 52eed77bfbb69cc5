// 绑定我的微信: a one-time code the user sends to the bot in a private chat, so the bot knows their
// WeChat: staff need it to 解绑 a group or to forward residents' messages; for a resident it makes
// a vote in their group chat and one in the app one person's, and their #爆料 their own.
import { useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import { bindingsApi } from '../../../../api/endpoints';
import type { BindingCode } from '../../../../api/types';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { BindingCodeCard } from '../../components/BindingCodeCard';
import { BOT_NAME } from '../../shared';
import './index.scss';
import { usePageClass } from '../../../../hooks/use-page-class';

export default function ContactBindingPage() {
  const pageClass = usePageClass('contact-binding');
  const user = useCurrentUser();
  const [code, setCode] = useState<BindingCode | null>(null);
  const [creating, setCreating] = useState(false);

  const createCode = async () => {
    if (creating) return;
    setCreating(true);
    try {
      setCode(await bindingsApi.createCode({ type: 'contact' }));
    } catch {
      // the request wrapper showed the reason as a toast
    } finally {
      setCreating(false);
    }
  };

  if (!user) return <View className={pageClass} />;

  return (
    <View className={pageClass}>
      <View className='card'>
        <Text className='card__title'>绑定我的微信</Text>
        {user.wechatContactBound ? (
          <Text className='contact-binding__status contact-binding__status--bound'>
            您的微信已绑定，重新绑定将替换原来的微信
          </Text>
        ) : (
          <Text className='contact-binding__status'>
            {user.isStaff
              ? '您的微信尚未绑定。绑定后，群聊机器人就能认出您，您可以在群里管理本社区的群聊。'
              : '您的微信尚未绑定。绑定后，您在社区微信群里的投票和在小程序里的投票算作同一人，在群里发的爆料也会出现在「我的爆料」。'}
          </Text>
        )}
        <Button className={code ? 'btn btn--secondary' : 'btn btn--primary'} disabled={creating} onClick={() => void createCode()}>
          {creating ? '正在生成…' : code ? '重新生成绑定码' : '生成绑定码'}
        </Button>
        {code ? (
          <BindingCodeCard code={code} sendTo={`请私聊群聊机器人「${BOT_NAME}」发送：`} />
        ) : null}
      </View>
    </View>
  );
}
