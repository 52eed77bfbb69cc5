// 首页: who and where the reader is, pinned (emergency) notices with 更多通知, the search entry,
// the column tabs (全部 + the columns) and the feed of the chosen column for the reader's
// community, paged by cursor (reach the bottom or 加载更多) and refreshed by pulling down.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, ScrollView, Text, View } from '@tarojs/components';
import Taro, { usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { columnsApi, newsApi, noticesApi } from '../../api/endpoints';
import type { ArticleSummary, Column, NoticeSummary } from '../../api/types';
import { ArticleCard } from '../../components/ArticleCard';
import { NewsCursorList } from '../../components/NewsCursorList';
import { NoticeCard } from '../../components/NoticeCard';
import { useCurrentUser } from '../../hooks/use-current-user';
import { useCursorList } from '../../hooks/use-cursor-list';
import { usePageClass } from '../../hooks/use-page-class';
import { KEYBOARD_SCROLLABLE } from '../../utils/a11y';
import { regionLabel } from '../../utils/region';
import { NEWS_SEARCH_PAGE, NOTICES_PAGE, articleUrl, noticeUrl } from '../../utils/news';
import { TIP_NEW_PAGE } from '../tip-detail/tip-view';
import { CONSULTATION_LIST_PAGE } from '../consultation-detail/consultation-view';
import './index.scss';

const PAGE_SIZE = 20;
/** Notices read for the banner: the pinned ones come first in the list. */
const NOTICE_BANNER_LIMIT = 5;
/** Shown when nothing is pinned, so the reader still sees the latest notices. */
const LATEST_NOTICES_SHOWN = 2;

const idOf = (a: ArticleSummary) => a.id;

export default function HomePage() {
  const pageClass = usePageClass('home');
  const user = useCurrentUser();
  const regionId = user?.regionId ?? undefined;
  const community = regionLabel(user?.region);

  const [columns, setColumns] = useState<Column[]>([]);
  const [column, setColumn] = useState('');
  const [notices, setNotices] = useState<NoticeSummary[]>([]);

  const loadColumns = useCallback(async () => {
    try {
      const list = await columnsApi.list({ toast: false });
      setColumns(list.items.filter((c) => c.active));
    } catch {
      // The feed still reads with 全部; pulling down tries again.
    }
  }, []);

  // A banner read for a previous community is dropped when the answer comes late.
  const noticeGeneration = useRef(0);
  const loadNotices = useCallback(async () => {
    const gen = ++noticeGeneration.current;
    try {
      const page = await noticesApi.list({ regionId, limit: NOTICE_BANNER_LIMIT }, { toast: false });
      if (gen === noticeGeneration.current) setNotices(page.items);
    } catch {
      // The banner is extra: 更多通知 stays, and the notices page has its own error view.
    }
  }, [regionId]);

  useEffect(() => void loadColumns(), [loadColumns]);
  useEffect(() => void loadNotices(), [loadNotices]);

  const loadFeed = useCallback(
    (cursor: string | undefined) => newsApi.feed({ column: column || undefined, regionId, cursor, limit: PAGE_SIZE }, { toast: false }),
    [column, regionId],
  );
  const feed = useCursorList(loadFeed, { idOf });

  usePullDownRefresh(() => {
    void Promise.all([feed.refresh(), loadNotices(), loadColumns()]).finally(() => {
      if (typeof Taro.stopPullDownRefresh === 'function') void Taro.stopPullDownRefresh();
    });
  });
  useReachBottom(() => void feed.loadMore());

  const pinned = notices.filter((n) => n.pinned);
  const bannerNotices = pinned.length > 0 ? pinned : notices.slice(0, LATEST_NOTICES_SHOWN);
  const tabs = [{ code: '', name: '全部' }, ...columns.map((c) => ({ code: c.code, name: c.name }))];

  return (
    <View className={pageClass}>
      <View className='card home__welcome'>
        {user ? (
          <View>
            <Text className='home__greeting'>{user.name}，您好</Text>
            {community ? (
              <View>
                <Text className='home__community'>所在社区：{community}</Text>
                <Text className='home__community-link' onClick={() => void Taro.navigateTo({ url: CONSULTATION_LIST_PAGE })}>
                  本社区议事 ›
                </Text>
              </View>
            ) : (
              <View>
                <Text className='home__community'>选择所在社区，看本社区的新闻和通知</Text>
                <Button className='btn home__cta' onClick={() => void Taro.navigateTo({ url: '/pages/region-picker/index' })}>
                  选择社区
                </Button>
              </View>
            )}
          </View>
        ) : (
          <View>
            <Text className='home__greeting'>欢迎使用县融</Text>
            <Text className='home__community'>登录后可查看您所在社区的消息</Text>
            <Button className='btn home__cta' onClick={() => void Taro.navigateTo({ url: '/pages/login/index' })}>
              去登录
            </Button>
          </View>
        )}
      </View>

      <View className='home__search' onClick={() => void Taro.navigateTo({ url: NEWS_SEARCH_PAGE })}>
        <View className='home__search-icon' />
        <Text className='home__search-text'>搜索新闻</Text>
      </View>

      <View className='home__tip' onClick={() => void Taro.navigateTo({ url: user ? TIP_NEW_PAGE : '/pages/login/index' })}>
        <Text className='home__tip-title'>我要爆料</Text>
        <Text className='home__tip-sub'>身边的新鲜事，告诉编辑部 ›</Text>
      </View>

      <View className='home__consultation' onClick={() => void Taro.navigateTo({ url: CONSULTATION_LIST_PAGE })}>
        <Text className='home__tip-title'>议事</Text>
        <Text className='home__tip-sub'>社区的事，大家来投票 ›</Text>
      </View>

      <View className='home__notices'>
        <View className='home__section-head'>
          <Text className='home__section-title'>通知公告</Text>
          <Text className='home__more' onClick={() => void Taro.navigateTo({ url: NOTICES_PAGE })}>
            更多通知 ›
          </Text>
        </View>
        {bannerNotices.map((n) => (
          <NoticeCard key={n.id} notice={n} compact onClick={() => void Taro.navigateTo({ url: noticeUrl(n.id) })} />
        ))}
      </View>

      <ScrollView className='home__tabs' scrollX enableFlex {...KEYBOARD_SCROLLABLE}>
        {tabs.map((t) => (
          <View
            key={t.code || 'all'}
            className={`home__tab${t.code === column ? ' home__tab--active' : ''}`}
            onClick={() => setColumn(t.code)}
          >
            <Text>{t.name}</Text>
          </View>
        ))}
      </ScrollView>

      <NewsCursorList
        list={feed}
        renderItem={(a) => (
          <ArticleCard key={a.id} article={a} showColumn={!column} onClick={() => void Taro.navigateTo({ url: articleUrl(a.id) })} />
        )}
      />
    </View>
  );
}
