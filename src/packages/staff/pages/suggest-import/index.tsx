// 导入历史诉求 (admins): a county's past 12345 appeals from a spreadsheet (.csv or .xlsx: 内容,
// 分类, 日期, optional 标题) as training history for the category suggestion, never as appeals.
// Upload → preview (each category name in the file, its rows, the catalogue category it maps to,
// editable; the rows refused and why) → start → progress (refreshed every 2 s while it runs) →
// delete (its rows are unlearned). A large file's preview takes a while: the upload names the
// import's id, and the page polls it for the rows read so far (正在解析，已读取 N 行); when the
// answer is lost (a timeout), the page follows the import the server is still reading.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Picker, Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { categoriesApi } from '../../../../api/endpoints';
import { ApiError, errorMessage } from '../../../../api/request';
import { newImportId, suggestImportApi, uploadImport, type RefusedRowList, type SuggestImport } from '../../../../api/suggest-import';
import type { Category } from '../../../../api/types';
import { EmptyState, ErrorState, LoadingState } from '../../../../components/StateView';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { isAdmin, staffPage } from '../../shared';
import { pickFile } from './pick-file';
import './index.scss';

const STATE: Record<SuggestImport['state'], string> = { reading: '读取中', preview: '预览中（尚未学习）', running: '学习中', done: '已学习', deleting: '删除中（撤销学习）' };
const MATCH: Record<SuggestImport['names'][number]['match'], string> = { exact: '名称相同', keyword: '关键词相同', similar: '名称相近', manual: '手动选择', none: '未对应（跳过）' };
const POLL_MS = 2000;
/** The rows read while the server makes the preview: asked at once, then every second. */
const READ_POLL_MS = 1000;
const STALLED = '读取中断（服务器重启或出错），请重新选择文件上传';

/** The upload's progress on the page: before the server has the file (null), then the rows read. */
type Reading = { fileName: string; read: number | null };

/** Polls import `id` while the server reads it; returns the stop. */
function watchRead(id: string, onRead: (read: number) => void): () => void {
  let stopped = false;
  const tick = () =>
    suggestImportApi.get(id, { toast: false }).then(
      (imp) => {
        if (!stopped && imp.state === 'reading') onRead(imp.read);
      },
      () => undefined, // not there yet (the file still on its way): the next tick
    );
  void tick();
  const timer = setInterval(() => void tick(), READ_POLL_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/**
 * The upload's preview. An answer lost on the way (a timeout on a big file) is not a lost import:
 * the server reads on, so the page follows import `id` until it is read; one the server never got
 * (404) is the upload's own error.
 */
async function uploadAndFollow(body: ArrayBuffer, fileName: string, id: string): Promise<SuggestImport> {
  let imp: SuggestImport | null = null;
  let lost: unknown = null;
  try {
    imp = await uploadImport(body, fileName, id);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 0)) throw e;
    lost = e;
  }
  while (!imp || imp.state === 'reading') {
    if (imp?.stalled) throw new Error(STALLED);
    await new Promise((r) => setTimeout(r, POLL_MS));
    try {
      imp = await suggestImportApi.get(id, { toast: false });
    } catch (e) {
      throw e instanceof ApiError && e.status === 404 && lost ? lost : e;
    }
  }
  return imp;
}

