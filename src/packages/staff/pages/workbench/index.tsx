import { useCallback, useRef, useState } from 'react';
import { Text, View } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { appealsApi, articlesApi } from '../../../../api/endpoints';
import { hotspotsApi, seesHotspots } from '../../../../api/hotspots';
import type { AppealCounts, ManageCounts, Me } from '../../../../api/types';
import { useCurrentUser } from '../../../../hooks/use-current-user';
import { usePageClass } from '../../../../hooks/use-page-class';
import { getSession } from '../../../../store/session';
import { regionLabel } from '../../../../utils/region';
import { canBindRooms, fileChannel, isAdmin, isDispatcher, openCount, staffPage, worksOnAppeals, type StaffView } from '../../shared';
import { isEditor, isReviewer, reviewWaiting, worksOnNews, writesNotices } from '../../components/NewsAccess';
import './index.scss';

function Entry({ title, sub, badge, onClick }: { title: string; sub: string; badge?: number | null; onClick: () => void }) {
  return (
    <View className='list-row' onClick={onClick}>
      <View className='list-row__main'>
        <Text className='workbench__entry'>{title}</Text>
        <Text className='list-row__sub'>{sub}</Text>
      </View>
      {badge ? <Text className='workbench__badge'>{badge > 999 ? '999+' : badge}</Text> : null}
      <Text className='list-row__arrow'>›</Text>
    </View>
  );
}

/** Who opens consultations (议事) or approves them: community staff, dispatchers, reviewers (the server's WRITERS). */
const worksOnConsultations = (user: Pick<Me, 'roles'>) => (['community_staff', 'dispatcher', 'reviewer', 'admin'] as const).some((r) => user.roles.includes(r));

