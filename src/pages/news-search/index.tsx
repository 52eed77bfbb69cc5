// 搜索: words in, matching articles out (all words must match, titles and bodies), newest first,
// paged by cursor; 没有找到相关内容 when nothing matches.
import { useCallback, useState } from 'react';
import { Button, Input, View } from '@tarojs/components';
import Taro, { useReachBottom } from '@tarojs/taro';
import { newsApi } from '../../api/endpoints';
import type { ArticleSummary } from '../../api/types';
import { ArticleCard } from '../../components/ArticleCard';
import { NewsCursorList } from '../../components/NewsCursorList';
import { useCursorList } from '../../hooks/use-cursor-list';
import { usePageClass } from '../../hooks/use-page-class';
import { articleUrl } from '../../utils/news';
import './index.scss';

const PAGE_SIZE = 20;
/** The server takes 1 to 40 characters. */
export const SEARCH_MAX = 40;
const idOf = (a: ArticleSummary) => a.id;

export default function NewsSearchPage() {
  const pageClass = usePageClass('news-search');
  const [input, setInput] = useState('');
  // What was searched (the input may change after); the list reads again when it changes.
  const [q, setQ] = useState('');
  const load = useCallback((cursor: string | undefined) => newsApi.search({ q, cursor, limit: PAGE_SIZE }, { toast: false }), [q]);
  const results = useCursorList(load, { idOf, enabled: q !== '' });
  useReachBottom(() => void results.loadMore());

  const submit = (value = input) => {
    const words = value.trim().slice(0, SEARCH_MAX);
    if (!words) return;
    // The same words again read again (e.g. after an error); new words start a new list.
    if (words === q) void results.reset();
    else setQ(words);
  };

  return (
    <View className={pageClass}>
      <View className='news-search__bar'>
        <Input
          className='news-search__input'
          value={input}
          placeholder='输入标题或内容中的词'
          maxlength={SEARCH_MAX}
          confirmType='search'
          focus
          onInput={(e) => setInput(e.detail.value)}
          onConfirm={(e) => submit(e.detail.value)}
        />
        <Button className='btn btn--primary news-search__go' onClick={() => submit()}>
          搜索
        </Button>
      </View>
      <NewsCursorList
        list={results}
        emptyText='没有找到相关内容'
        renderItem={(a) => <ArticleCard key={a.id} article={a} showColumn onClick={() => void Taro.navigateTo({ url: articleUrl(a.id) })} />}
      />
    </View>
  );
}
