// A one-time binding code as the staff member reads it out or copies it: the eight digits very large,
// when it runs out, and what to send where. Used by the room and the contact binding pages.
import { useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { BindingCode } from '../../../api/types';
import { PrivacyPopup, PrivacyRefusedNote } from '../../../components/PrivacyPopup';
import { withPrivacy } from '../../../utils/privacy';
import { chinaShortTime, parseInstant } from '../../../../common/china-time';
import './BindingCodeCard.scss';

/** '有效期至 11月27日 14:05' in China time, as the county reads it. */
export function expiryLabel(iso: string): string {
  const ms = parseInstant(iso);
  return ms === null ? '' : `有效期至 ${chinaShortTime(ms)}`;
}

/** What to send, e.g. '绑定 12345678'. */
export const bindMessage = (code: string) => `绑定 ${code}`;

/** Copies the message; false when the user declined the privacy guide (WeChat holds the clipboard until then). */
async function copy(code: string): Promise<boolean> {
  try {
    return await withPrivacy(() => Taro.setClipboardData({ data: bindMessage(code) }));
  } catch {
    void Taro.showToast({ title: '复制失败，请手动输入绑定码', icon: 'none', duration: 2500 });
  }
  return true;
}

/**
 * `sendTo` says where to send the message, e.g. '请在要绑定的微信群里发送：'; the message itself
 * ('绑定 12345678') follows and never breaks across lines.
 */
export function BindingCodeCard({ code, sendTo }: { code: BindingCode; sendTo: string }) {
  const [privacyRefused, setPrivacyRefused] = useState(false);
  return (
    <View className='binding-code'>
      <Text className='binding-code__label'>绑定码</Text>
      <Text className='binding-code__digits' userSelect>
        {code.code}
      </Text>
      <Text className='binding-code__expiry'>{expiryLabel(code.expiresAt)}</Text>
      <Text className='binding-code__instruction'>
        {sendTo}
        <Text className='binding-code__message'>{bindMessage(code.code)}</Text>
      </Text>
      <Button className='btn btn--primary' onClick={() => void copy(code.code).then((copied) => setPrivacyRefused(!copied))}>
        复制
      </Button>
      {privacyRefused ? <PrivacyRefusedNote action='复制，请手动输入绑定码' /> : null}
      <PrivacyPopup />
    </View>
  );
}
