import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import devConfig from './dev';
import prodConfig from './prod';
import { h5ChunkFileNames, h5PreloadFirstPage, h5NonBlockingStylesheets, h5SubpackageChunks, weappSubpackageChunks } from './h5-chunks';

// Each platform gets its own output root so weapp and h5 builds never overwrite each other.
export default defineConfig<'vite'>(async (merge) => {
  const env = process.env.TARO_ENV || 'h5';
  const baseConfig: UserConfigExport<'vite'> = {
    projectName: 'xianrong',
    date: '2025-11-26',
    designWidth: 750,
    deviceRatio: {
      640: 2.34 / 2,
      750: 1,
      375: 2,
      828: 1.81 / 2,
    },
    sourceRoot: 'src',
    outputRoot: `dist/${env}`,
    plugins: [],
    // Taro only reads TARO_APP_* from .env files; also take it from the shell at build time.
    env: {
      TARO_APP_API_BASE: JSON.stringify(process.env.TARO_APP_API_BASE ?? ''),
    },
    defineConstants: {},
    copy: { patterns: [], options: {} },
    framework: 'react',
    // H5 only (config/h5-chunks.ts): the staff subpackage's shared code gets a chunk of its own instead
    // of Taro's `common` chunk, which the first screen loads; the first page's chunks are preloaded
    // from index.html; the stylesheets load without holding up the loading screen's paint. WeChat: a
    // subpackage's shared code and the npm packages only it uses stay in the subpackage.
    compiler:
      env === 'h5'
        ? { type: 'vite', vitePlugins: [h5SubpackageChunks(), h5PreloadFirstPage('pages/home/index'), h5NonBlockingStylesheets()] }
        : { type: 'vite', vitePlugins: [weappSubpackageChunks()] },
    mini: {
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
    h5: {
      publicPath: './',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      // Page chunks named after their page (`js/staff-workbench.<hash>.js`); see config/h5-chunks.ts.
      output: { chunkFileNames: h5ChunkFileNames },
      miniCssExtractPluginOption: { ignoreOrder: true, filename: 'css/[name].[hash].css', chunkFilename: 'css/[name].[chunkhash].css' },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
  };
  if (process.env.NODE_ENV === 'development') {
    return merge({}, baseConfig, devConfig);
  }
  return merge({}, baseConfig, prodConfig);
});
