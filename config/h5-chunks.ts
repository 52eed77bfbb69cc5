import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HtmlTagDescriptor, Plugin } from 'vite';

type ModuleInfo = { importers: readonly string[]; dynamicImporters?: readonly string[] };
type ManualChunks = (id: string, meta: { getModuleInfo: (id: string) => ModuleInfo | null }) => string | null | undefined | void;

/** src/packages/<name>/... (a subpackage), with either path separator. */
const SUBPACKAGE = /[/\\]src[/\\]packages[/\\]([^/\\]+)[/\\]/;
/** A page module: src/pages/<page>/index.tsx or src/packages/<pkg>/pages/<page>/index.tsx. */
const PAGE = /[/\\]src[/\\](?:packages[/\\]([^/\\]+)[/\\])?pages[/\\]([^/\\]+)[/\\]index\.[jt]sx?$/;

/**
 * The one subpackage whose pages alone reach this module (through any chain of imports), or null
 * when a main-package page reaches it too. A library only staff pages import (the charts' uCharts)
 * is one; react is not.
 */
export function onlySubpackageOf(id: string, getModuleInfo: (id: string) => ModuleInfo | null, seen = new Map<string, string | null>()): string | null {
  if (seen.has(id)) return seen.get(id) ?? null;
  const own = SUBPACKAGE.exec(id.split('?')[0]);
  if (own) return own[1];
  seen.set(id, null); // a cycle proves nothing
  const info = getModuleInfo(id);
  const importers = [...(info?.importers ?? []), ...(info?.dynamicImporters ?? [])];
  const subs = new Set(importers.map((i) => onlySubpackageOf(i, getModuleInfo, seen)));
  const sub = importers.length > 0 && subs.size === 1 ? [...subs][0] : null;
  seen.set(id, sub);
  return sub;
}

/**
 * The chunk of a subpackage's own code, or null to leave the module to Taro: a subpackage module
 * (not a page) that two or more modules import, and a package from node_modules that only that
 * subpackage uses.
 */
