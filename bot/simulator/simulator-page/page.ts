/**
 * The simulator console's web page (`GET /` from a browser): play the simulated WeChat without
 * curl. Plain HTML, CSS and one small inline script; no build step and no external resources.
 * It only uses the console's JSON endpoints: GET /rooms/:id/messages, GET /contacts/:id/messages
 * and POST /say. Message text is rendered with textContent only, never as HTML.
 */

export interface SimulatorPageData {
  bot: { contactId: string; name: string };
  rooms: Array<{ roomId: string; topic: string; members: Array<{ contactId: string; name: string }> }>;
  /** Everyone who can message the bot privately (the bot itself excluded). */
  contacts: Array<{ contactId: string; name: string }>;
}

export const SIMULATOR_PAGE_TITLE = '模拟微信（演示县群聊）';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** JSON safe inside a <script> element: no `</script>`, `<!--` or line separators survive. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const STYLE = String.raw`
*{box-sizing:border-box}
html{font-size:18px;-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;background:#ededed;color:#111;line-height:1.5}
header{background:#2e2e2e;color:#fff;padding:.6rem 1rem}
header h1{margin:0;font-size:1.25rem}
header p{margin:.2rem 0 0;font-size:.85rem;color:#ccc}
main{display:flex;flex-direction:column;gap:.75rem;padding:.75rem;max-width:1100px;margin:0 auto}
nav h2,section h2{font-size:1rem;margin:0 0 .4rem}
#conversations{list-style:none;margin:0;padding:0 0 .3rem;display:flex;gap:.4rem;overflow-x:auto}
#conversations button{font:inherit;text-align:left;border:1px solid #ccc;background:#fff;border-radius:.5rem;padding:.45rem .7rem;cursor:pointer;min-height:2.75rem}
#conversations button[aria-current=true]{border-color:#07c160;background:#e7f8ee;font-weight:600}
#conversations button{white-space:nowrap}
#conversations .id{display:none;font-size:.75rem;color:#666;font-weight:400;word-break:break-all}
#chat{background:#f5f5f5;border:1px solid #ddd;border-radius:.5rem;display:flex;flex-direction:column;min-height:60vh}
#chat-title{margin:0;padding:.5rem .75rem;border-bottom:1px solid #ddd;font-size:1.05rem}
#chat-title .id{font-size:.75rem;color:#666;font-weight:400;margin-left:.4rem;word-break:break-all}
#messages{list-style:none;margin:0;padding:.75rem;flex:1;overflow-y:auto;max-height:60vh;display:flex;flex-direction:column;gap:.6rem}
#messages li{max-width:92%;align-self:flex-start}
#messages .meta{font-size:.8rem;color:#555;margin-bottom:.1rem}
#messages .bubble{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:.45rem .7rem;white-space:pre-wrap;word-break:break-word}
#messages li.bot .bubble{background:#dbeeff;border-color:#7fb5e6}
#messages li.bot .meta{color:#0b5cad;font-weight:600}
#messages .tag{display:inline-block;font-size:.7rem;background:#0b5cad;color:#fff;border-radius:.25rem;padding:0 .3rem;margin-left:.3rem;vertical-align:middle}
#messages .empty{color:#777;align-self:center}
form{border-top:1px solid #ddd;padding:.6rem .75rem;display:flex;flex-direction:column;gap:.5rem}
label{font-size:.9rem}
select,input[type=text]{font:inherit;width:100%;padding:.5rem;border:1px solid #bbb;border-radius:.4rem;background:#fff;min-height:2.75rem}
.row{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center}
.row input[type=text]{flex:1;min-width:10rem}
button.action{font:inherit;border-radius:.4rem;border:1px solid #bbb;background:#fff;padding:.45rem .8rem;min-height:2.75rem;cursor:pointer}
button.primary{background:#07c160;border-color:#07a352;color:#fff;font-weight:600;min-width:5rem}
button:disabled{opacity:.6;cursor:wait}
#error{color:#b00020;font-size:.9rem;margin:0}
#error:empty{display:none}
.hint{font-size:.8rem;color:#555;margin:0}
.hint code{background:#e3e3e3;padding:0 .2rem;border-radius:.2rem}
@media (min-width:760px){
  main{flex-direction:row;align-items:flex-start}
  nav{flex:0 0 17rem}
  #conversations{flex-direction:column;flex-wrap:nowrap}
  #conversations button{width:100%;white-space:normal}
  #conversations .id{display:block}
  section{flex:1;min-width:0}
}
`;

