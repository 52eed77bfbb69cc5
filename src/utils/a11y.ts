// What a screen reader or a keyboard needs in the H5 build (a browser) that Taro's web components do
// not give by themselves. The browser tests run axe-core's WCAG 2.1 A/AA rules on every page
// (tests/e2e/a11y.test.ts). In WeChat these props are not rendered.

/**
 * `nativeProps` of an `<Image>` that only decorates: the text beside it (a card's title) already says
 * what it is, so a screen reader skips it. Taro's H5 image puts nativeProps on its inner `<img>`.
 */
export const DECORATIVE_IMAGE: Record<string, unknown> = { alt: '' };

/** `nativeProps` of an `<Image>` that tells something: its text alternative on the inner `<img>`. */
export const imageAlt = (alt: string): Record<string, unknown> => ({ alt });

/** The text alternative of the `index`-th (from 0) of an appeal's photos, each opening the full picture on a tap. */
export const photoLabel = (index: number): string => `第${index + 1}张照片，点按查看大图`;

/** `nativeProps` of a form control (`<Switch>`, `<Input>`) whose visible label is not a `<label>`. */
export const controlLabel = (label: string): Record<string, unknown> => ({ 'aria-label': label });

/**
 * Spread on a `<ScrollView>` that scrolls sideways: a keyboard reaches it (Tab) and scrolls it (arrow
 * keys) even when what is inside takes no focus.
 */
export const KEYBOARD_SCROLLABLE = { tabIndex: 0 };

/**
 * Taro's H5 router scrolls each page inside its own `div.taro_page`, which holds nothing a keyboard
 * can focus on most pages (Taro's views and buttons take no focus): without a tab stop a keyboard
 * cannot scroll the page. Each page container gets one (`tabindex="0"`), also those the router adds
 * later. A no-op outside a browser.
 */
export function keyboardScrollablePages(): void {
  if (process.env.TARO_ENV !== 'h5' || typeof document === 'undefined' || typeof MutationObserver === 'undefined') return;
  const mark = (el: Element) => {
    if (el.classList.contains('taro_page') && !el.hasAttribute('tabindex')) el.setAttribute('tabindex', '0');
  };
  document.querySelectorAll('.taro_page').forEach(mark);
  new MutationObserver((records) => {
    for (const record of records) record.addedNodes.forEach((node) => node instanceof Element && mark(node));
  }).observe(document.body, { childList: true, subtree: true });
}
