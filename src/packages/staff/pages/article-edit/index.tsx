// 写稿 (?id= edits a draft): column, title, summary, author, source, cover, regions and the body as
// typed text (blank line = new paragraph, `## ` = heading; converted to HTML here). 保存草稿 creates
// or updates it; 提交审核 saves and submits, optionally for 定时发布. Everything typed is kept on the
// device until the server has it; a failed send keeps the form as it is. Once the first save has an
// answer the page updates that draft (PATCH on the version the text was written on; the device's
// copy keeps the draft's id, so a reload continues it); a text changed after a lost answer gets a
// new create key. Saved by someone else meanwhile (409 STALE_VERSION): the server's copy is
// reloaded and the text typed here stays visible, to take back.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Input, Switch, Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { articlesApi, columnsApi } from '../../../../api/endpoints';
import { errorMessage, ifMatch } from '../../../../api/request';
import type { ArticleManageDetail, Column, CreateArticleInput } from '../../../../api/types';
import { PhotoPicker, pickedFromRefs, uploadedRefs, hasPendingUploads, type PickedPhoto } from '../../../../components/PhotoPicker';
import { ErrorState, LoadingState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { getCurrentUser } from '../../../../store/session';
import { bodyHtmlToText, bodyLosesFormatting, bodyTextToHtml } from '../../../../utils/article-body';
import { type ArticleDraft, articleDraftKey, clearArticleDraft, emptyArticleDraft, loadArticleDraft, saveArticleDraft } from './ArticleDraft';
import { defaultSchedule, publishAtIso, scheduleError } from '../../components/NewsAccess';
import { isStale, useEditorSend } from '../../components/NewsHooks';
import { MyTextCard } from '../../components/MyTextCard';
import { isKeyReused, nextCreate } from '../../../../store/create-attempt';
import { newIdempotencyKey } from '../../../../store/appeal-draft';
import { NewsRegionScope, scopeFromIds } from '../../components/NewsRegionScope';
import { NewsSchedule } from '../../components/NewsSchedule';
import { staffPage } from '../../shared';
import './index.scss';

type Field = 'columnId' | 'title' | 'summary' | 'author' | 'source' | 'body' | 'cover' | 'schedule';
type Errors = Partial<Record<Field, string>>;

const BODY_MAX = 20000;

export function validateArticle(d: ArticleDraft, photos: PickedPhoto[], submitting: boolean): Errors {
  const errors: Errors = {};
  if (!d.columnId) errors.columnId = '请选择栏目';
  const title = d.title.trim();
  if (title.length < 4 || title.length > 60) errors.title = '标题为4到60个字';
  if (d.summary.trim().length > 120) errors.summary = '摘要最多120个字';
  if (!d.author.trim()) errors.author = '请填写作者';
  else if (d.author.trim().length > 40) errors.author = '作者最多40个字';
  if (!d.source.trim()) errors.source = '请填写来源';
  else if (d.source.trim().length > 40) errors.source = '来源最多40个字';
  if (!bodyTextToHtml(d.body)) errors.body = '请填写正文';
  if (hasPendingUploads(photos)) errors.cover = '封面正在上传，请稍候';
  if (submitting && d.schedule) {
    const e = scheduleError(d.date, d.time);
    if (e) errors.schedule = e;
  }
  return errors;
}

function bodyOf(d: ArticleDraft): Omit<CreateArticleInput, 'idempotencyKey'> {
  return {
    columnId: d.columnId ?? '',
    title: d.title.trim(),
    summary: d.summary.trim(),
    bodyHtml: bodyTextToHtml(d.body),
    coverPhotoId: d.cover?.id ?? null,
    source: d.source.trim(),
    author: d.author.trim(),
    regionIds: d.regions.map((r) => r.id),
  };
}

function draftFromArticle(a: ArticleManageDetail): ArticleDraft {
  return {
    ...emptyArticleDraft(a.author, defaultSchedule()),
    columnId: a.columnId,
    title: a.title,
    summary: a.summary,
    source: a.source,
    cover: a.cover,
    regions: scopeFromIds(a.regionIds, a.regionNames),
    body: bodyHtmlToText(a.bodyHtml),
    articleId: a.id,
    version: a.version,
  };
}

function FieldError({ errors, field }: { errors: Errors; field: Field }) {
  return errors[field] ? <Text className='field-error'>{errors[field]}</Text> : null;
}

type Loadable<T> = { status: 'loading' } | { status: 'ready'; value: T } | { status: 'error'; error: string };

export default function ArticleEditPage() {
  const pageClass = usePageClass('article-edit');
  const user = useCurrentUser();
  const routeId = useRouter().params.id || null;
  const userId = user?.id ?? getCurrentUser()?.id ?? 'anonymous';
  const keyRef = useRef(articleDraftKey(userId, routeId));
  // A new article saved once and opened again continues that draft (its id is kept with the device's copy).
  const [articleId, setArticleId] = useState<string | null>(() => routeId ?? loadArticleDraft(keyRef.current)?.articleId ?? null);
  const [article, setArticle] = useState<Loadable<ArticleManageDetail | null>>(articleId ? { status: 'loading' } : { status: 'ready', value: null });
  /** The text typed here when someone else's save came first (shown until taken back). */
  const [mine, setMine] = useState<ArticleDraft | null>(null);
  const draftRef = useRef<ArticleDraft | null>(null);
  const [columns, setColumns] = useState<Loadable<Column[]>>({ status: 'loading' });
  const [draft, setDraft] = useState<ArticleDraft | null>(null);
  const [photos, setPhotos] = useState<PickedPhoto[]>([]);
  const [restored, setRestored] = useState(false);
  const [lossy, setLossy] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  draftRef.current = draft;

  const loadColumns = useCallback(() => {
    setColumns({ status: 'loading' });
    columnsApi
      .list({ toast: false })
      .then((res) => setColumns({ status: 'ready', value: res.items.filter((c) => c.active) }))
      .catch((e: unknown) => setColumns({ status: 'error', error: errorMessage(e) }));
  }, []);

  /** The article from the server; the form starts from the device's unsaved copy when there is one. */
  const loadArticle = useCallback(
    async (keepForm: boolean, fromServer = false) => {
      if (!articleId) return;
      try {
        const a = await articlesApi.get(articleId, { toast: false });
        setArticle({ status: 'ready', value: a });
        if (keepForm) return;
        const saved = fromServer ? null : loadArticleDraft(keyRef.current);
        // The device's unsaved text stays on the version it was written on.
        const next = saved ? { ...saved, articleId: a.id, version: saved.version ?? a.version } : draftFromArticle(a);
        setDraft(next);
        setPhotos(next.cover ? pickedFromRefs([next.cover]) : []);
        setRestored(Boolean(saved));
        setLossy(!saved && bodyLosesFormatting(a.bodyHtml));
      } catch (e) {
        setArticle({ status: 'error', error: errorMessage(e) });
      }
    },
    [articleId],
  );

  // A 409: submitted or withdrawn meanwhile (show what it is now; the typed text stays on the device),
  // or saved by someone else (their text into the form; what was typed here stays visible).
  const sender = useEditorSend((e) => {
    if (isStale(e)) {
      setMine(draftRef.current);
      void loadArticle(false, true);
    } else void loadArticle(true);
  });
  const busy = sender.busy;

  useEffect(() => {
    loadColumns();
    if (articleId) {
      void loadArticle(false);
    } else {
      const saved = loadArticleDraft(keyRef.current);
      const next = saved ?? emptyArticleDraft(getCurrentUser()?.name ?? '', defaultSchedule());
      setDraft(next);
      setPhotos(next.cover ? pickedFromRefs([next.cover]) : []);
      setRestored(Boolean(saved && (saved.title || saved.body)));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const update = (patch: Partial<ArticleDraft>) => {
    sender.clearMessage();
    setDraft((prev) => {
      if (!prev) return prev;
      const next = { ...prev, ...patch };
      saveArticleDraft(keyRef.current, next);
      return next;
    });
    setErrors((prev) => {
      const left = { ...prev };
      for (const k of Object.keys(patch)) delete left[k as Field];
      if ('date' in patch || 'time' in patch || 'schedule' in patch) delete left.schedule;
      return left;
    });
  };

  // The cover follows the picker (an upload finishes after the render that started it).
  useEffect(() => {
    if (!draft) return;
    const cover = uploadedRefs(photos)[0] ?? null;
    if ((cover?.id ?? null) !== (draft.cover?.id ?? null)) update({ cover });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [photos]);

  /**
   * Creates it (a text changed after a lost answer gets a new key) or updates the draft the first
   * save made, on the version the text was written on; the device's copy is dropped once the server has it.
   */
  const save = async (d: ArticleDraft): Promise<ArticleManageDetail> => {
    const body = bodyOf(d);
    let saved: ArticleManageDetail;
    if (articleId) {
      saved = await articlesApi.update(articleId, { ...body, version: d.version ?? (article.status === 'ready' ? article.value?.version : undefined) ?? 0 });
    } else {
      let attempt = d;
      const create = async () => {
        attempt = { ...attempt, ...nextCreate({ createKey: attempt.createKey, sentFingerprint: attempt.sentFingerprint ?? null }, body) };
        saveArticleDraft(keyRef.current, attempt);
        setDraft((prev) => (prev ? { ...prev, createKey: attempt.createKey, sentFingerprint: attempt.sentFingerprint } : prev));
        return articlesApi.create({ ...body, idempotencyKey: attempt.createKey });
      };
      try {
        saved = await create();
      } catch (e) {
        if (!isKeyReused(e)) throw e;
        attempt = { ...attempt, createKey: newIdempotencyKey(), sentFingerprint: null };
        saved = await create();
      }
    }
    clearArticleDraft(keyRef.current);
    setArticleId(saved.id);
    setDraft((prev) => (prev ? { ...prev, articleId: saved.id, version: saved.version, sentFingerprint: null } : prev));
    setArticle({ status: 'ready', value: saved });
    setRestored(false);
    return saved;
  };

  const check = (d: ArticleDraft, submitting: boolean) => {
    const found = validateArticle(d, photos, submitting);
    setErrors(found);
    return Object.keys(found).length === 0;
  };

  const saveDraft = () => {
    if (draft && check(draft, false)) void sender.run(() => save(draft).then(() => '草稿已保存'));
  };

  const submit = () => {
    if (!draft || !check(draft, true)) return;
    void sender.run(async () => {
      const saved = await save(draft);
      const publishAt = draft.schedule ? publishAtIso(draft.date, draft.time) : null;
      // Exactly the version just saved goes to review, never one changed since.
      await articlesApi.move(saved.id, 'submit', { publishAt }, { headers: ifMatch(saved.version) });
      void Taro.showToast({ title: '已提交审核', icon: 'success' });
      void Taro.redirectTo({ url: staffPage('article-manage', { id: saved.id }) });
    });
  };

  const discard = () => {
    clearArticleDraft(keyRef.current);
    setRestored(false);
    if (article.status === 'ready' && article.value) {
      const next = draftFromArticle(article.value);
      setDraft(next);
      setPhotos(next.cover ? pickedFromRefs([next.cover]) : []);
    } else {
      setDraft(emptyArticleDraft(getCurrentUser()?.name ?? '', defaultSchedule()));
      setPhotos([]);
    }
  };

  if (article.status === 'loading' || (article.status === 'ready' && !draft)) return <View className={pageClass}><LoadingState /></View>;
  if (article.status === 'error') {
    return (
      <View className={pageClass}>
        <ErrorState message={`加载失败：${article.error}`} onRetry={() => void loadArticle(Boolean(draft))} />
      </View>
    );
  }
  if (!draft) return <View className={pageClass}><LoadingState /></View>;

  const current = article.value;
  const editable = !current || current.allowedActions.includes('edit');
  const canSubmit = !current || current.allowedActions.includes('submit');
  const column = columns.status === 'ready' ? columns.value.find((c) => c.id === draft.columnId) : undefined;

  return (
    <View className={pageClass}>
      {mine ? (
        <MyTextCard
          title={mine.title}
          body={mine.body}
          onResume={() => {
            const server = article.status === 'ready' ? article.value : null;
            update({ ...mine, articleId: server?.id ?? mine.articleId, version: server?.version ?? mine.version });
            setMine(null);
          }}
        />
      ) : null}
      {restored ? (
        <View className='card'>
          <Text className='news-hint'>已恢复上次未保存的内容</Text>
          <Text className='news-scope__link' onClick={discard}>
            放弃这些修改
          </Text>
        </View>
      ) : null}
      {current && !editable ? (
        <View className='card'>
          <Text className='news-item__warn'>稿件当前为「{current.stateLabel}」，不能修改</Text>
          <Button className='btn btn--secondary' onClick={() => void Taro.redirectTo({ url: staffPage('article-manage', { id: current.id }) })}>
            查看稿件
          </Button>
        </View>
      ) : null}
      {current?.rejectReason && current.state === 'draft' ? <Text className='news-item__warn'>退回原因：{current.rejectReason}</Text> : null}

      <View className='card'>
        <Text className='news-label'>栏目</Text>
        {columns.status === 'loading' ? <LoadingState /> : null}
        {columns.status === 'error' ? <ErrorState message={`栏目加载失败：${columns.error}`} onRetry={loadColumns} /> : null}
        {columns.status === 'ready' ? (
          <View className='chips'>
            {columns.value.map((c) => (
              <Text key={c.id} className={`chip${draft.columnId === c.id ? ' chip--on' : ''}`} onClick={() => update({ columnId: c.id })}>
                {c.name} · 需{c.reviewLevels}级审核
              </Text>
            ))}
          </View>
        ) : null}
        {column?.emergency ? <Text className='news-hint'>应急栏目的稿件发布后置顶在所有栏目的最前面</Text> : null}
        <FieldError errors={errors} field='columnId' />

        <Text className='news-label'>标题</Text>
        <Input className='news-input' value={draft.title} placeholder='4到60个字' maxlength={60} onInput={(e) => update({ title: e.detail.value })} />
        <FieldError errors={errors} field='title' />

        <Text className='news-label'>摘要（选填）</Text>
        <Textarea className='news-textarea' value={draft.summary} placeholder='不填则取正文开头' maxlength={120} onInput={(e) => update({ summary: e.detail.value })} />
        <FieldError errors={errors} field='summary' />

        <Text className='news-label'>作者</Text>
        <Input className='news-input' value={draft.author} maxlength={40} onInput={(e) => update({ author: e.detail.value })} />
        <FieldError errors={errors} field='author' />

        <Text className='news-label'>来源</Text>
        <Input className='news-input' value={draft.source} maxlength={40} onInput={(e) => update({ source: e.detail.value })} />
        <FieldError errors={errors} field='source' />

        <Text className='news-label'>封面（选填）</Text>
        <PhotoPicker photos={photos} onChange={setPhotos} max={1} />
        <FieldError errors={errors} field='cover' />

        <Text className='news-label'>发布范围（选填）</Text>
        <NewsRegionScope chosen={draft.regions} onChange={(regions) => update({ regions })} />
      </View>

      <View className='card'>
        <Text className='news-label'>正文</Text>
        <Text className='news-hint'>空一行为新的段落；以「## 」开头的一行为小标题</Text>
        {lossy ? <Text className='news-item__warn'>原文中的图片、链接等格式在这里无法编辑，保存后将不再保留</Text> : null}
        <Textarea className='news-textarea news-textarea--body' value={draft.body} maxlength={BODY_MAX} placeholder='在这里输入正文' onInput={(e) => update({ body: e.detail.value })} />
        <FieldError errors={errors} field='body' />
      </View>

      {canSubmit ? (
        <View className='card'>
          <View className='news-scope__row'>
            <Text className='news-label'>定时发布</Text>
            <Switch checked={draft.schedule} onChange={(e) => update({ schedule: Boolean(e.detail.value) })} />
          </View>
          {draft.schedule ? (
            <NewsSchedule date={draft.date} time={draft.time} onChange={(v) => update(v)} error={errors.schedule} />
          ) : (
            <Text className='news-hint'>审核全部通过后立即发布</Text>
          )}
        </View>
      ) : null}

      {sender.message ? <Text className={sender.message.ok ? 'news-done' : 'news-item__warn'}>{sender.message.text}</Text> : null}
      {editable ? (
        <View className='news-buttons'>
          <Button className='btn btn--secondary news-button' disabled={busy} onClick={saveDraft}>
            保存草稿
          </Button>
          {canSubmit ? (
            <Button className='btn btn--primary news-button' disabled={busy} onClick={submit}>
              提交审核
            </Button>
          ) : null}
        </View>
      ) : null}
    </View>
  );
}