/** Runs in the browser. Plain ES2017, no template literals (this file holds it in one). */
const SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('sim-data').textContent);
  var PRIVATE = '__private__';
  var state = { conversation: null, memberByConversation: {}, lastKey: '', loading: false };
  var el = {
    list: document.getElementById('conversations'),
    title: document.getElementById('chat-title'),
    messages: document.getElementById('messages'),
    form: document.getElementById('composer'),
    member: document.getElementById('member'),
    text: document.getElementById('text'),
    send: document.getElementById('send'),
    error: document.getElementById('error')
  };

  function roomById(id) {
    for (var i = 0; i < data.rooms.length; i++) if (data.rooms[i].roomId === id) return data.rooms[i];
    return null;
  }
  function membersOf(conversation) {
    if (conversation === PRIVATE) return data.contacts;
    var room = roomById(conversation);
    return room ? room.members : [];
  }
  function currentMember() { return el.member.value; }
  function transcriptUrl() {
    if (state.conversation === PRIVATE) return '/contacts/' + encodeURIComponent(currentMember()) + '/messages';
    return '/rooms/' + encodeURIComponent(state.conversation) + '/messages';
  }
  function text(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }
  function showError(message) { el.error.textContent = message; }

  function fillMembers() {
    var members = membersOf(state.conversation);
    var wanted = state.memberByConversation[state.conversation];
    el.member.replaceChildren();
    for (var i = 0; i < members.length; i++) {
      var option = document.createElement('option');
      option.value = members[i].contactId;
      option.textContent = members[i].name + '（' + members[i].contactId + '）';
      el.member.appendChild(option);
    }
    if (wanted) el.member.value = wanted;
    if (!el.member.value && members.length) el.member.value = members[0].contactId;
  }

  function renderTitle() {
    el.title.replaceChildren();
    if (state.conversation === PRIVATE) {
      el.title.appendChild(document.createTextNode('私聊机器人（' + data.bot.name + '）'));
      el.title.appendChild(text('span', 'id', '以所选成员的身份私聊'));
    } else {
      var room = roomById(state.conversation);
      el.title.appendChild(document.createTextNode(room ? room.topic : state.conversation));
      el.title.appendChild(text('span', 'id', state.conversation));
    }
  }

  function renderMessages(messages) {
    var box = el.messages;
    var nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    box.replaceChildren();
    if (!messages.length) box.appendChild(text('li', 'empty', '还没有消息。选择成员，输入内容后点“发送”。'));
    for (var i = 0; i < messages.length; i++) {
      var m = messages[i];
      var item = text('li', m.fromBot ? 'bot' : 'person');
      var meta = text('div', 'meta');
      meta.appendChild(document.createTextNode(m.fromName || m.fromContactId));
      if (m.fromBot) meta.appendChild(text('span', 'tag', '机器人'));
      var time = new Date(m.at);
      if (!isNaN(time.getTime())) meta.appendChild(document.createTextNode('  ' + time.toLocaleTimeString('zh-CN', { hour12: false })));
      item.appendChild(meta);
      item.appendChild(text('div', 'bubble', (m.type && m.type !== 'Text' ? '[' + m.type + '] ' : '') + m.text));
      box.appendChild(item);
    }
    if (nearBottom || state.forceScroll) box.scrollTop = box.scrollHeight;
    state.forceScroll = false;
  }

  function refresh() {
    if (!state.conversation || (state.conversation === PRIVATE && !currentMember())) return Promise.resolve();
    var url = transcriptUrl();
    return fetch(url, { headers: { Accept: 'application/json' } })
      .then(function (res) { return res.ok ? res.json() : Promise.reject(new Error('HTTP ' + res.status)); })
      .then(function (body) {
        if (url !== transcriptUrl()) return; // the person switched conversation meanwhile
        var list = body.messages || [];
        var key = url + '|' + list.length + '|' + (list.length ? list[list.length - 1].messageId : '');
        if (key === state.lastKey) return;
        state.lastKey = key;
        renderMessages(list);
      })
      .catch(function () { /* polling: the next round tries again; sending shows its own errors */ });
  }

  function choose(conversation) {
    if (state.conversation) state.memberByConversation[state.conversation] = currentMember();
    state.conversation = conversation;
    state.lastKey = '';
    state.forceScroll = true;
    var buttons = el.list.querySelectorAll('button[data-conversation]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute('aria-current', String(buttons[i].getAttribute('data-conversation') === conversation));
    }
    fillMembers();
    renderTitle();
    el.messages.replaceChildren(text('li', 'empty', '加载中…'));
    showError('');
    refresh();
  }

  function errorText(status, detail) {
    var reason;
    if (status === 0) reason = '无法连接模拟器，请确认 npm start 仍在运行';
    else if (status === 400) reason = '请求内容有误';
    else if (status === 403) reason = '模拟器只接受本机页面发来的消息';
    else if (status === 404) reason = /not a member/.test(detail) ? '该成员不在这个群里' : '找不到这个群或成员';
    else if (status === 413) reason = '消息太长';
    else reason = '模拟器出错（' + status + '）';
    return '发送失败：' + reason + (detail ? '。详情：' + detail : '');
  }

  function send() {
    var content = el.text.value;
    showError('');
    if (!content.trim()) { showError('请输入要发送的内容'); el.text.focus(); return; }
    if (!currentMember()) { showError('请先选择以谁的身份发言'); return; }
    var body = { contactId: currentMember(), text: content, waitMs: 0 };
    if (state.conversation !== PRIVATE) body.roomId = state.conversation;
    el.send.disabled = true;
    fetch('/say', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (json) {
          if (!res.ok) throw { status: res.status, detail: json.error || '' };
        });
      })
      .then(function () {
        el.text.value = '';
        state.forceScroll = true;
        refresh();
        // The bot answers through the server; look again soon instead of waiting for the poll.
        setTimeout(refresh, 300);
        setTimeout(refresh, 900);
      }, function (err) {
        showError(errorText(err && err.status ? err.status : 0, err && err.detail ? String(err.detail) : ''));
      })
      .then(function () { el.send.disabled = false; el.text.focus(); });
  }

  el.list.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-conversation]');
    if (button) choose(button.getAttribute('data-conversation'));
  });
  el.member.addEventListener('change', function () {
    state.memberByConversation[state.conversation] = currentMember();
    if (state.conversation === PRIVATE) { state.lastKey = ''; state.forceScroll = true; refresh(); }
  });
  el.form.addEventListener('submit', function (event) { event.preventDefault(); send(); });
  el.text.addEventListener('keydown', function (event) {
    // Enter sends, except while an input method is still composing (Chinese pinyin).
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      send();
    }
  });
  var quick = document.querySelectorAll('button[data-insert]');
  for (var q = 0; q < quick.length; q++) {
    quick[q].addEventListener('click', function (event) {
      var value = event.currentTarget.getAttribute('data-insert');
      el.text.value = event.currentTarget.hasAttribute('data-replace') ? value : value + el.text.value.replace(/^绑定\s*/, '');
      el.text.focus();
      el.text.setSelectionRange(el.text.value.length, el.text.value.length);
    });
  }

  setInterval(function () { if (!document.hidden) refresh(); }, 1500);
  choose(data.rooms.length ? data.rooms[0].roomId : PRIVATE);
})();
`;

/** The whole page. `nonce` allows the inline script under the response's Content-Security-Policy. */
export function renderSimulatorPage(data: SimulatorPageData, nonce: string): string {
  const conversations = [
    ...data.rooms.map(
      (room) =>
        `<li><button type="button" data-conversation="${escapeHtml(room.roomId)}">${escapeHtml(room.topic)}<span class="id">${escapeHtml(room.roomId)}</span></button></li>`,
    ),
    `<li><button type="button" data-conversation="__private__">私聊机器人<span class="id">${escapeHtml(data.bot.name)}</span></button></li>`,
  ].join('\n');

  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(SIMULATOR_PAGE_TITLE)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(SIMULATOR_PAGE_TITLE)}</h1>
<p>机器人：${escapeHtml(data.bot.name)}（${escapeHtml(data.bot.contactId)}）。这里的群和成员都是演示数据，不会发到真实微信。</p>
</header>
<main>
<nav aria-label="会话">
<h2>群聊</h2>
<ul id="conversations">
${conversations}
</ul>
</nav>
<section id="chat" aria-live="polite">
<h2 id="chat-title">请选择一个群聊</h2>
<ul id="messages"><li class="empty">需要浏览器开启 JavaScript。</li></ul>
<form id="composer" autocomplete="off">
<label for="member">以谁的身份发言</label>
<select id="member"></select>
<div class="row">
<button type="button" class="action" data-insert="绑定 ">绑定 …</button>
<button type="button" class="action" data-insert="解绑" data-replace>解绑</button>
</div>
<div class="row">
<input type="text" id="text" name="text" placeholder="输入消息，按回车发送" maxlength="2000" enterkeyhint="send">
<button type="submit" id="send" class="action primary">发送</button>
</div>
<p id="error" role="alert"></p>
<p class="hint">绑定群：社区工作人员在工作台取得八位绑定码，再以工作人员身份在群里发送 <code>绑定 12345678</code>。解除绑定：已绑定微信的工作人员在群里发送 <code>解绑</code>。</p>
</form>
</section>
</main>
<script type="application/json" id="sim-data">${scriptJson(data)}</script>
<script nonce="${escapeHtml(nonce)}">${SCRIPT}</script>
</body>
</html>
`;
}
