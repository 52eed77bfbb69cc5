// 智能分类 on the forms: the categories the server finds likely for what is being typed, as chips
// 「可能是：停水、水质问题 · 路灯不亮 · …」. Only a hint: nothing is chosen until the person taps a
// chip, and a weak network never shows an error or holds the form up (the chips just do not come).
import { useEffect, useRef, useState } from 'react';
import { Text, View } from '@tarojs/components';
import { categoriesApi } from '../api/endpoints';
import type { CategorySuggestion } from '../api/types';
import './CategorySuggestions.scss';

/** Asked this long after typing stops: one request per pause, not one per keystroke. */
export const SUGGEST_DEBOUNCE_MS = 600;
/** Fewer characters say too little to rank anything. */
export const SUGGEST_MIN_CHARS = 6;
/** Chips shown: a short list a thumb can choose from. */
export const SUGGEST_TOP = 3;

export interface SuggestionOptions {
  /** Off: no request, no chips (e.g. a form not shown, a move that has no category). */
  enabled?: boolean;
  /** Wait after the last change; 0 asks at once (a text that does not change, like a filed appeal's). */
  delayMs?: number;
  limit?: number;
}

/**
 * The suggestions for `text`, asked `delayMs` after it last changed and only with at least
 * SUGGEST_MIN_CHARS characters. An answer to an older text is dropped when a newer request has
 * started (answers can arrive out of order); a failure leaves what is shown and says nothing.
 */
export function useCategorySuggestions(text: string, { enabled = true, delayMs = SUGGEST_DEBOUNCE_MS, limit = SUGGEST_TOP }: SuggestionOptions = {}): CategorySuggestion[] {
  const [items, setItems] = useState<CategorySuggestion[]>([]);
  const latest = useRef(0);
  const trimmed = text.trim();
  const long = [...trimmed].length >= SUGGEST_MIN_CHARS;

  useEffect(() => {
    // Any change makes whatever is in flight stale.
    const seq = ++latest.current;
    if (!enabled || !long) {
      setItems([]);
      return;
    }
    const ask = () => {
      categoriesApi
        .suggest({ text: trimmed, limit }, { toast: false })
        .then((res) => {
          if (seq === latest.current) setItems(res.items.slice(0, limit));
        })
        .catch(() => undefined); // only a hint: the form works without it
    };
    if (delayMs <= 0) {
      ask();
      return;
    }
    const timer = setTimeout(ask, delayMs);
    return () => clearTimeout(timer);
  }, [trimmed, long, enabled, delayMs, limit]);

  // Unmounted: an answer still in flight must not set state.
  useEffect(
    () => () => {
      latest.current++;
    },
    [],
  );

  return items;
}

export interface CategorySuggestionChipsProps {
  items: CategorySuggestion[];
  /** The category chosen on the form: its chip is shown as chosen. */
  value: string | null;
  onPick: (item: CategorySuggestion) => void;
}

/** 「可能是：」 and one large chip per suggestion; tapping one is the person's own choice. */
export function CategorySuggestionChips({ items, value, onPick }: CategorySuggestionChipsProps) {
  if (items.length === 0) return null;
  return (
    <View className='category-suggestions' aria-live='polite'>
      <Text className='category-suggestions__label'>可能是：</Text>
      <View className='chips'>
        {items.map((s) => (
          <Text className={`chip category-suggestions__chip${value === s.id ? ' chip--on' : ''}`} key={s.id} onClick={() => onPick(s)}>
            {s.name}
          </Text>
        ))}
      </View>
    </View>
  );
}

/** 置信度 as a whole percentage (a score of 0.823 reads 82%). */
export const confidenceLabel = (score: number) => `${Math.round(score * 100)}%`;
