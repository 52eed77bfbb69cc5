// 编辑通知 (?id= edits a draft): title, level (通知/重要/紧急), the plain-text body that goes into
// group chats as it is, and the scope (community staff: their own communities; editors: townships
// and communities, none = the whole county). 保存草稿, and 发布 after a confirmation, which then
// shows the deliveries. A failed send keeps everything typed, on the device too (store/notice-draft):
// once the first save has an answer the page updates that draft (PATCH on the version it was
// written on), and a reload continues it. Saved by someone else meanwhile (409 STALE_VERSION): the
// page reloads the server's copy and shows the text typed here, to take back into the form.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Input, Text, Textarea, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { noticesApi } from '../../../../api/endpoints';
import { errorMessage, ifMatch } from '../../../../api/request';
import type { NoticeLevel, NoticeManageItem } from '../../../../api/types';
import { ErrorState, LoadingState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { NOTICE_LEVELS, NOTICE_LEVEL_LABELS } from '../../../../../common/news-labels';
import { noticeScopeIsOwnCommunities } from '../../components/NewsAccess';
import { isStale, useEditorSend } from '../../components/NewsHooks';
import { MyTextCard } from '../../components/MyTextCard';
import { isKeyReused, nextCreate } from '../../../../store/create-attempt';
import { NewsRegionScope, scopeFromIds } from '../../components/NewsRegionScope';
import { staffPage } from '../../shared';
import { newIdempotencyKey } from '../../../../store/appeal-draft';
import { getCurrentUser } from '../../../../store/session';
import { clearNoticeDraft, emptyNoticeForm, loadNoticeDraft, noticeDraftKey, saveNoticeDraft, type NoticeDraft, type NoticeForm } from '../../../../store/notice-draft';
import './index.scss';
type Field = 'title' | 'body' | 'regions';
type Errors = Partial<Record<Field, string>>;

export const PUBLISH_CONFIRM = '将发送到范围内的所有群聊';
const BODY_MAX = 1500;

export function validateNotice(f: NoticeForm, ownCommunitiesOnly: boolean): Errors {
  const errors: Errors = {};
  const title = f.title.trim();
  if (title.length < 4 || title.length > 40) errors.title = '标题为4到40个字';
  const body = f.body.trim();
  if (body.length < 4 || body.length > BODY_MAX) errors.body = `正文为4到${BODY_MAX}个字`;
  if (ownCommunitiesOnly && f.regions.length === 0) errors.regions = '请选择要通知的社区';
  return errors;
}

const LEVEL_HINTS: Record<NoticeLevel, string> = {
  normal: '一般通知',
  important: '重要通知排在一般通知前面',
  emergency: '紧急通知优先发送，并在发布期间置顶',
};

type Loaded = { status: 'loading' } | { status: 'ready'; notice: NoticeManageItem | null } | { status: 'error'; error: string };

export default function NoticeEditPage() {
  const pageClass = usePageClass('notice-edit');
  const user = useCurrentUser();
  const routeId = useRouter().params.id || null;
  const userId = user?.id ?? getCurrentUser()?.id ?? 'anonymous';
  const slot = useRef(noticeDraftKey(userId, routeId)).current;
  const [stored] = useState(() => loadNoticeDraft(slot));
  // The server's copy this page edits: the route's, or the one a reload of a new notice continues.
  const [noticeId, setNoticeId] = useState<string | null>(routeId ?? stored?.noticeId ?? null);
  const [loaded, setLoaded] = useState<Loaded>(noticeId ? { status: 'loading' } : { status: 'ready', notice: null });
  const [form, setForm] = useState<NoticeForm>(stored?.form ?? emptyNoticeForm());
  const [errors, setErrors] = useState<Errors>({});
  /** The text typed here when someone else's save came first (shown until taken back or dropped). */
  const [mine, setMine] = useState<NoticeForm | null>(null);
  // The first save's key and what was sent with it, the draft's id and the version the text is written on.
  const link = useRef<Omit<NoticeDraft, 'form'>>({
    createKey: stored?.createKey ?? newIdempotencyKey(),
    sentFingerprint: stored?.sentFingerprint ?? null,
    noticeId,
    version: stored?.version ?? null,
  });
  const formRef = useRef(form);
  formRef.current = form;
  const ownOnly = user ? noticeScopeIsOwnCommunities(user) : false;

  const keep = (f: NoticeForm) => saveNoticeDraft(slot, { form: f, ...link.current });

  const load = useCallback(
    async (keepForm: boolean, server?: boolean) => {
      const id = link.current.noticeId;
      if (!id) return;
      try {
        const n = await noticesApi.getManaged(id, { toast: false });
        setLoaded({ status: 'ready', notice: n });
        // Text typed on this device and not saved stays, with the version it was written on.
        if (server || (!keepForm && !stored)) {
          link.current.version = n.version;
          setForm({ title: n.title, level: n.level, body: n.body, regions: scopeFromIds(n.regionIds, n.regionNames) });
        } else if (link.current.version === null) link.current.version = n.version;
      } catch (e) {
        setLoaded({ status: 'error', error: errorMessage(e) });
      }
    },
    [stored],
  );
  useEffect(() => {
    void load(false);
  }, [load]);
  // A 409: published or withdrawn meanwhile (show what it is now), or saved by someone else (reload
  // their text into the form; what was typed here stays visible, to take back).
  const sender = useEditorSend((e) => {
    if (isStale(e)) {
      setMine(formRef.current);
      void load(false, true);
    } else void load(true);
  });
  const busy = sender.busy;

  const update = (patch: Partial<NoticeForm>) => {
    sender.clearMessage();
    setForm((prev) => {
      const next = { ...prev, ...patch };
      keep(next);
      return next;
    });
    setErrors((prev) => {
      const left = { ...prev };
      for (const k of Object.keys(patch)) delete left[k as Field];
      return left;
    });
  };

  /** The first save creates (a changed text gets a new key); every later one updates that draft on its version. */
  const save = async (): Promise<NoticeManageItem> => {
    const body = { title: form.title.trim(), level: form.level, body: form.body.trim(), regionIds: form.regions.map((r) => r.id) };
    let saved: NoticeManageItem;
    if (link.current.noticeId) {
      saved = await noticesApi.update(link.current.noticeId, { ...body, version: link.current.version ?? 0 });
    } else {
      const create = async () => {
        Object.assign(link.current, nextCreate(link.current, body));
        keep(form);
        return noticesApi.create({ ...body, idempotencyKey: link.current.createKey });
      };
      try {
        saved = await create();
      } catch (e) {
        if (!isKeyReused(e)) throw e;
        link.current.sentFingerprint = null;
        link.current.createKey = newIdempotencyKey();
        saved = await create();
      }
    }
    Object.assign(link.current, { noticeId: saved.id, version: saved.version, sentFingerprint: null });
    clearNoticeDraft(slot);
    setNoticeId(saved.id);
    setLoaded({ status: 'ready', notice: saved });
    return saved;
  };

  const check = () => {
    const found = validateNotice(form, ownOnly);
    setErrors(found);
    return Object.keys(found).length === 0;
  };

  const saveDraft = () => {
    if (check()) void sender.run(() => save().then(() => '草稿已保存'));
  };

  const publish = async () => {
    if (busy || !check()) return;
    const scope = form.regions.length ? form.regions.map((r) => r.name).join('、') : '全县';
    const { confirm } = await Taro.showModal({
      title: `发布${NOTICE_LEVEL_LABELS[form.level]}`,
      content: `${PUBLISH_CONFIRM}（${scope}），发出后不能撤回已发送的消息。确定发布吗？`,
      confirmText: '发布',
    });
    if (!confirm) return;
    await sender.run(async () => {
      const saved = await save();
      // Exactly the version just saved goes out, never one changed since.
      await noticesApi.publish(saved.id, { headers: ifMatch(saved.version) });
      void Taro.showToast({ title: '已发布', icon: 'success' });
      void Taro.redirectTo({ url: staffPage('notice-deliveries', { id: saved.id }) });
    });
  };

  if (loaded.status === 'loading') return <View className={pageClass}><LoadingState /></View>;
  if (loaded.status === 'error') {
    return (
      <View className={pageClass}>
        <ErrorState message={`加载失败：${loaded.error}`} onRetry={() => void load(false)} />
      </View>
    );
  }

  const notice = loaded.notice;
  if (notice && notice.state !== 'draft') {
    return (
      <View className={pageClass}>
        <View className='card'>
          <Text className='news-item__title'>{notice.title}</Text>
          <Text className='news-item__warn'>通知当前为「{notice.stateLabel}」，不能再修改</Text>
          <Button className='btn btn--primary' onClick={() => void Taro.redirectTo({ url: staffPage('notice-deliveries', { id: notice.id }) })}>
            查看发送情况
          </Button>
        </View>
      </View>
    );
  }

  const only = ownOnly ? (user?.scopeRegions ?? []).filter((r) => r.level === 'community') : null;

  return (
    <View className={pageClass}>
      {mine ? (
        <MyTextCard
          title={mine.title}
          body={mine.body}
          onResume={() => {
            update(mine);
            setMine(null);
          }}
        />
      ) : null}
      <View className='card'>
        <Text className='news-label'>标题</Text>
        <Input className='news-input' value={form.title} placeholder='4到40个字' maxlength={40} onInput={(e) => update({ title: e.detail.value })} />
        {errors.title ? <Text className='field-error'>{errors.title}</Text> : null}

        <Text className='news-label'>级别</Text>
        <View className='chips'>
          {NOTICE_LEVELS.map((l) => (
            <Text key={l} className={`chip${form.level === l ? ' chip--on' : ''}`} onClick={() => update({ level: l })}>
              {NOTICE_LEVEL_LABELS[l]}
            </Text>
          ))}
        </View>
        <Text className='news-hint'>{LEVEL_HINTS[form.level]}</Text>

        <Text className='news-label'>正文</Text>
        <Textarea className='news-textarea news-textarea--body' value={form.body} maxlength={BODY_MAX} placeholder='纯文字，会原样发到群聊里' onInput={(e) => update({ body: e.detail.value })} />
        <Text className='news-hint'>{`${form.body.trim().length}/${BODY_MAX}`}</Text>
        {errors.body ? <Text className='field-error'>{errors.body}</Text> : null}

        <Text className='news-label'>通知范围</Text>
        <NewsRegionScope chosen={form.regions} onChange={(regions) => update({ regions })} only={only} emptyLabel={ownOnly ? '请选择社区' : '全县'} />
        {errors.regions ? <Text className='field-error'>{errors.regions}</Text> : null}
      </View>

      {sender.message ? <Text className={sender.message.ok ? 'news-done' : 'news-item__warn'}>{sender.message.text}</Text> : null}
      <View className='news-buttons'>
        <Button className='btn btn--secondary news-button' disabled={busy} onClick={saveDraft}>
          保存草稿
        </Button>
        <Button className='btn btn--primary news-button' disabled={busy} onClick={() => void publish()}>
          发布
        </Button>
      </View>
    </View>
  );
}
