import type { UserConfigExport } from '@tarojs/cli';

export default {
  mini: {},
  h5: {
    legacy: false,
  },
} satisfies UserConfigExport<'vite'>;
