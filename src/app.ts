import { type PropsWithChildren } from 'react';
import { useLaunch } from '@tarojs/taro';
import { installPrivacyHandler } from './utils/privacy';
import './app.scss';

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    // Pages read the session from storage when they show. WeChat's privacy requests get the app's own
    // popup from the start (a no-op in H5).
    installPrivacyHandler();
  });
  return children;
}

export default App;
