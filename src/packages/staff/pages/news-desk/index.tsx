// 稿件管理 / 审核稿件 (?tab=): the newsroom's lists. 我的稿件 (every state, with state chips),
// 待审核 by level (初审/复审/终审, with the numbers waiting), 已发布, 定时, 已撤回; a search box;
// cursor paging. Tapping an article opens article-manage.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Input, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { articlesApi } from '../../../../api/endpoints';
import type { ArticleManageItem, ArticleManageQuery, ArticleState, ManageCounts } from '../../../../api/types';
import { NewsCursorList } from '../../../../components/NewsCursorList';
import { useCursorList } from '../../../../hooks/use-cursor-list';
import { usePageClass } from '../../../../hooks/use-page-class';
import { ARTICLE_STATES, ARTICLE_STATE_LABELS, REVIEW_LEVEL_LABELS } from '../../../../../common/news-labels';
import { ArticleManageRow } from '../../components/ArticleManageRow';
import { staffPage } from '../../shared';
import { useListPageEvents } from '../../components/NewsHooks';
import './index.scss';

export type DeskTab = 'mine' | 'review' | 'published' | 'scheduled' | 'withdrawn';
const TABS: { tab: DeskTab; label: string }[] = [
  { tab: 'mine', label: '我的稿件' },
  { tab: 'review', label: '待审核' },
  { tab: 'published', label: '已发布' },
  { tab: 'scheduled', label: '定时' },
  { tab: 'withdrawn', label: '已撤回' },
];
const asTab = (v: string | undefined): DeskTab => (TABS.some((t) => t.tab === v) ? (v as DeskTab) : 'mine');
const PAGE_SIZE = 20;

interface Filter {
  tab: DeskTab;
  /** 我的稿件: one state or all. */
  state: ArticleState | null;
  /** 待审核: the level's queue. */
  level: number;
  q: string;
}

function queryOf(f: Filter): ArticleManageQuery {
  const q = f.q.trim() || undefined;
  if (f.tab === 'mine') return { mine: 'true', state: f.state ?? undefined, q, limit: PAGE_SIZE };
  if (f.tab === 'review') return { level: f.level, q, limit: PAGE_SIZE };
  return { state: f.tab, q, limit: PAGE_SIZE };
}

const idOf = (a: ArticleManageItem) => a.id;

export default function NewsDeskPage() {
  const pageClass = usePageClass('news-desk');
  const initialTab = asTab(useRouter().params.tab);
  const [filter, setFilter] = useState<Filter>({ tab: initialTab, state: null, level: 1, q: '' });
  const [typed, setTyped] = useState('');
  const [counts, setCounts] = useState<ManageCounts | null>(null);
  const filterRef = useRef(filter);
  filterRef.current = filter;

  // A new filter makes a new loader: the list empties and reads its first page again.
  const load = useCallback((cursor: string | undefined) => articlesApi.list({ ...queryOf(filter), cursor }, { toast: false }), [filter]);
  const list = useCursorList(load, { idOf });

  // The numbers on the tabs are a hint: without them the lists still work, so no toast.
  const loadCounts = useCallback(() => {
    articlesApi
      .counts({ toast: false })
      .then(setCounts)
      .catch(() => undefined);
  }, []);
  useEffect(loadCounts, [filter, loadCounts]);

  useListPageEvents(list, loadCounts);
  // Reviewers come here as 审核稿件 (the stand-in for tests has no bar).
  useEffect(() => {
    if (initialTab === 'review' && typeof Taro.setNavigationBarTitle === 'function') void Taro.setNavigationBarTitle({ title: '审核稿件' });
  }, [initialTab]);

  const change = (patch: Partial<Filter>) => setFilter({ ...filterRef.current, ...patch });
  const search = () => change({ q: typed });
  const open = (a: ArticleManageItem) => void Taro.navigateTo({ url: staffPage('article-manage', { id: a.id }) });
  const tabCount = (tab: DeskTab) => {
    if (!counts) return '';
    if (tab === 'review') return ` ${Object.values(counts.review).reduce((s, n) => s + n, 0)}`;
    if (tab === 'scheduled') return ` ${counts.scheduled}`;
    return '';
  };

  const emptyText = filter.q.trim() ? `没有与「${filter.q.trim()}」相关的稿件` : filter.tab === 'review' ? `没有待${REVIEW_LEVEL_LABELS[filter.level]}的稿件` : '暂无稿件';

  return (
    <View className={pageClass}>
      <View className='news-tabs'>
        {TABS.map(({ tab, label }) => (
          <Text key={tab} className={`news-tab${filter.tab === tab ? ' news-tab--on' : ''}`} onClick={() => change({ tab, state: null })}>
            {label}
            {tabCount(tab)}
          </Text>
        ))}
      </View>

      {filter.tab === 'mine' ? (
        <View className='news-tabs'>
          <Text className={`news-tab news-tab--sub${filter.state === null ? ' news-tab--on' : ''}`} onClick={() => change({ state: null })}>
            全部
          </Text>
          {ARTICLE_STATES.map((s) => (
            <Text key={s} className={`news-tab news-tab--sub${filter.state === s ? ' news-tab--on' : ''}`} onClick={() => change({ state: s })}>
              {ARTICLE_STATE_LABELS[s]}
            </Text>
          ))}
        </View>
      ) : null}
      {filter.tab === 'review' ? (
        <View className='news-tabs'>
          {[1, 2, 3].map((level) => (
            <Text key={level} className={`news-tab news-tab--sub${filter.level === level ? ' news-tab--on' : ''}`} onClick={() => change({ level })}>
              {REVIEW_LEVEL_LABELS[level]}
              {counts ? ` ${counts.review[String(level)] ?? 0}` : ''}
            </Text>
          ))}
        </View>
      ) : null}

      <View className='news-search'>
        <Input className='news-input news-search__box' value={typed} placeholder='搜索标题或正文' maxlength={40} confirmType='search' onInput={(e) => setTyped(e.detail.value)} onConfirm={search} />
        <Button className='btn btn--secondary news-search__go' onClick={search}>
          搜索
        </Button>
      </View>

      <View className='card'>
        <NewsCursorList list={list} emptyText={emptyText} renderItem={(a) => <ArticleManageRow key={a.id} article={a} onOpen={open} />} />
      </View>
    </View>
  );
}
