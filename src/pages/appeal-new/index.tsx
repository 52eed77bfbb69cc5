// 我要反映: the report form. Every change is kept on the device (store/appeal-draft), so a closed
// app or a dropped network never loses what was typed; the draft's idempotency key makes a retry
// return the first appeal. Before sending, similar open appeals nearby are offered for 同问.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Input, Picker, Text, Textarea, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { appealsApi, categoriesApi, regionsApi } from '../../api/endpoints';
import { ApiError, errorMessage } from '../../api/request';
import type { AppealSummary, Category, CreateAppealInput, Region } from '../../api/types';
import { PhotoPicker, uploadedRefs } from '../../components/PhotoPicker';
import { LocationPicker, type PickedLocation } from '../../components/LocationPicker';
import { CategorySuggestionChips, useCategorySuggestions } from '../../components/CategorySuggestions';
import { ErrorState, LoadingState } from '../../components/StateView';
import { useCurrentUserState } from '../../hooks/use-current-user';
import { clearDraft, draftHasContent, emptyDraft, loadDraft, saveDraft, type AppealDraft } from '../../store/appeal-draft';
import { getCurrentUser } from '../../store/session';
import { DESCRIPTION_MAX, KIND_OPTIONS, PLACE_MAX, appealDetailUrl } from '../../utils/appeal';
import { regionLabel } from '../../utils/region';
import { CategoryChooser } from './CategoryChooser';
import { SimilarPanel } from './SimilarPanel';
import { fieldErrorsFromServer, hasErrors, validateDraft, type Field, type FieldErrors } from './validate';
import './index.scss';
import { usePageClass } from '../../hooks/use-page-class';
import { useDeviceDraft, usePhotosInDraft } from '../../hooks/use-form-draft';
import { sendCreate } from '../../store/create-attempt';
import { offerSubscriptionAfterFiling, useSubscriptionTemplates } from '../../utils/subscribe';

const LOGIN_PAGE = '/pages/login/index';
const REGION_PICKER_PAGE = '/pages/region-picker/index';

type Phase = 'editing' | 'checking' | 'similar' | 'sending';
type Loadable<T> = { status: 'loading' } | { status: 'ready'; items: T[] } | { status: 'error'; error: string };

function FieldError({ errors, field }: { errors: FieldErrors; field: Field }) {
  return errors[field] ? <Text className='field-error'>{errors[field]}</Text> : null;
}

/** The draft to start from: the saved one, else a new one in the resident's home community. */
function initialDraft(): { draft: AppealDraft; restored: boolean } {
  const user = getCurrentUser();
  const saved = user ? loadDraft(user.id) : null;
  if (saved) return { draft: saved, restored: draftHasContent(saved) };
  const draft = emptyDraft();
  if (user?.region) {
    draft.communityId = user.region.id;
    draft.communityName = regionLabel(user.region);
  }
  return { draft, restored: false };
}

/** The draft kept on the device, or removed once filed (useDeviceDraft). */
const keepDraft = (userId: string, draft: AppealDraft | null) => (draft ? saveDraft(userId, draft) : clearDraft(userId));

