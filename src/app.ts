import { type PropsWithChildren } from 'react';
import { useLaunch } from '@tarojs/taro';
import { keyboardScrollablePages } from './utils/a11y';
import { installPrivacyHandler } from './utils/privacy';
import './app.scss';

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    // Pages read the session from storage when they show. WeChat's privacy requests get the app's own
    // popup from the start (a no-op in H5).
    installPrivacyHandler();
    // In H5, a keyboard can scroll every page (a no-op in WeChat).
    keyboardScrollablePages();
  });
  return children;
}

export default App;
