// 定时发布: a date picker and a time picker (Beijing time), shown as '2026-11-28 08:00'.
import { Picker, Text, View } from '@tarojs/components';
import { splitBeijing } from './NewsAccess';

export interface NewsScheduleProps {
  date: string;
  time: string;
  onChange: (value: { date: string; time: string }) => void;
  error?: string | null;
}

export function NewsSchedule({ date, time, onChange, error }: NewsScheduleProps) {
  const today = splitBeijing(new Date()).date;
  return (
    <View className='news-schedule'>
      <Picker mode='date' value={date} start={today} onChange={(e) => onChange({ date: String(e.detail.value), time })}>
        <View className='news-picker'>日期：{date || '请选择'}</View>
      </Picker>
      <Picker mode='time' value={time} onChange={(e) => onChange({ date, time: String(e.detail.value) })}>
        <View className='news-picker'>时间：{time || '请选择'}</View>
      </Picker>
      <Text className='news-hint'>按北京时间，审核全部通过后到点自动发布</Text>
      {error ? <Text className='field-error'>{error}</Text> : null}
    </View>
  );
}
