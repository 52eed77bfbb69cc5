// One answered public appeal (公开诉求) for anyone, signed in or not: the question, the official
// answer and the unit that gave it, the dates and the rating. The server has masked names, phones,
// ID and house numbers and serves the photos without their EXIF. Shares as a card.
import { useCallback, useRef } from 'react';
import { Text, View } from '@tarojs/components';
import { useDidShow, useRouter, useShareAppMessage } from '@tarojs/taro';
import { boardApi } from '../../api/endpoints';
import type { BoardDetail } from '../../api/types';
import { StateTag } from '../../components/AppealCard';
import { PendingPage } from '../../components/StateView';
import { useLoadedItem } from '../../hooks/use-cursor-list';
import { usePageClass } from '../../hooks/use-page-class';
import { boardItemUrl, formatTime, kindAndCategory } from '../../utils/appeal';
import { showShareMenus } from '../../utils/share';
import { PhotoGrid } from '../appeal-detail/PhotoGrid';
import './index.scss';

export default function BoardItemPage() {
  const pageClass = `${usePageClass('board-item')} appeal-detail`;
  const id = useRouter().params.id ?? '';
  const load = useCallback(() => boardApi.get(id, { toast: false }), [id]);
  const { item, status, error, reload } = useLoadedItem<BoardDetail>(id ? load : null, '没有找到这条公开诉求');

  const itemRef = useRef<BoardDetail | null>(null);
  itemRef.current = item;
  useDidShow(() => showShareMenus());
  // The card names what, where and how it ended; the text stays on the page.
  useShareAppMessage(() => {
    const a = itemRef.current;
    if (!a) return { title: '县融：公开诉求', path: '/pages/appeals/index' };
    return { title: `【公开诉求】${a.regionName} · ${kindAndCategory(a)} · ${a.stateLabel}`, path: boardItemUrl(a.id) };
  });

  if (status !== 'ready' || !item) return <PendingPage className={pageClass} status={status} error={error} onRetry={() => void reload()} />;
  const a = item;

  return (
    <View className={pageClass}>
      <View className='card'>
        <View className='appeal-detail__head'>
          <StateTag state={a.state} label={a.stateLabel} />
        </View>
        <Text className='appeal-detail__number'>{a.number}</Text>
        <Text className='appeal-detail__line'>{kindAndCategory(a)}</Text>
        <Text className='appeal-detail__line'>{a.regionName}</Text>
        <Text className='appeal-detail__sub'>{`${a.reporterName} 提交于 ${formatTime(a.submittedAt)}`}</Text>
        {a.followersCount > 0 ? <Text className='appeal-detail__sub'>{`${a.followersCount}人同问`}</Text> : null}
        {a.departmentName ? <Text className='appeal-detail__sub'>{`承办单位：${a.departmentName}`}</Text> : null}
      </View>

      <View className='card'>
        <Text className='card__title'>问题描述</Text>
        <Text className='appeal-detail__text'>{a.description}</Text>
        <PhotoGrid photos={a.photos} />
      </View>

      <View className='card appeal-detail__answer'>
        <Text className='card__title'>办理答复</Text>
        <Text className='appeal-detail__sub'>{[a.answer.departmentName, `答复于 ${formatTime(a.answer.at)}`].filter(Boolean).join(' · ')}</Text>
        <Text className='appeal-detail__text'>{a.answer.text}</Text>
        <PhotoGrid photos={a.answer.photos} />
        {a.closedAt ? <Text className='appeal-detail__sub'>{`办结于 ${formatTime(a.closedAt)}`}</Text> : null}
      </View>

      <View className='card'>
        <Text className='card__title'>反映人评价</Text>
        {a.rating ? (
          <>
            <Text className='appeal-detail__line'>{`${a.rating.resolved ? '已解决' : '未解决'} · ${a.rating.satisfactionLabel}`}</Text>
            {a.rating.comment ? <Text className='appeal-detail__text'>{a.rating.comment}</Text> : null}
            <Text className='appeal-detail__sub'>{formatTime(a.rating.at)}</Text>
          </>
        ) : (
          <Text className='appeal-detail__sub'>尚未评价</Text>
        )}
      </View>

      <Text className='board-item__note'>为保护个人信息，姓名、电话、证件号和门牌号已隐去。</Text>
    </View>
  );
}
