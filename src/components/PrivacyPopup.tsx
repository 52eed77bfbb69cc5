// The privacy popup WeChat asks for before a privacy API (photos, location, clipboard) may run: the
// guide's name as a link, 拒绝 and 同意, where 同意 is WeChat's own agreement button (open-type
// agreePrivacyAuthorization; WeChat checks that this very button was tapped). Mounted by the components
// that call such APIs (PhotoPicker, the binding code card); nothing shows until WeChat asks, and never
// in H5. Sizes through the --xr-* properties, so the elderly mode's larger type reaches it too.
import { useEffect, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { PRIVACY_DECLINE_NOTE, PRIVACY_GUIDE_TITLE } from '../pages/privacy/content';
import { agreePrivacy, declinePrivacy, installPrivacyHandler, onPrivacyRequest, pendingPrivacyRequest, PRIVACY_PAGE, type PrivacyRequest } from '../utils/privacy';
import './PrivacyPopup.scss';

/** The request WeChat is holding an API for, followed as it comes and goes. */
export function usePrivacyRequest(): PrivacyRequest | null {
  const [request, setRequest] = useState(pendingPrivacyRequest);
  useEffect(() => {
    installPrivacyHandler();
    setRequest(pendingPrivacyRequest());
    return onPrivacyRequest(setRequest);
  }, []);
  return request;
}

const openGuide = () => void Taro.navigateTo({ url: PRIVACY_PAGE });

let buttonSeq = 0;

/**
 * 拒绝 and 同意. Each instance has its own agreement button id: two mounted popups (a page under the
 * top one in WeChat's stack keeps its own) must not share one, WeChat finds the tapped button by id.
 */
export function PrivacyAnswerButtons({ onAnswered }: { onAnswered?: (agreed: boolean) => void }) {
  const [agreeId] = useState(() => `xr-privacy-agree-${++buttonSeq}`);
  return (
    <View className='privacy-answer'>
      <Button
        className='btn btn--secondary privacy-answer__button'
        onClick={() => {
          declinePrivacy();
          onAnswered?.(false);
        }}
      >
        拒绝
      </Button>
      <Button
        id={agreeId}
        className='btn btn--primary privacy-answer__button'
        openType='agreePrivacyAuthorization'
        onAgreePrivacyAuthorization={() => {
          agreePrivacy(agreeId);
          onAnswered?.(true);
        }}
      >
        同意
      </Button>
    </View>
  );
}

/** Shown while WeChat waits for the user's answer; nothing otherwise. */
export function PrivacyPopup() {
  const request = usePrivacyRequest();
  if (!request) return null;
  return (
    <View className='privacy-popup' catchMove>
      <View className='privacy-popup__sheet'>
        <Text className='privacy-popup__title'>隐私保护提示</Text>
        <Text className='privacy-popup__text'>
          使用照片、位置、复制等功能前，请您阅读并同意
          <Text className='privacy-popup__link' onClick={openGuide}>
            {`《${PRIVACY_GUIDE_TITLE}》`}
          </Text>
          。
        </Text>
        <Text className='privacy-popup__note'>{PRIVACY_DECLINE_NOTE}</Text>
        <PrivacyAnswerButtons />
      </View>
    </View>
  );
}

/** Said where a feature stopped because the user declined, e.g. action '选择照片'; offers the guide. */
export function PrivacyRefusedNote({ action }: { action: string }) {
  return (
    <View className='privacy-refused'>
      <Text className='privacy-refused__text'>{`需要同意隐私保护指引后才能${action}`}</Text>
      <Text className='privacy-refused__link' onClick={openGuide}>
        查看隐私保护指引
      </Text>
    </View>
  );
}
