// 我要爆料: a resident sends the newsroom a clue (text, up to 9 photos, where, when, and whether the
// newsroom may contact and credit them). Every change is kept on the device (./draft.ts), so a
// dropped network never loses what was typed; the draft's key makes a retry return the first tip
// (store/create-attempt.ts). The server's refusals are shown in Chinese next to the field they name,
// or above 提交 (a limit's 429 says when to try again).
import { useCallback, useState } from 'react';
import { Button, Input, Picker, Switch, Text, Textarea, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { tipsApi } from '../../api/endpoints';
import { ApiError, errorMessage } from '../../api/request';
import { PhotoPicker, hasFailedUploads, hasPendingUploads, uploadedRefs, type PickedPhoto } from '../../components/PhotoPicker';
import { useCurrentUserState } from '../../hooks/use-current-user';
import { usePageClass } from '../../hooks/use-page-class';
import { useDeviceDraft, usePhotosInDraft } from '../../hooks/use-form-draft';
import { sendCreate } from '../../store/create-attempt';
import { getCurrentUser } from '../../store/session';
import { controlLabel } from '../../utils/a11y';
import { errorsFromServer, hasErrors } from '../../utils/appeal-form';
import { offerSubscriptionAfterFiling, useSubscriptionTemplates } from '../../utils/subscribe';
import { chinaIsoDate } from '../../../common/china-time';
import { tipDetailUrl } from '../tip-detail/tip-view';
import { emptyTipDraft, happenedAtOf, loadTipDraft, saveTipDraft, tipDraftHasContent, type TipDraft } from './draft';
import './index.scss';

const LOGIN_PAGE = '/pages/login/index';
export const TEXT_MIN = 5;
export const TEXT_MAX = 2000;
const PLACE_MAX = 100;

type Field = 'text' | 'photos' | 'place' | 'time' | 'form';
type FieldErrors = Partial<Record<Field, string>>;
const FIELD_OF: Record<string, Field> = { text: 'text', photoIds: 'photos', place: 'place', happenedAt: 'time' };

function FieldError({ errors, field }: { errors: FieldErrors; field: Field }) {
  return errors[field] ? <Text className='field-error'>{errors[field]}</Text> : null;
}

function validate(d: TipDraft, photos: PickedPhoto[]): FieldErrors {
  const e: FieldErrors = {};
  const length = d.text.trim().length;
  if (length < TEXT_MIN) e.text = `请至少写${TEXT_MIN}个字，说清楚看到了什么`;
  else if (length > TEXT_MAX) e.text = `最多${TEXT_MAX}字`;
  if (hasPendingUploads(photos)) e.photos = '照片还在上传，请稍候再提交';
  else if (hasFailedUploads(photos)) e.photos = '有照片上传失败，请点击照片重试或删除';
  if (d.place.trim().length > PLACE_MAX) e.place = `地点最多${PLACE_MAX}字`;
  if (d.time && !d.date) e.time = '请先选择日期';
  return e;
}

function initialDraft(): { draft: TipDraft; restored: boolean } {
  const user = getCurrentUser();
  const saved = user ? loadTipDraft(user.id) : null;
  return saved ? { draft: saved, restored: tipDraftHasContent(saved) } : { draft: emptyTipDraft(), restored: false };
}

export default function TipNewPage() {
  const pageClass = usePageClass('tip-new');
  const { user } = useCurrentUserState();
  const [start] = useState(initialDraft);
  const [draft, setDraft] = useState<TipDraft>(start.draft);
  const [restored, setRestored] = useState(start.restored);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [sending, setSending] = useState(false);
  const subscribeTemplates = useSubscriptionTemplates();
  const userId = user?.id ?? null;

  useDidShow(() => {
    if (!getCurrentUser()) void Taro.redirectTo({ url: LOGIN_PAGE });
  });

  // Every change is on the device at once, until the tip is sent.
  const markSent = useDeviceDraft(userId, draft, saveTipDraft);

  const update = useCallback((patch: Partial<TipDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setErrors((e) => ({ ...e, form: undefined, ...('text' in patch ? { text: undefined } : {}), ...('place' in patch ? { place: undefined } : {}), ...('date' in patch || 'time' in patch ? { time: undefined } : {}) }));
  }, []);

  const clearPhotoErrors = useCallback(() => setErrors((e) => ({ ...e, photos: undefined, form: undefined })), []);
  const [photos, onPhotos, setPhotos] = usePhotosInDraft(start.draft.photos, setDraft, clearPhotoErrors);

  const startOver = async () => {
    const { confirm } = await Taro.showModal({ title: '清空重填', content: '已填写的内容和照片将被清空，确定吗？' });
    if (!confirm) return;
    setDraft(emptyTipDraft());
    setPhotos([]);
    setErrors({});
    setRestored(false);
  };

  const submit = async () => {
    if (sending || !userId) return;
    const found = validate(draft, photos);
    if (hasErrors(found)) {
      setErrors(found);
      void Taro.showToast({ title: '请检查填写内容', icon: 'none', duration: 2000 });
      return;
    }
    setSending(true);
    const body = {
      text: draft.text.trim(),
      photoIds: uploadedRefs(photos).map((p) => p.id),
      place: draft.place.trim() || null,
      happenedAt: happenedAtOf(draft),
      mayContact: draft.mayContact,
      mayCredit: draft.mayCredit,
    };
    try {
      const created = await sendCreate(
        { createKey: draft.idempotencyKey, sentFingerprint: draft.sentFingerprint },
        body,
        (a) => setDraft((d) => ({ ...d, idempotencyKey: a.createKey, sentFingerprint: a.sentFingerprint })),
        (idempotencyKey) => tipsApi.create({ ...body, idempotencyKey }, { toast: false }),
      );
      markSent();
      void Taro.showToast({ title: '爆料已提交', icon: 'success', duration: 1500 });
      // The newsroom's reply reaches the tipster in WeChat only with a grant (订阅消息): asked now, before leaving the form.
      await offerSubscriptionAfterFiling(subscribeTemplates, '编辑部回复您的爆料时，是否通过微信通知您？');
      void Taro.redirectTo({ url: tipDetailUrl(created.id) });
    } catch (e) {
      // The draft and its key stay: 提交 again returns the first tip if this one got through.
      const message = errorMessage(e);
      setErrors(e instanceof ApiError && e.status === 400 ? errorsFromServer(e.details, message, FIELD_OF, 'form') : { form: message });
      void Taro.showToast({ title: e instanceof ApiError && e.status === 400 ? '请检查填写内容' : message, icon: 'none', duration: 2500 });
    } finally {
      setSending(false);
    }
  };

  const length = draft.text.trim().length;
  const today = chinaIsoDate(Date.now());

  return (
    <View className={pageClass}>
      {restored ? (
        <View className='appeal-new__restored'>
          <Text>已为您恢复上次没有提交的内容。</Text>
          <Text className='appeal-new__link' onClick={() => void startOver()}>
            清空重填
          </Text>
        </View>
      ) : null}

      <View className='card'>
        <Text className='card__title'>爆料内容</Text>
        <Textarea
          className='appeal-new__textarea'
          value={draft.text}
          maxlength={TEXT_MAX}
          placeholder='您看到了什么新鲜事、好人好事或需要关注的问题？请写清楚经过'
          autoHeight
          onInput={(e) => update({ text: e.detail.value })}
        />
        <Text className={`appeal-new__counter${length > TEXT_MAX ? ' appeal-new__counter--over' : ''}`}>{`${length}/${TEXT_MAX}`}</Text>
        <FieldError errors={errors} field='text' />
      </View>

      <View className='card'>
        <Text className='card__title'>照片（选填，最多9张）</Text>
        <PhotoPicker photos={photos} onChange={onPhotos} disabled={sending} />
        <FieldError errors={errors} field='photos' />
      </View>

      <View className='card'>
        <Text className='card__title'>地点和时间（选填）</Text>
        <Input className='appeal-new__input' value={draft.place} maxlength={PLACE_MAX} placeholder='在哪里，如：城关镇幸福路菜市场门口' onInput={(e) => update({ place: e.detail.value })} />
        <FieldError errors={errors} field='place' />
        <View className='tip-new__when'>
          <Picker mode='date' value={draft.date || today} end={today} onChange={(e) => update({ date: String(e.detail.value) })}>
            <View className='list-row'>
              <Text className='list-row__main'>{draft.date ? `日期：${draft.date}` : '发生日期'}</Text>
              <Text className='list-row__arrow'>›</Text>
            </View>
          </Picker>
          <Picker mode='time' value={draft.time || '12:00'} onChange={(e) => update({ time: String(e.detail.value) })}>
            <View className='list-row'>
              <Text className='list-row__main'>{draft.time ? `时间：${draft.time}` : '大约几点'}</Text>
              <Text className='list-row__arrow'>›</Text>
            </View>
          </Picker>
          {draft.date || draft.time ? (
            <Text className='appeal-new__link' onClick={() => update({ date: '', time: '' })}>
              清除时间
            </Text>
          ) : null}
        </View>
        <FieldError errors={errors} field='time' />
      </View>

      <View className='card'>
        <View className='list-row'>
          <Text className='list-row__main tip-new__switch-label'>可联系我</Text>
          <Switch checked={draft.mayContact} color='#b71c1c' nativeProps={controlLabel('可联系我')} onChange={(e) => update({ mayContact: e.detail.value })} />
        </View>
        <Text className='appeal-new__note'>打开后，编辑部可以看到您的姓名和电话，向您核实情况；关闭则只显示“匿名”。</Text>
        <View className='list-row'>
          <Text className='list-row__main tip-new__switch-label'>可署名</Text>
          <Switch checked={draft.mayCredit} color='#b71c1c' nativeProps={controlLabel('可署名')} onChange={(e) => update({ mayCredit: e.detail.value })} />
        </View>
        <Text className='appeal-new__note'>打开后，采用您爆料写成的稿件可注明“线索提供：您的姓名”。</Text>
      </View>

      {errors.form ? <Text className='field-error appeal-new__form-error'>{errors.form}</Text> : null}
      <Button className='btn btn--primary' disabled={sending} onClick={() => void submit()}>
        {sending ? '正在提交…' : '提交爆料'}
      </Button>
      <Text className='appeal-new__hint'>内容会自动保存在手机上，没提交也不会丢。爆料只有编辑部能看到。要反映需要政府部门办理的问题，请用「我要反映」。</Text>
    </View>
  );
}