function subpackageChunk(id: string, getModuleInfo: (id: string) => ModuleInfo | null): string | null {
  if (PAGE.test(id.split('?')[0])) return null;
  const own = SUBPACKAGE.exec(id);
  if (own) return (getModuleInfo(id)?.importers.length ?? 0) > 1 ? own[1] : null;
  if (!/[/\\]node_modules[/\\]/.test(id)) return null;
  return onlySubpackageOf(id, getModuleInfo);
}

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
 * one of its pages is opened, and so do the npm packages only that subpackage uses (the staff
 * charts' uCharts), which Taro would put in its `vendors` chunk; everything else is left to Taro.
 */
export function h5SubpackageChunks(): Plugin {
  return {
    name: 'xianrong:h5-subpackage-chunks',
    apply: 'build',
    outputOptions(options) {
      const taroChunks = options.manualChunks;
      if (typeof taroChunks !== 'function') return null;
      const wrapped: ManualChunks = (id, meta) => {
        const sub = subpackageChunk(id, meta.getModuleInfo);
        if (sub) return `${sub}-common`;
        return (taroChunks as ManualChunks)(id, meta);
      };
      return { ...options, manualChunks: wrapped as typeof options.manualChunks };
    },
  };
}

/**
 * Without this, the first page's chunk (and the shared chunk and stylesheet it needs) is requested
 * only after the app's entry has downloaded and run: one more round trip on a slow line before the
 * first page can draw. These links let the browser fetch them alongside the entry; `firstPage` is
 * the first entry of `pages` in src/app.config.ts (e.g. `pages/home/index`).
 */
export function h5PreloadFirstPage(firstPage: string): Plugin {
  return {
    name: 'xianrong:h5-preload-first-page',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return html;
        const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
        const page = chunks.find((c) => c.type === 'chunk' && c.facadeModuleId?.split('?')[0].replace(/\\/g, '/').includes(`/src/${firstPage}.`));
        if (!page || page.type !== 'chunk') return html;
        const js = [page.fileName, ...page.imports].filter((f) => !html.includes(`/${f}"`));
        const css = new Set<string>();
        for (const f of [page.fileName, ...page.imports]) {
          const chunk = bundle[f];
          const meta = chunk?.type === 'chunk' ? (chunk as { viteMetadata?: { importedCss: Set<string> } }).viteMetadata : undefined;
          for (const c of meta?.importedCss ?? []) if (!html.includes(`/${c}"`)) css.add(c);
        }
        const tags: HtmlTagDescriptor[] = [
          ...js.map((f): HtmlTagDescriptor => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${f}` }, injectTo: 'head' })),
          // `preload`, not `stylesheet`: fetched early without holding up the first paint; the app
          // adds the stylesheet itself when it loads the page.
          ...[...css].map((f): HtmlTagDescriptor => ({ tag: 'link', attrs: { rel: 'preload', as: 'style', href: `./${f}` }, injectTo: 'head' })),
        ];
        return { html, tags };
      },
    },
  };
}

/**
 * Vite puts the app's stylesheets in <head>, where they hold up every paint until they have
 * downloaded. Marked `media="print"` (which does not block rendering) and `data-xr-deferred`, they
 * download just as early while the loading screen in src/index.html paints with the HTML alone; its
 * script switches them to `media="all"` as each one loads, and keeps the loading screen up until
 * they all have, so the app never shows unstyled. They stay in <head> in their order: the page
 * stylesheets the app adds later still come after them in the cascade.
 * (An `onload` attribute would be simpler, but the server's CSP forbids inline event handlers.)
 */
export function h5NonBlockingStylesheets(): Plugin {
  return {
    name: 'xianrong:h5-non-blocking-stylesheets',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const head = /<head>[\s\S]*?<\/head>/.exec(html);
        if (!head) return html;
        const newHead = head[0].replace(/<link rel="stylesheet"(?![^>]*\smedia=)([^>]*)>/g, '<link rel="stylesheet" media="print" data-xr-deferred$1>');
        return html.replace(head[0], newHead);
      },
    },
  };
}

/**
 * The WeChat build's counterpart: Taro's mini-program build puts every npm package into the main
 * package's `vendors.js` and every module two pages share into the main package's `common.js`, so
 * a library only staff pages use (the charts' uCharts, 140 KB) would be downloaded by every
 * resident at launch. This plugin sends a subpackage's shared modules and its own npm packages to
 * `packages/<name>/shared.js` inside the subpackage, which only its pages require. Their styles go
 * to `packages/<name>/shared.wxss`, which each of the subpackage's pages imports (Taro imports only
 * the chunks it made itself, from app.wxss, where a subpackage file cannot be).
 */
export function weappSubpackageChunks(): Plugin {
  const SHARED = /^packages\/([^/]+)\/shared\.js$/;
  let outDir = '';
  return {
    name: 'xianrong:weapp-subpackage-chunks',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    outputOptions(options) {
      const taroChunks = options.manualChunks;
      if (typeof taroChunks !== 'function') return null;
      const wrapped: ManualChunks = (id, meta) => {
        const sub = subpackageChunk(id, meta.getModuleInfo);
        if (sub) return `packages/${sub}/shared`;
        return (taroChunks as ManualChunks)(id, meta);
      };
      return { ...options, manualChunks: wrapped as typeof options.manualChunks };
    },
    writeBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const shared = chunk.imports.map((f) => SHARED.exec(f)).find((m) => m !== null);
        if (!shared || !chunk.fileName.startsWith(`packages/${shared[1]}/pages/`)) continue;
        const sharedCss = path.join(outDir, `packages/${shared[1]}/shared.wxss`);
        if (!existsSync(sharedCss)) continue;
        const pageCss = path.join(outDir, chunk.fileName.replace(/\.js$/, '.wxss'));
        const line = `@import "${path.relative(path.dirname(pageCss), sharedCss).split(path.sep).join('/')}";\n`;
        const own = existsSync(pageCss) ? readFileSync(pageCss, 'utf8') : '';
        if (!own.startsWith(line)) writeFileSync(pageCss, line + own);
      }
    },
  };
}