export default function SuggestImportPage() {
  const pageClass = usePageClass('suggest-import');
  const user = useCurrentUser();
  const allowed = !user || isAdmin(user);
  const [list, setList] = useState<SuggestImport[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [current, setCurrent] = useState<SuggestImport | null>(null);
  const [refused, setRefused] = useState<RefusedRowList | null>(null);
  const [categories, setCategories] = useState<Category[]>([]);
  const [busy, setBusy] = useState(false);
  const [reading, setReading] = useState<Reading | null>(null);
  const currentId = useRef<string | null>(null);
  const stopWatch = useRef<() => void>(() => undefined);
  useEffect(() => () => stopWatch.current(), []);

  const load = useCallback(async () => {
    try {
      const res = await suggestImportApi.list({ toast: false });
      setList(res.items);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, []);

  const open = useCallback(async (id: string | null, page = 1) => {
    currentId.current = id;
    if (!id) {
      setCurrent(null);
      setRefused(null);
      return;
    }
    try {
      const [imp, rows] = await Promise.all([suggestImportApi.get(id, { toast: false }), suggestImportApi.refused(id, page, { toast: false })]);
      if (currentId.current !== id) return;
      setCurrent(imp);
      setRefused(rows);
    } catch (e) {
      // Deleted meanwhile (its unlearning finished): back to the list.
      setCurrent(null);
      setRefused(null);
      currentId.current = null;
      void load();
      if (!(e instanceof Error && /不存在/.test(e.message))) void Taro.showToast({ title: errorMessage(e), icon: 'none' });
    }
  }, [load]);

  useDidShow(() => {
    if (!allowed) return;
    void load();
    categoriesApi.list({ toast: false }).then((r) => setCategories(r.items.filter((c) => c.active)), () => {});
  });

  // Progress: refreshed while the job works on it.
  const working = current?.state === 'running' || current?.state === 'deleting' || (current?.state === 'reading' && !current.stalled);
  useEffect(() => {
    if (!working || !current) return;
    const timer = setInterval(() => void open(current.id, refused?.page ?? 1), POLL_MS);
    return () => clearInterval(timer);
  }, [working, current?.id, open, refused?.page]);

  const choose = async () => {
    if (busy) return;
    setBusy(true);
    try {
      const file = await pickFile();
      if (!file) return;
      const id = newImportId();
      setReading({ fileName: file.name, read: null });
      const upload = uploadAndFollow(file.body, file.name, id);
      // Asked once the upload is on its way (an earlier ask could only find nothing), then every second.
      stopWatch.current = watchRead(id, (read) => setReading({ fileName: file.name, read }));
      const imp = await upload;
      stopWatch.current();
      await open(imp.id);
      void load();
    } catch (e) {
      void Taro.showModal({ title: '导入失败', content: errorMessage(e), showCancel: false });
    } finally {
      stopWatch.current();
      setReading(null);
      setBusy(false);
    }
  };

  const remap = async (name: string, categoryId: string | null) => {
    if (!current) return;
    try {
      setCurrent(await suggestImportApi.map(current.id, current.version, { [name]: categoryId }));
    } catch {
      // The wrapper has shown why (e.g. someone else changed it: reload).
      void open(current.id);
    }
  };

  const start = async () => {
    if (!current) return;
    try {
      setCurrent(await suggestImportApi.start(current.id, current.version));
      void load();
    } catch {
      void open(current.id);
    }
  };

  const remove = async () => {
    if (!current) return;
    const { confirm } = await Taro.showModal({ title: '删除导入', content: `删除「${current.fileName}」并撤销它对智能分类的学习，确定吗？`, confirmText: '删除' });
    if (!confirm) return;
    try {
      setCurrent(await suggestImportApi.remove(current.id));
      void load();
    } catch {
      // Shown by the wrapper.
    }
  };

  if (!allowed) {
    return (
      <View className={pageClass}>
        <ErrorState message='只有管理员可以导入历史诉求' />
      </View>
    );
  }

  if (current) {
    const options = [{ id: null as string | null, name: '不导入（跳过）' }, ...categories.map((c) => ({ id: c.id as string | null, name: c.name }))];
    const percent = current.total ? Math.round((current.done / current.total) * 100) : 0;
    return (
      <View className={pageClass}>
        <View className='card'>
          <Text className='card__title'>{current.fileName}</Text>
          <Text className='suggest-import__hint'>
            {current.state === 'reading' ? `状态：${current.stalled ? STALLED : `正在解析，已读取 ${current.read} 行…`}` : `状态：${STATE[current.state]}　数据行 ${current.rows}，未采用 ${current.refused}`}
          </Text>
          <Text className='suggest-import__hint'>{`列：内容「${current.columns.text}」 分类「${current.columns.category}」 日期「${current.columns.date}」${current.columns.title ? ` 标题「${current.columns.title}」` : ''}`}</Text>
          {current.state !== 'preview' && current.state !== 'reading' ? (
            <View>
              <View className='suggest-import__bar' aria-label={`进度 ${percent}%`}>
                <View className='suggest-import__fill' style={{ width: `${percent}%` }} />
              </View>
              <Text className='suggest-import__hint'>{`已学习 ${current.done} / ${current.total} 行（${percent}%）`}</Text>
            </View>
          ) : null}
          {current.state === 'done' ? (
            <View>
              <Text className='suggest-import__hint'>学习完成，群聊和网格员转来的诉求会带上更准的分类建议。置信度足够高的，还可以直接派给承办单位（智能直派，默认关闭）。</Text>
              <Button className='btn btn--secondary' onClick={() => void Taro.navigateTo({ url: staffPage('direct-dispatch') })}>
                查看准确率，设置智能直派
              </Button>
            </View>
          ) : null}
        </View>

        <View className='card'>
          <Text className='card__title'>分类对应</Text>
          <Text className='suggest-import__hint'>文件中的每个分类名称对应目录中的一个分类；选“不导入”则跳过这些行。</Text>
          {current.names.map((n) => (
            <View className='suggest-import__row' key={n.name}>
              <Text className='suggest-import__name'>{`${n.name}（${n.rows} 行）`}</Text>
              {current.state === 'preview' ? (
                <Picker
                  mode='selector'
                  range={options.map((o) => o.name)}
                  value={Math.max(0, options.findIndex((o) => o.id === n.categoryId))}
                  onChange={(e) => void remap(n.name, options[Number(e.detail.value)].id)}
                >
                  <Text className='list-row__sub'>{`→ ${n.categoryName ?? '不导入'}（${MATCH[n.match]}）　点此修改`}</Text>
                </Picker>
              ) : (
                <Text className='list-row__sub'>{`→ ${n.categoryName ?? '不导入'}（${MATCH[n.match]}）`}</Text>
              )}
            </View>
          ))}
          {current.state === 'preview' ? (
            <Button className='btn btn--primary' onClick={() => void start()}>
              开始学习
            </Button>
          ) : null}
          {current.state !== 'deleting' && (current.state !== 'reading' || current.stalled) ? (
            <Button className='btn btn--secondary' onClick={() => void remove()}>
              删除导入（撤销学习）
            </Button>
          ) : null}
          <Button className='btn btn--secondary' onClick={() => void open(null)}>
            返回列表
          </Button>
        </View>

        {refused ? (
          <View className='card'>
            <Text className='card__title'>{`未采用的行（${refused.total}）`}</Text>
            {refused.items.length === 0 ? <EmptyState text='所有行都可以学习' /> : null}
            {refused.items.map((r) => (
              <View className='suggest-import__row' key={r.row}>
                <Text className='list-row__sub'>{`第 ${r.row} 行：${r.reason}${r.name ? `（${r.name}）` : ''}`}</Text>
              </View>
            ))}
            {refused.page > 1 ? (
              <Button className='btn btn--secondary' size='mini' onClick={() => void open(current.id, refused.page - 1)}>
                上一页
              </Button>
            ) : null}
            {refused.page * refused.pageSize < refused.total ? (
              <Button className='btn btn--secondary' size='mini' onClick={() => void open(current.id, refused.page + 1)}>
                下一页
              </Button>
            ) : null}
          </View>
        ) : null}
      </View>
    );
  }

  return (
    <View className={pageClass}>
      <View className='card'>
        <Text className='card__title'>导入历史诉求</Text>
        <Text className='suggest-import__hint'>
          上传过去的12345诉求表格（.csv 或 .xlsx，不超过20MB），第一行为表头，须有“内容”“分类”“日期”三列，“标题”可选。导入的诉求只用于智能分类的学习，不会成为诉求单。
        </Text>
        <Button className='btn btn--primary' disabled={busy} onClick={() => void choose()}>
          {busy ? '上传中…' : process.env.TARO_ENV === 'h5' ? '选择文件' : '从聊天中选择文件'}
        </Button>
        {reading ? (
          <View className='suggest-import__reading' aria-live='polite'>
            <Text className='suggest-import__hint'>{reading.read === null ? `正在上传「${reading.fileName}」…` : `正在解析「${reading.fileName}」，已读取 ${reading.read} 行…`}</Text>
            <Text className='suggest-import__hint'>大文件需要几十秒；离开本页也会继续读取，可在导入记录中查看。</Text>
          </View>
        ) : null}
      </View>
      {error ? <ErrorState message={`加载失败：${error}`} onRetry={() => void load()} /> : null}
      {!list && !error ? <LoadingState /> : null}
      {list ? (
        <View className='card'>
          <Text className='card__title'>导入记录</Text>
          {list.length === 0 ? <EmptyState text='还没有导入过' /> : null}
          {list.map((i) => (
            <View className='suggest-import__row' key={i.id} onClick={() => void open(i.id)}>
              <Text className='suggest-import__name'>{i.fileName}</Text>
              <Text className='list-row__sub'>
                {i.state === 'reading'
                  ? i.stalled
                    ? STALLED
                    : `${STATE.reading}　已读取 ${i.read} 行`
                  : `${STATE[i.state]}　${i.state === 'preview' ? `${i.rows} 行` : `已学习 ${i.done} / ${i.total} 行`}　未采用 ${i.refused} 行`}
              </Text>
            </View>
          ))}
        </View>
      ) : null}
    </View>
  );
}
