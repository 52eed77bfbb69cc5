/**
 * Finds a page's `<Canvas type="2d" id=…>` node (WeChat's canvas 2d, or the browser canvas inside
 * Taro's H5 `taro-canvas-core`, which appears a moment after the component mounts), gives it the
 * device's pixels and draws the chart on it.
 */
import Taro from '@tarojs/taro';
import { drawChart, type ChartSpec } from './draw';

interface CanvasNode {
  width: number;
  height: number;
  getContext(type: '2d'): unknown;
}
interface Found {
  node: CanvasNode | null;
  width: number;
  height: number;
}

const TRIES = 20;
const RETRY_MS = 50;

const inBrowser = () => process.env.TARO_ENV === 'h5';

function pixelRatio(): number {
  try {
    if (inBrowser()) return Math.min(3, Math.max(1, window.devicePixelRatio || 1));
    const info = typeof Taro.getWindowInfo === 'function' ? Taro.getWindowInfo() : Taro.getSystemInfoSync();
    return Math.min(3, Math.max(1, info.pixelRatio || 1));
  } catch {
    return 2;
  }
}

/**
 * The browser: Taro's H5 query answers a canvas node only for an element whose `type` property is
 * 2d, which its taro-canvas-core does not have, and gives no size with the node; the canvas inside
 * the element with this id is read directly (the last one shown: Taro keeps earlier pages in the DOM).
 */
function findInPage(id: string): Found | null {
  const hosts = [...document.querySelectorAll(`[id="${id}"]`)].reverse();
  for (const host of hosts) {
    const canvas = host.tagName === 'CANVAS' ? host : host.querySelector('canvas');
    const box = canvas?.getBoundingClientRect();
    if (canvas && box && box.width > 0 && box.height > 0) return { node: canvas as unknown as CanvasNode, width: box.width, height: box.height };
  }
  return null;
}

/** WeChat: the canvas 2d node and its size in CSS px. */
function query(id: string): Promise<Found | null> {
  if (inBrowser()) return Promise.resolve(findInPage(id));
  return new Promise((resolve) => {
    Taro.createSelectorQuery()
      .select(`#${id}`)
      .fields({ node: true, size: true })
      .exec((res: (Found | null)[]) => resolve(res?.[0] ?? null));
  });
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Draws `spec` on the canvas with this id; false when the canvas is not there (the page was left). */
export async function paintCanvas(id: string, spec: ChartSpec): Promise<boolean> {
  for (let i = 0; i < TRIES; i++) {
    const found = await query(id);
    if (found?.node && found.width > 0 && found.height > 0) {
      const ratio = pixelRatio();
      const width = Math.round(found.width * ratio);
      const height = Math.round(found.height * ratio);
      // Setting the size clears the canvas: only when it changed, so a refresh with new figures never
      // shows a blank frame (uCharts clears and redraws in one go).
      if (found.node.width !== width) found.node.width = width;
      if (found.node.height !== height) found.node.height = height;
      drawChart(found.node.getContext('2d'), { width, height, pixelRatio: ratio }, spec);
      return true;
    }
    await wait(RETRY_MS);
  }
  return false;
}
