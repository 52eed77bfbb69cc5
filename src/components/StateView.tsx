// Loading / empty / error views shared by the pages, so the copy and look stay the same everywhere.
import { Button, Text, View } from '@tarojs/components';

export function LoadingState({ text = '加载中…' }: { text?: string }) {
  return (
    <View className='state'>
      <Text>{text}</Text>
    </View>
  );
}

export function EmptyState({ text = '暂无内容' }: { text?: string }) {
  return (
    <View className='state'>
      <Text>{text}</Text>
    </View>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <View className='state state--error'>
      <Text>{message}</Text>
      {onRetry ? (
        <Button className='btn btn--secondary' onClick={onRetry}>
          重试
        </Button>
      ) : null}
    </View>
  );
}

/** A page (`className`: its root class) whose item is not ready yet: loading, or 加载失败 with 重试 when `onRetry` is given. */
export function PendingPage({ className, status, error, onRetry }: { className: string; status: 'loading' | 'ready' | 'error'; error: string; onRetry?: () => void }) {
  return <View className={className}>{status === 'loading' ? <LoadingState /> : <ErrorState message={`加载失败：${error}`} onRetry={onRetry} />}</View>;
}
