// Everything of one appeal as its handler needs it: what, where, who reported it (name and phone,
// which the server sends only to those handling it), photos, the answer and rating, the timeline.
import { Button, Image, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { AppealDetail, PhotoRef } from '../../../../api/types';
import { OverdueMark, StateTag } from '../../../../components/AppealCard';
import { AppealTimeline } from '../../../../components/AppealTimeline';
import { MapButton } from '../../../../components/MapButton';
import { confidenceLabel } from '../../../../components/CategorySuggestions';
import { imageAlt, photoLabel } from '../../../../utils/a11y';
import { dueLabel, formatTime, kindAndCategory, photoSrc } from '../../../../utils/appeal';
import './AppealStaffDetail.scss';

function Row({ label, value }: { label: string; value: string | null | undefined }) {
  if (!value) return null;
  return (
    <View className='appeal-facts__row'>
      <Text className='appeal-facts__label'>{label}</Text>
      <Text className='appeal-facts__value'>{value}</Text>
    </View>
  );
}

function Photos({ photos }: { photos: PhotoRef[] }) {
  if (photos.length === 0) return null;
  const urls = photos.map((p) => photoSrc(p.url));
  const preview = (i: number) => {
    if (typeof Taro.previewImage === 'function') void Taro.previewImage({ urls, current: urls[i] });
  };
  return (
    <View className='appeal-photos'>
      {photos.map((p, i) => (
        <Image key={p.id} className='appeal-photos__thumb' src={photoSrc(p.thumbUrl)} mode='aspectFill' nativeProps={imageAlt(photoLabel(i))} onClick={() => preview(i)} />
      ))}
    </View>
  );
}

export function callReporter(phone: string) {
  void Taro.makePhoneCall({ phoneNumber: phone }).catch(() => undefined);
}

export function AppealStaffDetail({ appeal, onOpenAppeal }: { appeal: AppealDetail; onOpenAppeal: (id: string) => void }) {
  const open = ['submitted', 'accepted', 'assigned', 'in_progress'].includes(appeal.state);
  const due = open && appeal.dueAt ? `${formatTime(appeal.dueAt)}（${dueLabel(appeal.dueAt)}）` : null;
  const { reporter } = appeal;
  return (
    <>
      <View className='card'>
        <View className='appeal-facts__head'>
          <StateTag state={appeal.state} label={appeal.stateLabel} />
          {appeal.overdue ? <OverdueMark /> : null}
          {appeal.directDispatch ? <Text className='appeal-facts__direct'>直派</Text> : null}
        </View>
        <Text className='appeal-facts__number'>{appeal.number}</Text>
        <Row label='类型' value={kindAndCategory(appeal)} />
        {/* The server's guess for an appeal that came without a category (群聊报事): a hint, not its category. */}
        <Row label='建议分类' value={appeal.suggestion ? `${appeal.suggestion.categoryName}（置信度 ${confidenceLabel(appeal.suggestion.score)}）` : null} />
        <Row label='来源' value={appeal.channelLabel} />
        <Row label='区域' value={appeal.regionName} />
        <Row label='地点' value={appeal.place} />
        <MapButton location={appeal.location} place={appeal.place} />
        <Row label='承办部门' value={appeal.departmentName ?? (open ? '尚未派单' : null)} />
        <Row label='提交时间' value={formatTime(appeal.submittedAt)} />
        <Row label='当前时限' value={due} />
        {appeal.duplicateOf ? (
          <View className='appeal-facts__row' onClick={() => onOpenAppeal(appeal.duplicateOf!.id)}>
            <Text className='appeal-facts__label'>合并到</Text>
            <Text className='appeal-facts__value appeal-facts__link'>{appeal.duplicateOf.number} ›</Text>
          </View>
        ) : null}
      </View>

      <View className='card'>
        <Text className='card__title'>反映人</Text>
        <View className='appeal-reporter'>
          <View className='appeal-reporter__who'>
            <Text className='appeal-reporter__name'>{reporter.name}</Text>
            {reporter.phone ? <Text className='appeal-reporter__phone'>{reporter.phone}</Text> : null}
            {reporter.email ? <Text className='appeal-reporter__email'>{`邮箱 ${reporter.email}`}</Text> : null}
          </View>
          {reporter.phone ? (
            <Button className='appeal-reporter__call' onClick={() => callReporter(reporter.phone!)}>
              拨打电话
            </Button>
          ) : null}
        </View>
        <Text className='appeal-reporter__hint'>
          {reporter.phone || reporter.email ? '联系方式仅供办理使用，请勿外传' : reporter.masked ? '联系方式仅办理人员可见' : '未留联系电话'}
        </Text>
      </View>

      <View className='card'>
        <Text className='card__title'>诉求内容</Text>
        <Text className='appeal-text'>{appeal.description}</Text>
        <Photos photos={appeal.photos} />
      </View>

      {appeal.answer ? (
        <View className='card'>
          <Text className='card__title'>答复</Text>
          <Text className='appeal-text'>{appeal.answer.text}</Text>
          <Photos photos={appeal.answer.photos} />
          <Text className='appeal-facts__muted'>
            {[appeal.answer.departmentName, formatTime(appeal.answer.at)].filter(Boolean).join(' · ')}
          </Text>
        </View>
      ) : null}

      {appeal.rating ? (
        <View className='card'>
          <Text className='card__title'>评价</Text>
          <Text className='appeal-text'>
            {appeal.rating.resolved ? '已解决' : '未解决'} · {appeal.rating.satisfactionLabel}
          </Text>
          {appeal.rating.comment ? <Text className='appeal-text'>{appeal.rating.comment}</Text> : null}
          <Text className='appeal-facts__muted'>{formatTime(appeal.rating.at)}</Text>
        </View>
      ) : null}

      <View className='card'>
        <Text className='card__title'>办理记录</Text>
        <AppealTimeline entries={appeal.timeline} />
      </View>
    </>
  );
}
