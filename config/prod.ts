import type { UserConfigExport } from '@tarojs/cli';

/**
 * Set only by bench/weapp-size.ts: build an UNMINIFIED copy of the WeChat target into this folder
 * (relative to the repository root, e.g. dist/weapp-unminified; Taro joins it to the root), so the
 * bench can show what minification saves. dist/weapp is never touched by it.
 */
const unminifiedOutput = process.env.XIANRONG_WEAPP_UNMINIFIED_OUTPUT;

export default {
  ...(unminifiedOutput ? { outputRoot: unminifiedOutput, terser: { enable: false } } : {}),
  mini: {
    // Release builds ship minified: with NODE_ENV=production Taro's vite runner minifies JS with terser
    // and WXSS with vite's CSS minifier (both off only with `terser.enable: false`, as above).
    // WXML is NOT minified by Taro: its `minifyXML` runs html-minifier, which treats <input> as an HTML
    // void element and drops the `</input>` Taro writes, so WeChat's wcc rejects base.wxml ("expect
    // end-tag `input`"); it saved only 3% anyway. WeChat compresses WXML itself at upload instead
    // (`minifyWXML` in project.config.json), and scripts/check-weapp.ts compiles with those settings.
    minifyXML: { collapseWhitespace: false },
  },
  h5: {
    legacy: false,
  },
} satisfies UserConfigExport<'vite'>;
