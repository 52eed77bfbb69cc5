import { Text, View } from '@tarojs/components';
import { STALE_MESSAGE } from './NewsHooks';

/**
 * After a 409 (someone else saved first) the editor shows the server's text and keeps what this
 * writer typed here, to take back with one tap: nothing typed is lost.
 */
export function MyTextCard({ title, body, onResume }: { title: string; body: string; onResume: () => void }) {
  return (
    <View className='card'>
      <Text className='news-item__warn'>{STALE_MESSAGE}。下面是你刚才输入的内容：</Text>
      <Text className='news-item__title'>{title}</Text>
      <Text className='news-hint'>{body}</Text>
      <Text className='news-scope__link' onClick={onResume}>
        用我的内容继续编辑
      </Text>
    </View>
  );
}