export default function AppealNewPage() {
  const pageClass = usePageClass('appeal-new');
  const { user } = useCurrentUserState();
  const [start] = useState(initialDraft);
  const [draft, setDraft] = useState<AppealDraft>(start.draft);
  const [restored, setRestored] = useState(start.restored);
  const [categories, setCategories] = useState<Loadable<Category>>({ status: 'loading' });
  const [grids, setGrids] = useState<Region[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [phase, setPhase] = useState<Phase>('editing');
  const [similar, setSimilar] = useState<AppealSummary[]>([]);
  const [following, setFollowing] = useState(false);
  /** The community nearest to the chosen point, when it is not the one on the form: offered, not forced. */
  const [nearby, setNearby] = useState<{ id: string; label: string; chosen: boolean } | null>(null);
  const pickingCommunity = useRef(false);
  const subscribeTemplates = useSubscriptionTemplates();
  /** The draft as last rendered, for answers that arrive later (the nearest community). */
  const latest = useRef(draft);
  latest.current = draft;
  const userId = user?.id ?? null;
  // Categories likely for the description as it is typed: chips to tap, never chosen for the resident.
  const suggestions = useCategorySuggestions(draft.description);

  // Signed out (or the session ended): the form needs an account to send.
  useDidShow(() => {
    if (!getCurrentUser()) void Taro.redirectTo({ url: LOGIN_PAGE });
  });

  // Every change is on the device at once, until the appeal is filed.
  const markFiled = useDeviceDraft(userId, draft, keepDraft);

  const update = useCallback((patch: Partial<AppealDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setErrors((e) => {
      const next = { ...e, form: undefined };
      if ('kind' in patch) next.kind = undefined;
      if ('categoryId' in patch) next.category = undefined;
      if ('description' in patch) next.description = undefined;
      if ('communityId' in patch || 'gridId' in patch) next.community = undefined;
      if ('place' in patch) next.place = undefined;
      return next;
    });
  }, []);

  // Uploaded photos go into the draft; one still uploading exists only in this run of the app.
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

  // A draft made before the resident chose a community takes it once it is known.
  useEffect(() => {
    const home = user?.region;
    if (!home) return;
    if (pickingCommunity.current && home.id !== draft.communityId) {
      pickingCommunity.current = false;
      update({ communityId: home.id, communityName: regionLabel(home), gridId: null, gridName: null });
    } else if (!draft.communityId) {
      update({ communityId: home.id, communityName: regionLabel(home) });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [user?.region?.id]);

  // The grids of the chosen community (optional: the resident may not know theirs).
  useEffect(() => {
    setGrids([]);
    if (!draft.communityId) return;
    let live = true;
    regionsApi
      .list({ parentId: draft.communityId, pageSize: 100 }, { toast: false })
      .then((res) => live && setGrids(res.items.filter((r) => r.level === 'grid')))
      .catch(() => undefined); // the grid is optional: without the list the form still sends
    return () => {
      live = false;
    };
  }, [draft.communityId]);

  // A chosen point suggests its community (from the centres the county set): taken at once when the
  // form has none yet, else offered next to the one on the form; the resident may change either way.
  const onLocation = (location: PickedLocation | null) => {
    update({ location });
    setNearby(null);
    if (!location) return;
    regionsApi
      .nearest({ lat: location.lat, lng: location.lng, level: 'community', limit: 1 }, { toast: false })
      .then((res) => {
        const near = res.items[0]?.region;
        if (!near) return;
        const label = regionLabel(near) ?? near.name;
        if (!latest.current.communityId) {
          update({ communityId: near.id, communityName: label, gridId: null, gridName: null });
          setNearby({ id: near.id, label, chosen: true });
        } else if (latest.current.communityId !== near.id) {
          setNearby({ id: near.id, label, chosen: false });
        }
      })
      .catch(() => undefined); // only a suggestion: without it the resident picks the community
  };

  const takeNearby = () => {
    if (!nearby) return;
    update({ communityId: nearby.id, communityName: nearby.label, gridId: null, gridName: null });
    setNearby({ ...nearby, chosen: true });
  };

  const changeCommunity = () => {
    pickingCommunity.current = true;
    void Taro.navigateTo({ url: REGION_PICKER_PAGE });
  };

  const startOver = async () => {
    const { confirm } = await Taro.showModal({ title: '清空重填', content: '已填写的内容和照片将被清空，确定吗？' });
    if (!confirm) return;
    const fresh = emptyDraft();
    fresh.communityId = draft.communityId;
    fresh.communityName = draft.communityName;
    setDraft(fresh);
    setPhotos([]);
    setErrors({});
    setRestored(false);
  };

  const content = (): Omit<CreateAppealInput, 'idempotencyKey'> => ({
    kind: draft.kind!,
    categoryId: draft.categoryId,
    description: draft.description.trim(),
    photoIds: uploadedRefs(photos).map((p) => p.id),
    regionId: (draft.gridId ?? draft.communityId)!,
    place: draft.place.trim() ? draft.place.trim() : null,
    // Only when chosen: a filing without a point sends (and fingerprints) what it did before points existed.
    ...(draft.location ? { location: draft.location } : {}),
    isPublic: draft.isPublic,
    isAnonymous: draft.isAnonymous,
  });

  const send = async () => {
    if (!userId) return;
    setPhase('sending');
    try {
      const body = content();
      const created = await sendCreate(
        { createKey: draft.idempotencyKey, sentFingerprint: draft.sentFingerprint },
        body,
        (a) => setDraft((d) => ({ ...d, idempotencyKey: a.createKey, sentFingerprint: a.sentFingerprint })),
        (idempotencyKey) => appealsApi.create({ ...body, idempotencyKey }, { toast: false }),
      );
      markFiled();
      void Taro.showToast({ title: '提交成功', icon: 'success', duration: 1500 });
      // Right after filing: ask to tell them of the answer (订阅消息), before leaving the form.
      await offerSubscriptionAfterFiling(subscribeTemplates);
      void Taro.redirectTo({ url: appealDetailUrl(created.id) });
    } catch (e) {
      // The draft (and its key) stays: 提交 again returns the first appeal if this one got through;
      // a text changed since goes with a new key (the server refuses the old key with another body).
      if (e instanceof ApiError && e.status === 400) {
        setErrors(fieldErrorsFromServer(e.details, e.message));
        void Taro.showToast({ title: '请检查填写内容', icon: 'none', duration: 2000 });
      } else {
        setErrors({ form: errorMessage(e) });
        void Taro.showToast({ title: errorMessage(e), icon: 'none', duration: 2500 });
      }
      setPhase('editing');
    }
  };

  const submit = async () => {
    if (phase !== 'editing') return;
    const found = validateDraft(draft, photos);
    if (hasErrors(found)) {
      setErrors(found);
      void Taro.showToast({ title: '请检查填写内容', icon: 'none', duration: 2000 });
      return;
    }
    setPhase('checking');
    let items: AppealSummary[] = [];
    try {
      items = (await appealsApi.similar({ categoryId: draft.categoryId!, regionId: draft.communityId! }, { toast: false })).items;
    } catch {
      // Not knowing about similar appeals must not stop a report.
    }
    if (items.length > 0) {
      setSimilar(items);
      setPhase('similar');
      // The offer replaces the long form: show it from its title, not from where the form was scrolled.
      if (typeof Taro.pageScrollTo === 'function') void Taro.pageScrollTo({ scrollTop: 0, duration: 0 }).catch(() => undefined);
      return;
    }
    await send();
  };

  const follow = async (id: string) => {
    if (following) return;
    setFollowing(true);
    try {
      const joined = await appealsApi.follow(id);
      void Taro.showToast({ title: '已同问', icon: 'success', duration: 1500 });
      void Taro.redirectTo({ url: appealDetailUrl(joined.id) });
    } catch {
      // the request wrapper showed the message
    } finally {
      setFollowing(false);
    }
  };

  if (phase === 'similar') {
    return (
      <View className={pageClass}>
        <SimilarPanel items={similar} busy={following} onFollow={(id) => void follow(id)} onSubmitAnyway={() => void send()} onBack={() => setPhase('editing')} />
      </View>
    );
  }

  const busy = phase !== 'editing';
  const gridNames = ['不选网格', ...grids.map((g) => g.name)];
  const gridIndex = draft.gridId ? Math.max(0, grids.findIndex((g) => g.id === draft.gridId) + 1) : 0;
  const descriptionLength = draft.description.trim().length;

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
        <Text className='card__title'>诉求类型</Text>
        <View className='chips'>
          {KIND_OPTIONS.map((k) => (
            <Text className={`chip chip--kind${draft.kind === k.value ? ' chip--on' : ''}`} key={k.value} onClick={() => update({ kind: k.value })}>
              {k.label}
            </Text>
          ))}
        </View>
        <FieldError errors={errors} field='kind' />
      </View>

      <View className='card'>
        <Text className='card__title'>问题分类</Text>
        {categories.status === 'loading' ? <LoadingState /> : null}
        {categories.status === 'error' ? <ErrorState message={`分类加载失败：${categories.error}`} onRetry={loadCategories} /> : null}
        {categories.status === 'ready' ? <CategoryChooser categories={categories.items} value={draft.categoryId} onChange={(id) => update({ categoryId: id })} /> : null}
        <FieldError errors={errors} field='category' />
      </View>

      <View className='card'>
        <Text className='card__title'>问题描述</Text>
        <Textarea
          className='appeal-new__textarea'
          value={draft.description}
          maxlength={DESCRIPTION_MAX}
          placeholder='请写清楚发生了什么、从什么时候开始、影响了谁'
          autoHeight
          onInput={(e) => update({ description: e.detail.value })}
        />
        <Text className={`appeal-new__counter${descriptionLength > DESCRIPTION_MAX ? ' appeal-new__counter--over' : ''}`}>{`${descriptionLength}/${DESCRIPTION_MAX}`}</Text>
        <FieldError errors={errors} field='description' />
        <CategorySuggestionChips items={suggestions} value={draft.categoryId} onPick={(c) => update({ categoryId: c.id })} />
      </View>

      <View className='card'>
        <Text className='card__title'>照片（选填，最多9张）</Text>
        <PhotoPicker photos={photos} onChange={onPhotos} disabled={busy} />
        <FieldError errors={errors} field='photos' />
      </View>

      <View className='card'>
        <Text className='card__title'>问题地点</Text>
        <View className='list-row'>
          <View className='list-row__main'>
            <Text className='appeal-new__community'>{draft.communityName ?? '尚未选择社区'}</Text>
          </View>
          <Text className='appeal-new__link' onClick={changeCommunity}>
            {draft.communityId ? '更换' : '选择社区'}
          </Text>
        </View>
        {grids.length > 0 ? (
          <Picker
            mode='selector'
            range={gridNames}
            value={gridIndex}
            onChange={(e) => {
              const i = Number(e.detail.value);
              const grid = i > 0 ? grids[i - 1] : null;
              update({ gridId: grid?.id ?? null, gridName: grid?.name ?? null });
            }}
          >
            <View className='list-row'>
              <Text className='list-row__main'>{draft.gridName ?? '网格（选填）'}</Text>
              <Text className='list-row__arrow'>›</Text>
            </View>
          </Picker>
        ) : null}
        {nearby && nearby.chosen && nearby.id === draft.communityId ? <Text className='appeal-new__note'>{`已按所选位置选择「${nearby.label}」，可以更换`}</Text> : null}
        {nearby && !nearby.chosen && nearby.id !== draft.communityId ? (
          <Text className='appeal-new__link' onClick={takeNearby}>
            {`所选位置在「${nearby.label}」附近，改为该社区`}
          </Text>
        ) : null}
        <FieldError errors={errors} field='community' />
        <Input
          className='appeal-new__input'
          value={draft.place}
          maxlength={PLACE_MAX}
          placeholder='具体位置（选填），如：东关街12号门口'
          onInput={(e) => update({ place: e.detail.value })}
        />
        <FieldError errors={errors} field='place' />
        <LocationPicker value={draft.location} onChange={onLocation} disabled={busy} />
        <FieldError errors={errors} field='location' />
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
        <Text className='appeal-new__note'>公开后其他居民可以看到问题和答复，不会显示您的电话，姓名只显示姓。</Text>
        <View className='chips'>
          <Text className={`chip${draft.isAnonymous ? ' chip--on' : ''}`} onClick={() => update({ isAnonymous: !draft.isAnonymous })}>
            {draft.isAnonymous ? '✓ 匿名反映' : '匿名反映'}
          </Text>
        </View>
        <Text className='appeal-new__note'>匿名后只有指挥中心的调度人员能看到您的姓名。</Text>
      </View>

      {errors.form ? <Text className='field-error appeal-new__form-error'>{errors.form}</Text> : null}
      <Button className='btn btn--primary appeal-new__submit' disabled={busy} onClick={() => void submit()}>
        {phase === 'checking' ? '正在检查…' : phase === 'sending' ? '正在提交…' : '提交'}
      </Button>
      <Text className='appeal-new__hint'>内容会自动保存在手机上，没提交也不会丢。急事请拨打 12345。</Text>
    </View>
  );
}
