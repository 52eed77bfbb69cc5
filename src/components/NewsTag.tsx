// The small tags of news and notices: 紧急 (red), 重要 (orange), 通知 (grey), 置顶 (amber). Each
// carries its word, so colour is never the only sign.
import type { ReactNode } from 'react';
import { Text } from '@tarojs/components';
import './NewsTag.scss';

export type NewsTagTone = 'emergency' | 'important' | 'normal' | 'pinned';

export function NewsTag({ tone, children }: { tone: NewsTagTone; children: ReactNode }) {
  return <Text className={`news-tag news-tag--${tone}`}>{children}</Text>;
}
