import { Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { SERVICE_DIRECTORY } from './directory';
import './index.scss';

function call(phone: string) {
  Taro.makePhoneCall({ phoneNumber: phone }).catch(() => undefined);
}

export default function ServicesPage() {
  return (
    <View className='page services'>
      {SERVICE_DIRECTORY.map((group) => (
        <View className='card' key={group.title}>
          <Text className='card__title'>{group.title}</Text>
          {group.entries.map((entry) => (
            <View className='list-row' key={entry.phone} onClick={() => call(entry.phone)}>
              <View className='list-row__main'>
                <Text className='services__name'>{entry.name}</Text>
                <Text className='list-row__sub'>{entry.note}</Text>
              </View>
              <Text className='services__phone'>{entry.phone}</Text>
            </View>
          ))}
        </View>
      ))}
      <Text className='services__hint'>点击即可拨打电话</Text>
    </View>
  );
}
