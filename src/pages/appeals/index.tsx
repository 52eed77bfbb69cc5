import { Button, Text, View } from '@tarojs/components';
import { EmptyState } from '../../components/StateView';
import './index.scss';

export default function AppealsPage() {
  return (
    <View className='page appeals'>
      <View className='card'>
        <Text className='card__title'>我的诉求</Text>
        <Text className='text-muted'>咨询、求助、投诉、举报、建议、表扬，都可以在这里反映。</Text>
        <EmptyState text='您还没有提交诉求' />
      </View>
      <Button className='btn btn--primary btn--disabled' disabled>
        我要反映（即将开放）
      </Button>
      <Text className='appeals__hint'>急事请拨打 12345 政务服务便民热线</Text>
    </View>
  );
}
