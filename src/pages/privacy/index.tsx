// 隐私保护指引: what the mini-program collects, when, why, who sees it, how long it is kept, and how to
// ask for removal (the wording lives in ./content.ts). In WeChat it also takes the answer: when a privacy
// API waits (the popup's link led here, or no popup was on screen) 拒绝 / 同意 answer it and go back to
// where the user was; otherwise, if the user has not agreed yet, 同意 records the agreement.
import { useEffect, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { PrivacyAnswerButtons, usePrivacyRequest } from '../../components/PrivacyPopup';
import { usePageClass } from '../../hooks/use-page-class';
import { needsPrivacyAgreement, privacyGateActive } from '../../utils/privacy';
import { PRIVACY_CONTACT, PRIVACY_DECLINE_NOTE, PRIVACY_GUIDE_TITLE, PRIVACY_INTRO, PRIVACY_ITEMS } from './content';
import './index.scss';

function Row({ label, text }: { label: string; text: string }) {
  return (
    <View className='privacy__row'>
      <Text className='privacy__label'>{label}</Text>
      <Text className='privacy__text'>{text}</Text>
    </View>
  );
}

/** The answer part, WeChat only. */
function Agreement() {
  const request = usePrivacyRequest();
  const [needed, setNeeded] = useState<boolean | null>(null);
  useEffect(() => {
    let live = true;
    void needsPrivacyAgreement().then((need) => live && setNeeded(need));
    return () => {
      live = false;
    };
  }, []);

  if (request || needed) {
    return (
      <View className='card privacy__agreement'>
        <Text className='privacy__text'>{`请阅读以上内容。同意后即可使用照片、位置、复制等功能。${PRIVACY_DECLINE_NOTE}`}</Text>
        <PrivacyAnswerButtons
          onAnswered={(agreed) => {
            setNeeded(!agreed);
            // A privacy API was waiting on the page underneath: back to it (it goes on, or says it stopped).
            if (request) void Taro.navigateBack();
          }}
        />
      </View>
    );
  }
  if (needed === false) return <Text className='text-muted privacy__agreed'>您已同意本指引。</Text>;
  return null;
}

export default function PrivacyPage() {
  const pageClass = usePageClass('privacy');
  return (
    <View className={pageClass}>
      <Text className='privacy__title'>{PRIVACY_GUIDE_TITLE}</Text>
      <Text className='privacy__intro'>{PRIVACY_INTRO}</Text>
      {PRIVACY_ITEMS.map((item) => (
        <View className='card privacy__item' key={item.key}>
          <Text className='card__title'>{item.title}</Text>
          <Row label='何时收集' text={item.when} />
          <Row label='用途' text={item.why} />
          <Row label='谁能看到' text={item.who} />
          <Row label='保存多久' text={item.kept} />
        </View>
      ))}
      <View className='card'>
        <Text className='card__title'>查询、更正和删除</Text>
        <Text className='privacy__text'>{PRIVACY_CONTACT}</Text>
      </View>
      {privacyGateActive() ? <Agreement /> : null}
    </View>
  );
}
