// 发起议事: community staff ask their community a question (dispatchers their township; a
// county-wide one waits for a reviewer): title, description, photos, 2 to 10 options, one choice or
// up to N, the region (their own, from their scope), when voting closes. Every change is kept on the
// device (./draft.ts) and a failed send keeps the form; the draft's key makes a retry return the first
// consultation (store/create-attempt.ts). The server's refusals show next to the field they name.
import { useCallback, useEffect, useState } from 'react';
import { Button, Input, Picker, Switch, Text, Textarea, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { consultationsApi, regionsApi } from '../../../../api/endpoints';
import type { RegionSummary } from '../../../../api/types';
import { ApiError, errorMessage } from '../../../../api/request';
import { PhotoPicker, hasFailedUploads, hasPendingUploads, uploadedRefs, type PickedPhoto } from '../../../../components/PhotoPicker';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { useDeviceDraft, usePhotosInDraft } from '../../../../hooks/use-form-draft';
import { sendCreate } from '../../../../store/create-attempt';
import { getCurrentUser } from '../../../../store/session';
import { controlLabel } from '../../../../utils/a11y';
import { errorsFromServer, hasErrors } from '../../../../utils/appeal-form';
import { chinaIsoDate } from '../../../../../common/china-time';
import { NewsRegionScope } from '../../components/NewsRegionScope';
import { staffPage } from '../../shared';
import { OPTIONS_MAX, OPTIONS_MIN, closesAtOf, consultationScopes, emptyConsultationDraft, loadConsultationDraft, saveConsultationDraft, type ConsultationDraft } from './draft';
import './index.scss';

const TITLE_MIN = 4;
const TITLE_MAX = 60;
const DESCRIPTION_MAX = 2000;
const OPTION_MAX = 40;
const HOUR = 3600_000;
/** server/consultations/schemas.ts MAX_OPEN_DAYS */
const MAX_OPEN_DAYS = 90;
const DEFAULT_OPEN_DAYS = 7;

type Field = 'title' | 'description' | 'photos' | 'options' | 'maxChoices' | 'region' | 'closesAt' | 'form';
type FieldErrors = Partial<Record<Field, string>>;
const FIELD_OF: Record<string, Field> = { title: 'title', description: 'description', photoIds: 'photos', options: 'options', maxChoices: 'maxChoices', regionId: 'region', closesAt: 'closesAt' };

export function validateConsultation(d: ConsultationDraft, photos: PickedPhoto[], now: number): FieldErrors {
  const e: FieldErrors = {};
  const title = d.title.trim().length;
  if (title < TITLE_MIN || title > TITLE_MAX) e.title = `标题为${TITLE_MIN}到${TITLE_MAX}个字`;
  if (d.description.trim().length > DESCRIPTION_MAX) e.description = `说明最多${DESCRIPTION_MAX}字`;
  if (hasPendingUploads(photos)) e.photos = '照片还在上传，请稍候再提交';
  else if (hasFailedUploads(photos)) e.photos = '有照片上传失败，请点击照片重试或删除';
  const options = d.options.map((o) => o.trim());
  if (options.some((o) => !o)) e.options = '每个选项都要填写内容，不用的选项请删除';
  else if (options.some((o) => o.length > OPTION_MAX)) e.options = `每个选项最多${OPTION_MAX}字`;
  else if (new Set(options).size !== options.length) e.options = '选项不能重复';
  else if (options.length < OPTIONS_MIN || options.length > OPTIONS_MAX) e.options = `选项为${OPTIONS_MIN}到${OPTIONS_MAX}个`;
  if (d.multiple && (d.maxChoices < 2 || d.maxChoices > options.length)) e.maxChoices = `多选时最多可选2到${options.length}项`;
  if (!d.region) e.region = '请选择议事范围';
  const closes = Date.parse(closesAtOf(d));
  if (Number.isNaN(closes)) e.closesAt = '请选择截止日期和时间';
  else if (closes <= now + HOUR) e.closesAt = '截止时间至少在一小时之后';
  else if (closes > now + MAX_OPEN_DAYS * 24 * HOUR) e.closesAt = `投票最长${MAX_OPEN_DAYS}天`;
  return e;
}

const defaultDate = () => chinaIsoDate(Date.now() + DEFAULT_OPEN_DAYS * 24 * HOUR);

function initialDraft(): ConsultationDraft {
  const user = getCurrentUser();
  return (user && loadConsultationDraft(user.id, defaultDate())) || emptyConsultationDraft(defaultDate());
}

function FieldError({ errors, field }: { errors: FieldErrors; field: Field }) {
  return errors[field] ? <Text className='field-error'>{errors[field]}</Text> : null;
}

export default function ConsultationNewPage() {
  const pageClass = usePageClass('consultation-new');
  const user = useCurrentUser();
  const [draft, setDraft] = useState<ConsultationDraft>(initialDraft);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [sending, setSending] = useState(false);
  const userId = user?.id ?? null;
  // Reviewers ask the whole county (their scope holds no region): the county's region, read once.
  const [countyRegion, setCountyRegion] = useState<RegionSummary | null>(null);
  const reviewer = !!user?.roles.includes('reviewer');
  useEffect(() => {
    if (!reviewer) return;
    let live = true;
    regionsApi
      .list({ level: 'county' }, { toast: false })
      .then(({ items: [c] }) => {
        if (live && c) setCountyRegion({ id: c.id, name: c.name, level: c.level, pathNames: c.pathNames });
      })
      .catch(() => {
        // Without it the reviewer sees no region to choose; the other fields still work.
      });
    return () => {
      live = false;
    };
  }, [reviewer]);
  const scopes = user ? consultationScopes(user, countyRegion) : [];

  // Every change is on the device at once, until the consultation is sent.
  const markSent = useDeviceDraft(userId, draft, saveConsultationDraft);
  // One region in scope: it is the only choice.
  const only = scopes.length === 1 ? scopes[0] : null;
  useEffect(() => {
    if (only && !draft.region) setDraft((d) => ({ ...d, region: only }));
  }, [only, draft.region]);

  const update = useCallback((patch: Partial<ConsultationDraft>, field?: Field) => {
    setDraft((d) => ({ ...d, ...patch }));
    setErrors((e) => ({ ...e, form: undefined, ...(field ? { [field]: undefined } : {}) }));
  }, []);
  const clearPhotoErrors = useCallback(() => setErrors((e) => ({ ...e, photos: undefined, form: undefined })), []);
  const [photos, onPhotos] = usePhotosInDraft(draft.photos, setDraft, clearPhotoErrors);

  const setOption = (i: number, text: string) => update({ options: draft.options.map((o, j) => (j === i ? text : o)) }, 'options');
  const addOption = () => draft.options.length < OPTIONS_MAX && update({ options: [...draft.options, ''] }, 'options');
  const removeOption = (i: number) => {
    if (draft.options.length <= OPTIONS_MIN) return;
    const options = draft.options.filter((_, j) => j !== i);
    update({ options, maxChoices: Math.min(draft.maxChoices, options.length) }, 'options');
  };

  const submit = async () => {
    if (sending || !userId) return;
    const found = validateConsultation(draft, photos, Date.now());
    if (hasErrors(found)) {
      setErrors(found);
      void Taro.showToast({ title: '请检查填写内容', icon: 'none', duration: 2000 });
      return;
    }
    setSending(true);
    const body = {
      title: draft.title.trim(),
      description: draft.description.trim(),
      photoIds: uploadedRefs(photos).map((p) => p.id),
      options: draft.options.map((o) => o.trim()),
      maxChoices: draft.multiple ? draft.maxChoices : 1,
      regionId: draft.region!.id,
      closesAt: closesAtOf(draft),
    };
    try {
      const created = await sendCreate(
        { createKey: draft.idempotencyKey, sentFingerprint: draft.sentFingerprint },
        body,
        (a) => setDraft((d) => ({ ...d, idempotencyKey: a.createKey, sentFingerprint: a.sentFingerprint })),
        (idempotencyKey) => consultationsApi.create({ ...body, idempotencyKey }, { toast: false }),
      );
      markSent();
      void Taro.showToast({ title: created.state === 'pending' ? '已提交审核' : '议事已发起', icon: 'success', duration: 1500 });
      void Taro.redirectTo({ url: staffPage('consultation-handle', { id: created.id }) });
    } catch (e) {
      // The draft and its key stay: 发起 again returns the first consultation if this one got through.
      const message = errorMessage(e);
      setErrors(e instanceof ApiError && e.status === 400 ? errorsFromServer(e.details, message, FIELD_OF, 'form') : { form: message });
      void Taro.showToast({ title: e instanceof ApiError && e.status === 400 ? '请检查填写内容' : message, icon: 'none', duration: 2500 });
    } finally {
      setSending(false);
    }
  };

  if (!user) {
    return (
      <View className={pageClass}>
        <View className='card'>
          <Text className='card__title'>请先登录</Text>
        </View>
      </View>
    );
  }

  const today = chinaIsoDate(Date.now());
  const maxRange = Array.from({ length: Math.max(0, draft.options.length - 1) }, (_, i) => `最多选${i + 2}项`);
  const county = draft.region?.level === 'county';

  return (
    <View className={pageClass}>
      <View className='card'>
        <Text className='news-label'>议事标题</Text>
        <Input className='news-input' value={draft.title} maxlength={TITLE_MAX} placeholder='如：幸福小区3号楼是否加装电梯' nativeProps={controlLabel('议事标题')} onInput={(e) => update({ title: e.detail.value }, 'title')} />
        <FieldError errors={errors} field='title' />
        <Text className='news-label'>说明（选填）</Text>
        <Textarea className='news-textarea' value={draft.description} maxlength={DESCRIPTION_MAX} placeholder='为什么要商量、费用怎么出、怎样算通过' nativeProps={controlLabel('说明')} onInput={(e) => update({ description: e.detail.value }, 'description')} />
        <FieldError errors={errors} field='description' />
        <Text className='news-label'>照片（选填）</Text>
        <PhotoPicker photos={photos} onChange={onPhotos} disabled={sending} />
        <FieldError errors={errors} field='photos' />
      </View>

      <View className='card'>
        <Text className='card__title'>{`选项（${OPTIONS_MIN}到${OPTIONS_MAX}个）`}</Text>
        {draft.options.map((o, i) => (
          <View key={i} className='consultation-new__option'>
            <Input
              className='news-input consultation-new__option-input'
              value={o}
              maxlength={OPTION_MAX}
              placeholder={`选项${i + 1}`}
              nativeProps={controlLabel(`选项${i + 1}`)}
              onInput={(e) => setOption(i, e.detail.value)}
            />
            {draft.options.length > OPTIONS_MIN ? (
              <Text className='consultation-new__remove' onClick={() => removeOption(i)}>
                删除
              </Text>
            ) : null}
          </View>
        ))}
        {draft.options.length < OPTIONS_MAX ? (
          <Button className='btn btn--secondary' onClick={() => addOption()}>
            添加选项
          </Button>
        ) : null}
        <FieldError errors={errors} field='options' />
        <View className='list-row'>
          <Text className='list-row__main'>{draft.multiple ? '多选' : '单选'}</Text>
          <Switch checked={draft.multiple} color='#b71c1c' nativeProps={controlLabel('允许多选')} onChange={(e) => update({ multiple: e.detail.value, maxChoices: Math.max(2, Math.min(draft.maxChoices, draft.options.length)) }, 'maxChoices')} />
        </View>
        {draft.multiple ? (
          <Picker mode='selector' range={maxRange} value={Math.max(0, draft.maxChoices - 2)} onChange={(e) => update({ maxChoices: Number(e.detail.value) + 2 }, 'maxChoices')}>
            <View className='news-picker'>{`每人最多选${draft.maxChoices}项`}</View>
          </Picker>
        ) : (
          <Text className='news-hint'>每人只能选一项。打开开关可以多选。</Text>
        )}
        <FieldError errors={errors} field='maxChoices' />
      </View>

      <View className='card'>
        <Text className='card__title'>议事范围</Text>
        <NewsRegionScope chosen={draft.region ? [draft.region] : []} onChange={(list) => update({ region: list.at(-1) ?? null }, 'region')} only={scopes} emptyLabel='请选择' />
        {county ? <Text className='news-hint'>全县范围的议事须经审核人员批准后才开始投票。</Text> : null}
        <Text className='news-hint'>范围内社区的居民可以投票，绑定的社区微信群会收到议事。</Text>
        <FieldError errors={errors} field='region' />
      </View>

      <View className='card'>
        <Text className='card__title'>投票截止</Text>
        <Picker mode='date' value={draft.date} start={today} onChange={(e) => update({ date: String(e.detail.value) }, 'closesAt')}>
          <View className='news-picker'>{`日期：${draft.date}`}</View>
        </Picker>
        <Picker mode='time' value={draft.time} onChange={(e) => update({ time: String(e.detail.value) }, 'closesAt')}>
          <View className='news-picker'>{`时间：${draft.time}`}</View>
        </Picker>
        <Text className='news-hint'>{`至少一小时后，最长${MAX_OPEN_DAYS}天。`}</Text>
        <FieldError errors={errors} field='closesAt' />
      </View>

      {errors.form ? <Text className='field-error'>{errors.form}</Text> : null}
      <Button className='btn btn--primary' disabled={sending} onClick={() => void submit()}>
        {sending ? '正在提交…' : '发起议事'}
      </Button>
      <Text className='news-hint'>内容会自动保存在手机上，提交失败也不会丢。</Text>
    </View>
  );
}
