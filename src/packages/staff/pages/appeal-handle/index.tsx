// 办理诉求 (?id=): the whole appeal and exactly the buttons the server allows this person now
// (`allowedActions`), each opening its small form. When someone else was faster the server answers
// 409 naming the state: the wrapper's toast shows it and the page reloads what is true now.
import { useCallback, useRef, useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro';
import { appealsApi, categoriesApi, departmentsApi } from '../../../../api/endpoints';
import { ApiError, errorMessage } from '../../../../api/request';
import type { AppealDetail, Category, Department } from '../../../../api/types';
import { PendingPage } from '../../../../components/StateView';
import { AppealActionForm, type ActionSubmission } from './AppealActionForm';
import { AppealStaffDetail } from './AppealStaffDetail';
import { UnpublishPanel } from './UnpublishPanel';
import { NewsTipPanel } from './NewsTipPanel';
import { STAFF_ACTION_LABELS, staffActions, staffPage, type StaffAction } from '../../shared';
import './index.scss';
import { usePageClass } from '../../../../hooks/use-page-class';

type Status = 'loading' | 'ready' | 'error';

/** The typed call for each kind of submission (the compiler cannot pair a union's action and body on its own). */
function send(id: string, s: ActionSubmission): Promise<AppealDetail> {
  if (s.action === 'review') return appealsApi.review(id, s.body);
  return appealsApi.move(id, s.action, s.body as never);
}

export default function AppealHandlePage() {
  const pageClass = usePageClass('appeal-handle');
  const id = useRouter().params.id ?? '';
  const [appeal, setAppeal] = useState<AppealDetail | null>(null);
  const [status, setStatus] = useState<Status>('loading');
  const [error, setError] = useState('');
  const [action, setAction] = useState<StaffAction | null>(null);
  const [busy, setBusy] = useState(false);
  /** What the last move did, said where the button was (the state tag is at the top of a long page). */
  const [done, setDone] = useState('');
  const [departments, setDepartments] = useState<Department[] | null>(null);
  const [categories, setCategories] = useState<Category[] | null>(null);
  const [listsError, setListsError] = useState('');
  const generation = useRef(0);

  const load = useCallback(async () => {
    if (!id) {
      setError('缺少诉求编号');
      setStatus('error');
      return;
    }
    const gen = ++generation.current;
    try {
      const a = await appealsApi.get(id, { toast: false });
      if (gen !== generation.current) return;
      setAppeal(a);
      setStatus('ready');
    } catch (e) {
      if (gen !== generation.current) return;
      setError(errorMessage(e));
      // A failed reload keeps what is on screen; only a first load shows the error in its place.
      setStatus((s) => (s === 'ready' ? s : 'error'));
      if (appeal) void Taro.showToast({ title: errorMessage(e), icon: 'none' });
    }
  }, [id, appeal]);

  // Also on coming back (a colleague may have moved it meanwhile).
  useDidShow(() => void load());
  usePullDownRefresh(() => {
    void load().finally(() => {
      if (typeof Taro.stopPullDownRefresh === 'function') void Taro.stopPullDownRefresh();
    });
  });

  // Departments and categories: only the forms need them, and they change rarely (ETag-cached).
  const loadLists = useCallback(async () => {
    setListsError('');
    try {
      const [d, c] = await Promise.all([departmentsApi.list({ toast: false }), categoriesApi.list({ toast: false })]);
      setDepartments(d.items);
      setCategories(c.items);
    } catch (e) {
      setListsError(errorMessage(e));
    }
  }, []);

  const openForm = (a: StaffAction) => {
    setAction(a);
    setDone('');
    if ((a === 'assign' || a === 'transfer' || a === 'accept') && (departments === null || categories === null)) void loadLists();
  };

  const submit = async (s: ActionSubmission) => {
    if (busy || !appeal) return;
    setBusy(true);
    try {
      const next = await send(appeal.id, s);
      generation.current++; // an older reload in flight must not overwrite this answer
      setAppeal(next);
      setAction(null);
      setDone(`已${STAFF_ACTION_LABELS[s.action]}，当前状态：${next.stateLabel}`);
      void Taro.showToast({ title: `已${STAFF_ACTION_LABELS[s.action]}`, icon: 'success' });
    } catch (e) {
      // The wrapper toasted the reason. 409: someone moved it first; show what it is now.
      if (e instanceof ApiError && e.status === 409) {
        setAction(null);
        setDone('');
        await load();
      }
      // Anything else (a network failure, a refused field) keeps the form and what was typed.
    } finally {
      setBusy(false);
    }
  };

  if (status !== 'ready' || !appeal) return <PendingPage className={pageClass} status={status} error={error} onRetry={() => void load()} />;

  const actions = staffActions(appeal.allowedActions);
  const openAppeal = (otherId: string) => void Taro.navigateTo({ url: staffPage('appeal-handle', { id: otherId }) });

  return (
    <View className={pageClass}>
      <AppealStaffDetail appeal={appeal} onOpenAppeal={openAppeal} />

      <View className='card appeal-handle__actions'>
        <Text className='card__title'>办理</Text>
        {done ? <Text className='appeal-handle__done'>{done}</Text> : null}
        {actions.length === 0 ? <Text className='text-muted'>当前没有需要您办理的操作</Text> : null}
        {action === null ? (
          <View className='appeal-handle__buttons'>
            {actions.map((a) => (
              <Button key={a} className={`btn ${a === actions[0] ? 'btn--primary' : 'btn--secondary'} appeal-handle__button`} onClick={() => openForm(a)}>
                {STAFF_ACTION_LABELS[a]}
              </Button>
            ))}
          </View>
        ) : (
          <AppealActionForm
            key={action}
            action={action}
            appeal={appeal}
            departments={departments}
            categories={categories}
            listsError={listsError}
            onRetryLists={() => void loadLists()}
            busy={busy}
            onSubmit={(s) => void submit(s)}
            onCancel={() => setAction(null)}
          />
        )}
      </View>

      <NewsTipPanel appeal={appeal} onDone={() => void load()} />

      <UnpublishPanel
        appeal={appeal}
        onDone={(next) => {
          generation.current++; // an older reload in flight must not overwrite this answer
          setAppeal(next);
        }}
        onStale={() => void load()}
      />
    </View>
  );
}
