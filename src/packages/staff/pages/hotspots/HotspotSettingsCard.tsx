// 高频诉求阈值 (admins): the window in hours, how many similar appeals make a hot spot, how alike two
// texts must be (相似度, 0.3–1). Saved with the version shown: when another admin saved first the
// server answers 409, the card says so and shows their values.
import { useCallback, useEffect, useState } from 'react';
import { Button, Input, Text, View } from '@tarojs/components';
import { hotspotsApi, type HotspotSettings } from '../../../../api/hotspots';
import { errorMessage } from '../../../../api/request';
import { isStale } from '../../components/NewsHooks';
import { controlLabel } from '../../../../utils/a11y';

export const SETTINGS_STALE_MESSAGE = '阈值刚被其他管理员修改，已重新加载，请确认后再保存';
type Draft = { windowHours: string; minCount: string; similarity: string };
const draftOf = (s: HotspotSettings): Draft => ({ windowHours: String(s.windowHours), minCount: String(s.minCount), similarity: String(s.similarity) });

/** The typed values, or why they cannot be saved (the server's limits). */
export function parseThresholds(d: Draft): { windowHours: number; minCount: number; similarity: number } | string {
  const windowHours = Number(d.windowHours);
  const minCount = Number(d.minCount);
  const similarity = Number(d.similarity);
  if (!Number.isInteger(windowHours) || windowHours < 1 || windowHours > 72) return '时间窗为1到72小时的整数';
  if (!Number.isInteger(minCount) || minCount < 2 || minCount > 100) return '件数为2到100的整数';
  if (!Number.isFinite(similarity) || similarity < 0.3 || similarity > 1) return '相似度为0.3到1之间的小数';
  return { windowHours, minCount, similarity };
}

export function HotspotSettingsCard() {
  const [settings, setSettings] = useState<HotspotSettings | null>(null);
  const [draft, setDraft] = useState<Draft>({ windowHours: '', minCount: '', similarity: '' });
  const [message, setMessage] = useState<{ text: string; ok: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const s = await hotspotsApi.settings({ toast: false });
      setSettings(s);
      setDraft(draftOf(s));
    } catch (e) {
      setMessage({ text: `阈值加载失败：${errorMessage(e)}`, ok: false });
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const save = async () => {
    if (!settings || busy) return;
    const values = parseThresholds(draft);
    if (typeof values === 'string') return setMessage({ text: values, ok: false });
    setBusy(true);
    setMessage(null);
    try {
      const saved = await hotspotsApi.editSettings({ ...values, version: settings.version }, { toast: false });
      setSettings(saved);
      setDraft(draftOf(saved));
      setMessage({ text: '阈值已保存，下一轮检测起生效', ok: true });
    } catch (e) {
      if (isStale(e)) {
        await load();
        setMessage({ text: SETTINGS_STALE_MESSAGE, ok: false });
      } else setMessage({ text: errorMessage(e), ok: false });
    } finally {
      setBusy(false);
    }
  };

  const field = (key: keyof Draft, label: string, type: 'number' | 'digit', placeholder: string) => (
    <View className='hotspot-settings__row'>
      <Text className='news-label'>{label}</Text>
      <Input className='news-input' type={type} value={draft[key]} placeholder={placeholder} nativeProps={controlLabel(label)} onInput={(e) => setDraft((d) => ({ ...d, [key]: e.detail.value }))} />
    </View>
  );

  return (
    <View className='card hotspot-settings'>
      <Text className='card__title'>检测阈值（管理员）</Text>
      {settings ? (
        <>
          {field('windowHours', '时间窗（小时）', 'number', '1–72')}
          {field('minCount', '相似诉求件数（达到即提醒）', 'number', '2–100')}
          {field('similarity', '文本相似度（0.3–1）', 'digit', '0.3–1')}
          <Text className='news-hint'>同一社区在时间窗内同一分类、或文字高度相似的诉求达到件数，即列为高频诉求并提醒调度员和社区工作人员。</Text>
        </>
      ) : null}
      {message ? <Text className={message.ok ? 'news-done' : 'field-error'}>{message.text}</Text> : null}
      {settings ? (
        <Button className='btn btn--primary' disabled={busy} onClick={() => void save()}>
          {busy ? '保存中…' : '保存阈值'}
        </Button>
      ) : null}
    </View>
  );
}