// Staff workbench (工作台): lives in the `packages/staff` subpackage so residents never download it.
export default function WorkbenchPage() {
  const pageClass = usePageClass('workbench');
  const user = useCurrentUser();
  const [counts, setCounts] = useState<AppealCounts | null>(null);
  const [newsCounts, setNewsCounts] = useState<ManageCounts | null>(null);
  const [hotspots, setHotspots] = useState<number | null>(null);
  const generation = useRef(0);
  const newsGeneration = useRef(0);

  // The badges are a hint: without them (offline, an older server) the entries still work, so no toast.
  const loadCounts = useCallback(() => {
    const current = getSession()?.user;
    if (!current || !worksOnAppeals(current)) return;
    const gen = ++generation.current;
    appealsApi
      .counts({ toast: false })
      .then((c) => {
        if (gen === generation.current) setCounts(c);
      })
      .catch(() => undefined);
  }, []);
  // The newsroom's badges (drafts, review queues, comments waiting): the same kind of hint.
  const loadNewsCounts = useCallback(() => {
    const current = getSession()?.user;
    if (!current || !worksOnNews(current)) return;
    const gen = ++newsGeneration.current;
    articlesApi
      .counts({ toast: false })
      .then((c) => {
        if (gen === newsGeneration.current) setNewsCounts(c);
      })
      .catch(() => undefined);
  }, []);
  // Open hot spots (高频诉求) in the caller's regions: the same kind of hint.
  const loadHotspots = useCallback(() => {
    const current = getSession()?.user;
    if (!current || !seesHotspots(current)) return;
    hotspotsApi
      .count({ toast: false })
      .then((c) => setHotspots(c.open))
      .catch(() => undefined);
  }, []);
  // Back from the inbox or a handled appeal: the numbers have changed.
  useDidShow(() => {
    loadCounts();
    loadNewsCounts();
    loadHotspots();
  });

  if (!user) {
    return (
      <View className={pageClass}>
        <View className='card'>
          <Text className='card__title'>请先登录</Text>
          <Text className='text-muted'>工作台仅供工作人员使用。</Text>
        </View>
      </View>
    );
  }

  const go = (page: string, query?: Record<string, string>) => void Taro.navigateTo({ url: staffPage(page, query) });
  const inbox = (view: StaffView) => go('appeal-inbox', { view });
  const dispatcher = isDispatcher(user);
  const channel = fileChannel(user);

  return (
    <View className={pageClass}>
      <View className='card'>
        <Text className='card__title'>我的工作台</Text>
        <Text className='workbench__who'>
          {user.name}（{user.roleLabels.join('、')}）
        </Text>
        <Text className='workbench__label'>负责区域</Text>
        {user.scopeRegions.length > 0 ? (
          <View className='workbench__regions'>
            {user.scopeRegions.map((r) => (
              <Text className='workbench__region' key={r.id}>
                {regionLabel(r)}
              </Text>
            ))}
          </View>
        ) : user.departmentName ? (
          <Text className='workbench__region'>{user.departmentName}</Text>
        ) : (
          <Text className='text-muted workbench__region'>暂无负责区域</Text>
        )}
      </View>

      {worksOnAppeals(user) ? (
        <View className='card'>
          <Text className='card__title'>诉求</Text>
          <Entry title='诉求办理' sub='我负责范围内的诉求' badge={counts ? openCount(counts) : null} onClick={() => inbox('inbox')} />
          {dispatcher ? (
            <>
              <Entry title='待派单' sub='等待受理和派单的诉求' badge={counts?.queue} onClick={() => inbox('queue')} />
              <Entry title='直派复核' sub='按目录自动派单，待调度员复核' badge={counts?.direct} onClick={() => inbox('direct')} />
              <Entry title='超期督办' sub='已超过办理时限的诉求' badge={counts?.overdue} onClick={() => inbox('overdue')} />
            </>
          ) : null}
          {seesHotspots(user) ? <Entry title='高频诉求' sub='同一社区数小时内相似诉求扎堆，可一次合并' badge={hotspots} onClick={() => go('hotspots')} /> : null}
          <Entry title='数据统计' sub='三率、趋势、排名和数据大屏' onClick={() => go('measures')} />
          {channel ? (
            <Entry
              title={channel === 'hotline' ? '热线代录' : '代报'}
              sub={channel === 'hotline' ? '记录来电群众反映的诉求' : '替网格内居民反映诉求'}
              onClick={() => go('appeal-file')}
            />
          ) : null}
        </View>
      ) : null}

      {worksOnNews(user) || writesNotices(user) || isAdmin(user) ? (
        <View className='card'>
          <Text className='card__title'>新闻与通知</Text>
          {isEditor(user) ? (
            <>
              <Entry title='写稿' sub='撰写新闻稿件，提交审核' onClick={() => go('article-edit')} />
              <Entry title='稿件管理' sub='我的稿件、已发布、定时和已撤回的稿件' badge={newsCounts?.drafts} onClick={() => go('news-desk')} />
            </>
          ) : null}
          {isReviewer(user) ? (
            <Entry title='审核稿件' sub='初审、复审、终审待审的稿件' badge={reviewWaiting(newsCounts)} onClick={() => go('news-desk', { tab: 'review' })} />
          ) : null}
          {writesNotices(user) ? <Entry title='通知管理' sub='发布通知公告，推送到群聊' onClick={() => go('notice-desk')} /> : null}
          {worksOnNews(user) ? <Entry title='爆料线索' sub='居民的爆料：认领、回复、转为稿件' onClick={() => go('tips')} /> : null}
          {worksOnNews(user) ? <Entry title='评论审核' sub='含敏感词或被举报的评论' badge={newsCounts?.moderation} onClick={() => go('moderation')} /> : null}
          {isAdmin(user) ? <Entry title='服务目录' sub='便民服务电话和办事指南' onClick={() => go('services-admin')} /> : null}
          {isAdmin(user) ? <Entry title='导入历史诉求' sub='上传过去的诉求表格，让智能分类学习' onClick={() => go('suggest-import')} /> : null}
          {isAdmin(user) ? <Entry title='智能分派设置' sub='置信度达到阈值的群聊诉求直接派单，看本县实测准确率' onClick={() => go('direct-dispatch')} /> : null}
          {isAdmin(user) ? <Entry title='高频诉求' sub='各社区相似诉求扎堆的提醒，设置检测阈值' badge={hotspots} onClick={() => go('hotspots')} /> : null}
        </View>
      ) : null}

      {worksOnConsultations(user) ? (
        <View className='card'>
          <Text className='card__title'>议事</Text>
          <Entry title='议事管理' sub='发起议事、看投票进度、提前结束、公布决定' onClick={() => go('consultation-desk')} />
          {isReviewer(user) ? <Entry title='待审核议事' sub='全县范围的议事，批准后开始投票' onClick={() => go('consultation-desk', { state: 'pending' })} /> : null}
        </View>
      ) : null}

      {isAdmin(user) ? (
        <View className='card'>
          <Text className='card__title'>系统安全</Text>
          <Entry title='登录失败记录' sub='近一天密码错误的登录尝试（账号、网络地址、次数）' onClick={() => go('login-failures')} />
          <Entry title='Open311 接口密钥' sub='签发和吊销外部系统提交诉求用的 api_key' onClick={() => go('open311-keys')} />
          <Entry title='大屏链接' sub='融媒中心的大屏免登录显示数据大屏' onClick={() => go('screen-keys')} />
        </View>
      ) : null}

      <View className='card'>
        {canBindRooms(user) ? (
          <View className='list-row' onClick={() => go('room-binding')}>
            <View className='list-row__main'>
              <Text className='workbench__entry'>群聊绑定</Text>
              <Text className='list-row__sub'>把社区的微信群交给群聊机器人</Text>
            </View>
            <Text className='list-row__arrow'>›</Text>
          </View>
        ) : null}
        <View className='list-row' onClick={() => go('contact-binding')}>
          <View className='list-row__main'>
            <Text className='workbench__entry'>绑定我的微信</Text>
            <Text className='list-row__sub'>{user.wechatContactBound ? '已绑定' : '尚未绑定'}</Text>
          </View>
          <Text className='list-row__arrow'>›</Text>
        </View>
      </View>
    </View>
  );
}
