/**
 * Article bodies (news/sanitize.ts): a battery of classic XSS payloads (OWASP's filter-evasion
 * cheat sheet style) each leaves nothing that runs, and the markup editors really use survives.
 * One HTTP test writes a payload through the API and reads it back sanitised.
 */
import { cleanArticleBody, sanitizeArticleHtml } from '../../server/news/sanitize';
import { startTestServer, type TestServer } from '../helpers/server';
import { clientKey, ensureColumn } from '../helpers/news';

const PAYLOADS: [string, string][] = [
  ['script tag', '<p>a</p><script>alert(1)</script>'],
  ['script with src', '<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT><p>a</p>'],
  ['img onerror', '<img src="https://x.example/a.png" onerror="alert(1)">'],
  ['img onerror unquoted, no src', '<IMG SRC=# onmouseover="alert(\'xxs\')">'],
  ['svg onload', '<svg onload=alert(1)><p>a</p></svg>'],
  ['svg script', '<svg><script>alert(1)</script></svg>'],
  ['javascript: href', '<a href="javascript:alert(1)">x</a>'],
  ['javascript: href mixed case', '<a href="jAvAsCrIpT:alert(1)">x</a>'],
  ['javascript: with tab entity', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
  ['javascript: with decimal entities', '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'],
  ['javascript: with padded hex entities', '<a href="&#x0000006A&#x00000061&#x00000076&#x00000061&#x00000073&#x00000063&#x00000072&#x00000069&#x00000070&#x00000074&#x0000003A;alert(1)">x</a>'],
  ['javascript: with leading whitespace', '<a href=" &#14;  javascript:alert(1)">x</a>'],
  ['javascript: img src', '<IMG SRC="javascript:alert(\'XSS\');">'],
  ['javascript: img src backticks', '<IMG SRC=`javascript:alert("RSnake says, \'XSS\'")`>'],
  ['data: img src', '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'],
  ['data: href', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'],
  ['vbscript: href', '<a href="vbscript:msgbox(1)">x</a>'],
  ['iframe foreign', '<iframe src="https://evil.example/"></iframe><p>a</p>'],
  ['iframe javascript', '<iframe src=javascript:alert(1)></iframe>'],
  ['math href', '<math><mtext><a xlink:href="javascript:alert(1)">x</a></mtext></math>'],
  ['style expression', '<p style="width: expression(alert(1))">a</p>'],
  ['style tag', '<style>@import "http://xss.rocks/xss.css";</style><p>a</p>'],
  ['style url javascript', '<p style="background:url(javascript:alert(1))">a</p>'],
  ['base href', '<base href="javascript:alert(1)//"><p>a</p>'],
  ['meta refresh', '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(1);"><p>a</p>'],
  ['object data', '<object data="javascript:alert(1)"></object><p>a</p>'],
  ['embed', '<embed src="https://evil.example/x.swf"><p>a</p>'],
  ['form action', '<form action="javascript:alert(1)"><input type="submit"></form><p>a</p>'],
  ['details ontoggle', '<details open ontoggle=alert(1)><summary>a</summary></details>'],
  ['body onload', '<body onload=alert(1)><p>a</p></body>'],
  ['nested script', '<scr<script>ipt>alert(1)</scr</script>ipt><p>a</p>'],
  ['broken tag', '<<SCRIPT>alert("XSS");//<</SCRIPT>'],
  ['unclosed img', '<IMG SRC="https://x.example/a.png" ONERROR="alert(1)"'],
  ['on handler with slash', '<img/src="https://x.example/a.png"/onerror=alert(1)>'],
  ['handler on allowed tag', '<p onclick="alert(1)" onmouseover=alert(2)>a</p>'],
  ['a with onclick and good href', '<a href="https://example.com" onclick="alert(1)">x</a>'],
  ['input autofocus onfocus', '<input autofocus onfocus=alert(1)>'],
  ['video source onerror', '<video><source onerror="alert(1)"></video>'],
  ['marquee onstart', '<marquee onstart=alert(1)>a</marquee>'],
  ['link stylesheet', '<link rel="stylesheet" href="javascript:alert(1)"><p>a</p>'],
  ['table background', '<table background="javascript:alert(1)"><tr><td>a</td></tr></table>'],
  ['comment trick', '<!--<img src="--><img src=x onerror=alert(1)//">'],
  ['cdata', '<p><![CDATA[<script>alert(1)</script>]]></p>'],
  ['protocol-relative img', '<img src="//evil.example/a.png">'],
  ['http img (not https)', '<img src="http://evil.example/a.png">'],
];

/** Nothing that runs: the four markers of the brief, and no attribute handler at all. */
function expectHarmless(out: string): void {
  expect(out).not.toMatch(/<script/i);
  expect(out).not.toMatch(/\son\w+\s*=/i);
  expect(out).not.toMatch(/javascript:/i);
  expect(out).not.toMatch(/<iframe/i);
  expect(out).not.toMatch(/vbscript:|data:/i);
  expect(out).not.toMatch(/<(style|object|embed|form|input|base|meta|link|svg|math|body)\b/i);
  expect(out).not.toMatch(/style="[^"]*(expression|url)/i);
}

describe('sanitizeArticleHtml: XSS payloads', () => {
  it.each(PAYLOADS)('%s leaves nothing that runs', (_name, payload) => {
    // Catches: a tag, attribute, URL scheme or encoding trick the whitelist lets through.
    expectHarmless(sanitizeArticleHtml(payload));
  });

  it('has a battery of at least 25 payloads', () => {
    // Catches: the battery shrinking unnoticed.
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(25);
  });
});

describe('sanitizeArticleHtml: safe markup survives', () => {
  it('keeps headings, emphasis, lists, quotes, tables, figures and alignment', () => {
    // Catches: a whitelist so tight that ordinary article formatting is lost.
    const html =
      '<h2 style="text-align:center">标题</h2><p>正文<strong>加粗</strong><em>斜体</em><u>下划线</u><s>删除</s><br></p>' +
      '<ul><li>一</li></ul><ol><li>二</li></ol><blockquote>引用</blockquote>' +
      '<table><thead><tr><th>表头</th></tr></thead><tbody><tr><td colspan="2">单元格</td></tr></tbody></table>' +
      '<figure><img src="https://cdn.example.com/a.jpg" alt="图" width="640" height="480"><figcaption>图注</figcaption></figure><section><span>段</span></section>';
    expect(sanitizeArticleHtml(html)).toBe(html.replace('<br>', '<br />').replace('width="640" height="480">', 'width="640" height="480" />'));
  });

  it('keeps https links with rel="noopener" and our own photo URLs', () => {
    // Catches: a link losing its target, a link without noopener, or our own uploads refused as images.
    const own = `/api/v1/photos/${'a'.repeat(64)}`;
    const out = sanitizeArticleHtml(`<p><a href="https://example.com/x?a=1&amp;b=2" target="_blank">链接</a></p><img src="${own}">`);
    expect(out).toBe(`<p><a href="https://example.com/x?a=1&amp;b=2" rel="noopener">链接</a></p><img src="${own}" />`);
  });

  it('drops a relative link target and any other relative image source', () => {
    // Catches: relative URLs passing because they have no scheme to check.
    expect(sanitizeArticleHtml('<a href="/admin">x</a><img src="/etc/passwd"><img src="../a.png">')).toBe('<a>x</a>');
  });

  it('drops style properties other than text-align', () => {
    // Catches: arbitrary CSS (position:fixed overlays, url() loads) kept on allowed tags.
    expect(sanitizeArticleHtml('<p style="position:fixed;top:0;text-align:right;color:red">a</p>')).toBe('<p style="text-align:right">a</p>');
  });

  it('refuses a body left without text or image (正文不能为空), accepts an image alone', () => {
    // Catches: saving an article whose body was nothing but scripts, which would show an empty page.
    expect(() => cleanArticleBody('<script>alert(1)</script><p> </p>')).toThrow('正文不能为空');
    expect(cleanArticleBody('<img src="https://cdn.example.com/a.jpg">').bodyHtml).toBe('<img src="https://cdn.example.com/a.jpg" />');
  });
});

describe('article bodies over HTTP', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ backgroundJobs: false });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('stores a posted body sanitised and reads it back sanitised; an all-script body is a 400 on body.bodyHtml', async () => {
    // Catches: sanitising only on some path (create without it, or a read that returns the raw input).
    const editor = await s.staffToken('editor');
    const column = await ensureColumn(s, 'livelihood');
    const payload = '<p onclick="alert(1)">便民服务<script>alert(1)</script><a href="javascript:alert(1)">点此</a></p><iframe src="https://evil.example/"></iframe><img src=x onerror=alert(1)>';
    const created = await s.api('POST', '/api/v1/articles', { token: editor, body: { columnId: String(column._id), title: '便民服务点开放', bodyHtml: payload, author: '记者甲', idempotencyKey: clientKey() } });
    expect(created.status).toBe(201);
    expect(created.body.bodyHtml).toBe('<p>便民服务<a>点此</a></p>');
    const read = await s.api('GET', `/api/v1/articles/${created.body.id}`, { token: editor });
    expect(read.body.bodyHtml).toBe('<p>便民服务<a>点此</a></p>');
    expect(read.body.summary).toBe('便民服务 点此');

    const empty = await s.api('POST', '/api/v1/articles', { token: editor, body: { columnId: String(column._id), title: '空白正文测试', bodyHtml: '<script>alert(1)</script>', author: '记者甲', idempotencyKey: clientKey() } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toBe('正文不能为空');
    expect(empty.body.error.details).toEqual([expect.objectContaining({ path: 'body.bodyHtml' })]);
  });
});
