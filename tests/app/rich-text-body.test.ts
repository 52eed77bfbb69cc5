import { richTextBody } from '../../src/utils/news';
import { photoSrc } from '../../src/utils/appeal';

describe('richTextBody (the sanitised body as RichText shows it in WeChat)', () => {
  // Catches: paragraphs run together in WeChat, whose rich-text ignores the page's stylesheet.
  it('gives paragraphs and headings their spacing inline', () => {
    expect(richTextBody('<h3>标题</h3><p>一</p><p>二</p>')).toBe(
      '<h3 style="margin:1em 0 0.5em;font-size:1.1em;">标题</h3><p style="margin:0 0 0.8em;">一</p><p style="margin:0 0 0.8em;">二</p>',
    );
  });

  // Catches: the spacing replacing (or being dropped next to) the alignment the server kept.
  it('merges the spacing into a kept alignment style', () => {
    expect(richTextBody('<p style="text-align:center">居中</p>')).toBe('<p style="margin:0 0 0.8em;text-align:center">居中</p>');
  });

  // Catches: pictures wider than the screen, and our own photos' relative paths that WeChat cannot load.
  it('limits pictures to the width and makes our photo paths absolute', () => {
    const id = 'a'.repeat(64);
    const out = richTextBody(`<img src="/api/v1/photos/${id}" alt="x"><img src="https://cdn.example.cn/a.jpg">`);
    // The WeChat build's API base (no TARO_ENV here) is an absolute address.
    expect(out).not.toContain('src="/api');
    expect(out).toBe(
      `<img style="max-width:100%;height:auto;display:block;margin:8px 0;" src="${photoSrc(`/api/v1/photos/${id}`)}" alt="x">` +
        '<img style="max-width:100%;height:auto;display:block;margin:8px 0;" src="https://cdn.example.cn/a.jpg">',
    );
  });
});
