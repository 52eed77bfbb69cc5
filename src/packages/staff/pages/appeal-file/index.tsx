// 代报 / 热线代录: a grid worker files for a resident of their grids, a dispatcher for a caller on
// the hotline. The reporter's name and phone go with it (the phone only ever shown to handlers).
// The form is a draft on the device with its idempotency key (./draft.ts): a network failure keeps
// everything typed, and sending again returns the first appeal instead of filing a second.
import { useCallback, useEffect, useState } from 'react';
import { Button, Input, Text, Textarea, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { appealsApi, categoriesApi } from '../../../../api/endpoints';
import { ApiError, errorMessage } from '../../../../api/request';
import type { AppealDetail, Category, CreateAppealInput, RegionSummary } from '../../../../api/types';
import { PhotoPicker, uploadedRefs } from '../../../../components/PhotoPicker';
import { ErrorState, LoadingState } from '../../../../components/StateView';
import { LocationPicker } from '../../../../components/LocationPicker';
import { CategorySuggestionChips, confidenceLabel, useCategorySuggestions } from '../../../../components/CategorySuggestions';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { getCurrentUser } from '../../../../store/session';
import { CategoryChooser } from '../../../../pages/appeal-new/CategoryChooser';
import { DESCRIPTION_MAX, KIND_OPTIONS, PLACE_MAX } from '../../../../utils/appeal';
import { AppealRegionPicker, chosenRegion } from './AppealRegionPicker';
import { FILE_CHANNEL_LABELS, fileChannel, staffPage } from '../../shared';
import { clearFileDraft, emptyFileDraft, fileDraftHasContent, loadFileDraft, saveFileDraft, type FileDraft } from './draft';
import { fileErrorsFromServer, hasFileErrors, REPORTER_NAME_MAX, validateFileDraft, type FileErrors, type FileField } from './validate';
import './index.scss';
import { usePageClass } from '../../../../hooks/use-page-class';
import { usePhotosInDraft } from '../../../../hooks/use-form-draft';
import { sendCreate } from '../../../../store/create-attempt';

type Loadable<T> = { status: 'loading' } | { status: 'ready'; items: T[] } | { status: 'error'; error: string };

function FieldError({ errors, field }: { errors: FileErrors; field: FileField }) {
  return errors[field] ? <Text className='field-error'>{errors[field]}</Text> : null;
}

/** A grid worker with one grid files there without choosing. */
function withDefaultRegion(d: FileDraft, roots: RegionSummary[]): FileDraft {
  if (d.regionTrail.length > 0 || roots.length !== 1 || roots[0]!.level !== 'grid') return d;
  return { ...d, regionTrail: [roots[0]!] };
}

function initialDraft(): { draft: FileDraft; restored: boolean } {
  const user = getCurrentUser();
  const saved = user ? loadFileDraft(user.id) : null;
  const roots = user?.scopeRegions ?? [];
  if (saved) return { draft: withDefaultRegion(saved, roots), restored: fileDraftHasContent(saved) };
  return { draft: withDefaultRegion(emptyFileDraft(), roots), restored: false };
}

/** What became of the category: the filer's, a sure suggestion's with its unit (直派), or the suggestion waiting for a dispatcher. */
function FiledCategory({ filed }: { filed: AppealDetail }) {
  if (filed.suggestion) {
    return <Text className='appeal-file__state'>{`系统建议分类：${filed.suggestion.categoryName}（置信度 ${confidenceLabel(filed.suggestion.score)}），等待调度员派单`}</Text>;
  }
  if (!filed.categoryName) return null;
  return <Text className='appeal-file__state'>{`问题分类：${filed.categoryName}${filed.departmentName && filed.state === 'assigned' ? `，已直派至${filed.departmentName}` : ''}`}</Text>;
}

export default function AppealFilePage() {
  const pageClass = usePageClass('appeal-file');
  const user = useCurrentUser();
  const [start] = useState(initialDraft);
  const [draft, setDraft] = useState<FileDraft>(start.draft);
  const [restored, setRestored] = useState(start.restored);
  const [categories, setCategories] = useState<Loadable<Category>>({ status: 'loading' });
  const [errors, setErrors] = useState<FileErrors>({});
  const [sending, setSending] = useState(false);
  const [filed, setFiled] = useState<AppealDetail | null>(null);
  const userId = user?.id ?? null;
  const channel = user ? fileChannel(user) : null;
  // Categories likely for the description as it is typed (智能分类): chips to tap, nothing chosen for the worker.
  const suggestions = useCategorySuggestions(draft.description, { enabled: !filed });

  useDidShow(() => {
    if (typeof Taro.setNavigationBarTitle === 'function' && channel) void Taro.setNavigationBarTitle({ title: FILE_CHANNEL_LABELS[channel] });
  });

  useEffect(() => {
    if (userId && !filed) saveFileDraft(userId, draft);
  }, [userId, draft, filed]);

  const update = useCallback((patch: Partial<FileDraft>, field?: FileField) => {
    setDraft((d) => ({ ...d, ...patch }));
    setErrors((e) => ({ ...e, form: undefined, ...(field ? { [field]: undefined } : {}) }));
  }, []);

  const clearPhotoErrors = useCallback(() => setErrors((e) => ({ ...e, photos: undefined, form: undefined })), []);
  const [photos, onPhotos, setPhotos] = usePhotosInDraft(start.draft.photos, setDraft, clearPhotoErrors);

  const loadCategories = useCallback(() => {
    setCategories({ status: 'loading' });
    categoriesApi
      .list({ toast: false })
      .then((res) => setCategories({ status: 'ready', items: res.items }))
      .catch((e: unknown) => setCategories({ status: 'error', error: errorMessage(e) }));
  }, []);
  useEffect(loadCategories, [loadCategories]);

  const startOver = (ask: boolean) => async () => {
    if (ask) {
      const { confirm } = await Taro.showModal({ title: '清空重填', content: '已填写的内容和照片将被清空，确定吗？' });
      if (!confirm) return;
    }
    setDraft(withDefaultRegion(emptyFileDraft(), user?.scopeRegions ?? []));
    setPhotos([]);
    setErrors({});
    setRestored(false);
    setFiled(null);
  };

  const submit = async () => {
    if (sending || !userId || !channel) return;
    const found = validateFileDraft(draft, photos);
    if (hasFileErrors(found)) {
      setErrors(found);
      void Taro.showToast({ title: '请检查填写内容', icon: 'none', duration: 2000 });
      return;
    }
    const phone = draft.reporterPhone.trim();
    const place = draft.place.trim();
    const body: Omit<CreateAppealInput, 'idempotencyKey'> = {
      channel,
      reporter: { name: draft.reporterName.trim(), phone: phone || null },
      kind: draft.kind!,
      categoryId: draft.categoryId,
      description: draft.description.trim(),
      photoIds: uploadedRefs(photos).map((p) => p.id),
      regionId: chosenRegion(draft.regionTrail)!.id,
      place: place || null,
      ...(draft.location ? { location: draft.location } : {}),
      isPublic: draft.isPublic,
    };
    setSending(true);
    try {
      const created = await sendCreate(
        { createKey: draft.idempotencyKey, sentFingerprint: draft.sentFingerprint },
        body,
        (a) => setDraft((d) => ({ ...d, idempotencyKey: a.createKey, sentFingerprint: a.sentFingerprint })),
        (idempotencyKey) => appealsApi.create({ ...body, idempotencyKey }, { toast: false }),
      );
      clearFileDraft(userId);
      setFiled(created);
      void Taro.showToast({ title: '提交成功', icon: 'success', duration: 1500 });
      // The number to read out is at the top; the form was scrolled down to 提交.
      if (typeof Taro.pageScrollTo === 'function') void Taro.pageScrollTo({ scrollTop: 0, duration: 0 }).catch(() => undefined);
    } catch (e) {
      // The draft and its key stay: 提交 again returns the first appeal if this one got through;
      // a text changed since goes with a new key (the server refuses the old key with another body).
      if (e instanceof ApiError && e.status === 400) setErrors(fileErrorsFromServer(e.details, e.message));
      else setErrors({ form: errorMessage(e) });
      void Taro.showToast({ title: e instanceof ApiError && e.status === 400 ? '请检查填写内容' : errorMessage(e), icon: 'none', duration: 2500 });
    } finally {
      setSending(false);
    }
  };

  if (!user || !channel) {
    return (
      <View className={pageClass}>
        <View className='card'>
          <Text className='card__title'>无法代报</Text>
          <Text className='text-muted'>只有网格员（代报）和指挥中心调度员（热线代录）可以替群众反映诉求。</Text>
        </View>
      </View>
    );
  }

  if (filed) {
    return (
      <View className={pageClass}>
        <View className='card appeal-file__done'>
          <Text className='card__title'>已提交</Text>
          <Text className='appeal-file__label'>诉求编号（可告知反映人）</Text>
          <Text className='appeal-file__number'>{filed.number}</Text>
          <Text className='appeal-file__state'>当前状态：{filed.stateLabel}</Text>
          <FiledCategory filed={filed} />
          <Button className='btn btn--primary' onClick={() => void Taro.redirectTo({ url: staffPage('appeal-handle', { id: filed.id }) })}>
            查看办理
          </Button>
          <Button className='btn btn--secondary' onClick={() => void startOver(false)()}>
            {channel === 'hotline' ? '再录一件' : '再报一件'}
          </Button>
        </View>
      </View>
    );
  }

  const descriptionLength = draft.description.trim().length;

  return (
    <View className={pageClass}>
      {restored ? (
        <View className='appeal-file__restored'>
          <Text>已恢复上次没有提交的内容。</Text>
          <Text className='appeal-file__link' onClick={() => void startOver(true)()}>
            清空重填
          </Text>
        </View>
      ) : null}

      <View className='card'>
        <Text className='card__title'>{channel === 'hotline' ? '来电人' : '反映人'}</Text>
        <Text className='appeal-file__label'>姓名</Text>
        <Input className='appeal-file__input' value={draft.reporterName} maxlength={REPORTER_NAME_MAX} placeholder='反映人姓名' onInput={(e) => update({ reporterName: e.detail.value }, 'reporterName')} />
        <FieldError errors={errors} field='reporterName' />
        <Text className='appeal-file__label'>联系电话（选填）</Text>
        <Input className='appeal-file__input' type='number' value={draft.reporterPhone} maxlength={13} placeholder='手机号或座机号' onInput={(e) => update({ reporterPhone: e.detail.value }, 'reporterPhone')} />
        <FieldError errors={errors} field='reporterPhone' />
        <Text className='appeal-file__privacy'>电话只给办理人员看，用于回访和联系，不会公开，也不会出现在群聊里。</Text>
      </View>

      <View className='card'>
        <Text className='card__title'>诉求类型</Text>
        <View className='chips'>
          {KIND_OPTIONS.map((k) => (
            <Text className={`chip chip--kind${draft.kind === k.value ? ' chip--on' : ''}`} key={k.value} onClick={() => update({ kind: k.value }, 'kind')}>
              {k.label}
            </Text>
          ))}
        </View>
        <FieldError errors={errors} field='kind' />
      </View>

      <View className='card'>
        <Text className='card__title'>问题分类（不确定可不选）</Text>
        <Text className='appeal-file__privacy'>不选时系统按描述智能分类：把握大的直接派给承办单位，其余由调度员派单。</Text>
        {draft.categoryId ? (
          <Text className='chip appeal-file__unpick' onClick={() => update({ categoryId: null }, 'category')}>
            不确定，交给智能分类
          </Text>
        ) : null}
        {categories.status === 'loading' ? <LoadingState /> : null}
        {categories.status === 'error' ? <ErrorState message={`分类加载失败：${categories.error}`} onRetry={loadCategories} /> : null}
        {categories.status === 'ready' ? <CategoryChooser categories={categories.items} value={draft.categoryId} onChange={(id) => update({ categoryId: id }, 'category')} /> : null}
        <FieldError errors={errors} field='category' />
      </View>

      <View className='card'>
        <Text className='card__title'>问题描述</Text>
        <Textarea
          className='appeal-file__textarea'
          value={draft.description}
          maxlength={DESCRIPTION_MAX}
          placeholder='发生了什么、从什么时候开始、影响了谁'
          onInput={(e) => update({ description: e.detail.value }, 'description')}
        />
        <Text className='appeal-file__counter'>{`${descriptionLength}/${DESCRIPTION_MAX}`}</Text>
        <FieldError errors={errors} field='description' />
        <CategorySuggestionChips items={suggestions} value={draft.categoryId} onPick={(c) => update({ categoryId: c.id }, 'category')} />
      </View>

      <View className='card'>
        <Text className='card__title'>照片（选填，最多9张）</Text>
        <PhotoPicker photos={photos} onChange={onPhotos} disabled={sending} />
        <FieldError errors={errors} field='photos' />
      </View>

      <View className='card'>
        <Text className='card__title'>问题地点</Text>
        <AppealRegionPicker roots={user.scopeRegions} trail={draft.regionTrail} onChange={(regionTrail) => update({ regionTrail }, 'region')} />
        <FieldError errors={errors} field='region' />
        <Input className='appeal-file__input' value={draft.place} maxlength={PLACE_MAX} placeholder='具体位置（选填），如：东关街12号门口' onInput={(e) => update({ place: e.detail.value }, 'place')} />
        <FieldError errors={errors} field='place' />
        <LocationPicker value={draft.location} onChange={(location) => update({ location })} disabled={sending} />
      </View>

      <View className='card'>
        <Text className='card__title'>是否公开</Text>
        <View className='chips'>
          <Text className={`chip${draft.isPublic ? ' chip--on' : ''}`} onClick={() => update({ isPublic: true })}>
            公开
          </Text>
          <Text className={`chip${!draft.isPublic ? ' chip--on' : ''}`} onClick={() => update({ isPublic: false })}>
            不公开
          </Text>
        </View>
        <Text className='appeal-file__privacy'>公开后居民可以看到问题和答复，姓名只显示姓，电话从不公开。请先征得反映人同意。</Text>
      </View>

      {errors.form ? <Text className='field-error'>{errors.form}</Text> : null}
      <Button className='btn btn--primary' disabled={sending} onClick={() => void submit()}>
        {sending ? '正在提交…' : '提交'}
      </Button>
      <Text className='appeal-file__hint'>内容会自动保存在本机，没提交也不会丢；网络不好时可再点提交，不会重复登记。</Text>
    </View>
  );
}
