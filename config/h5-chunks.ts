import type { Plugin } from 'vite';

type ManualChunks = (id: string, meta: { getModuleInfo: (id: string) => { importers: readonly string[] } | null }) => string | null | undefined | void;

/** src/packages/<name>/... (a subpackage), with either path separator. */
const SUBPACKAGE = /[/\\]src[/\\]packages[/\\]([^/\\]+)[/\\]/;
/** A page module: src/pages/<page>/index.tsx or src/packages/<pkg>/pages/<page>/index.tsx. */
const PAGE = /[/\\]src[/\\](?:packages[/\\]([^/\\]+)[/\\])?pages[/\\]([^/\\]+)[/\\]index\.[jt]sx?$/;

/**
 * H5 chunk names that say what they hold: `js/page-<page>.<hash>.js` for a main-package page,
 * `js/<subpackage>-<page>.<hash>.js` for a subpackage page (e.g. `js/staff-workbench.….js`), so a
 * request list shows at a glance whether the first screen fetched staff code.
 */
export function h5ChunkFileNames(chunk: { name: string; facadeModuleId: string | null }): string {
  const m = chunk.facadeModuleId ? PAGE.exec(chunk.facadeModuleId.split('?')[0]) : null;
  if (!m) return 'js/[name].[hash].js';
  return `js/${m[1] ?? 'page'}-${m[2]}.[hash].js`;
}

/**
 * Taro's H5 build puts every module imported by two or more chunks into one `common` chunk, which
 * the first page loads. The staff subpackage's shared code (its binding-code card and helpers) would
 * land there and reach every resident's first screen. This plugin wraps Taro's `manualChunks` so a
 * subpackage's shared modules go to a chunk of their own (`<subpackage>-common`), fetched only when
 * one of its pages is opened; everything else is left to Taro.
 */
export function h5SubpackageChunks(): Plugin {
  return {
    name: 'xianrong:h5-subpackage-chunks',
    apply: 'build',
    outputOptions(options) {
      const taroChunks = options.manualChunks;
      if (typeof taroChunks !== 'function') return null;
      const wrapped: ManualChunks = (id, meta) => {
        const sub = SUBPACKAGE.exec(id);
        if (sub && !PAGE.test(id.split('?')[0]) && (meta.getModuleInfo(id)?.importers.length ?? 0) > 1) return `${sub[1]}-common`;
        return (taroChunks as ManualChunks)(id, meta);
      };
      return { ...options, manualChunks: wrapped as typeof options.manualChunks };
    },
  };
}
