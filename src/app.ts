import { type PropsWithChildren } from 'react';
import { useLaunch } from '@tarojs/taro';
import './app.scss';

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    // Nothing to do at launch yet: pages read the session from storage when they show.
  });
  return children;
}

export default App;
