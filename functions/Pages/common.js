'use strict';

// Helpers shared by the upload page and the dashboard. Plain browser JavaScript: no framework,
// no build step, no third-party code. Page content is built with DOM calls (never innerHTML),
// so names and file names from the server are always shown as text.
window.DanVan = (() => {
  const STATUS = {
    on_time: { label: 'Đúng hạn', mark: '✓' },
    late: { label: 'Muộn', mark: '!' },
    missing: { label: 'Chưa nộp', mark: '✗' },
    not_required: { label: 'Không áp dụng', mark: '–' },
    exempt: { label: 'Miễn nộp kỳ này', mark: '○' },
  };

  const number = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });
  const collator = new Intl.Collator('vi');

  /** A refused call: the Vietnamese title/detail of the problem+json answer. */
  class ApiError extends Error {
    constructor(status, title, detail, code) {
      super(title);
      this.status = status;
      this.title = title;
      this.detail = detail;
      this.code = code;
    }
  }

  function fallbackProblem(status) {
    if (status === 0) return ['Không kết nối được với máy chủ', 'Vui lòng kiểm tra kết nối mạng rồi thử lại.'];
    if (status === 401) return ['Chưa xác thực', 'Mã truy cập không đúng hoặc đã bị thay. Vui lòng kiểm tra lại.'];
    if (status === 403) return ['Không có quyền', 'Mã truy cập này không được phép thực hiện thao tác này.'];
    if (status === 404) return ['Không tìm thấy', 'Chức năng hoặc dữ liệu được yêu cầu không có trên máy chủ.'];
    if (status === 413) return ['Tệp quá lớn', 'Tệp vượt quá dung lượng tối đa máy chủ cho phép.'];
    return ['Lỗi máy chủ', `Máy chủ trả lời lỗi ${status}. Vui lòng thử lại sau.`];
  }

  /** Builds an ApiError from a response body text (problem+json when the server wrote one). */
  function problemFrom(status, contentType, text) {
    if ((contentType || '').includes('json') && text) {
      try {
        const p = JSON.parse(text);
        if (p && typeof p.title === 'string') {
          const error = new ApiError(status, p.title, p.detail || '', p.code || '');
          // Which field each problem is about, so a form can say it next to the field.
          error.errors = Array.isArray(p.errors) ? p.errors : [];
          return error;
        }
      } catch {
        // Not JSON after all: fall through to the generic Vietnamese message.
      }
    }
    const [title, detail] = fallbackProblem(status);
    return new ApiError(status, title, detail, '');
  }

  // What a page does when the API says 401 (the dashboard: ask the person to sign in again).
  let unauthorizedHandler = () => {};
  const onUnauthorized = (handler) => { unauthorizedHandler = handler; };

  /**
   * The one way the pages call this app's own /api: fetch() with the bearer credential (none for an anonymous call:
   * token null), never cached, no cookies; throws ApiError when refused or unreachable.
   */
  async function api(path, token, init = {}) {
    const headers = new Headers(init.headers || {});
    if (token !== null) headers.set('Authorization', 'Bearer ' + token);
    let response;
    try {
      response = await fetch(path, { ...init, headers, credentials: 'omit', cache: 'no-store' });
    } catch {
      throw problemFrom(0, '', '');
    }
    if (!response.ok) {
      if (response.status === 401) unauthorizedHandler();
      throw problemFrom(response.status, response.headers.get('Content-Type'), await response.text());
    }
    return response;
  }

  async function json(path, token, init) {
    return (await api(path, token, init)).json();
  }

  /** Runs one action: says busyText in the region, then what the work returns, or the Vietnamese problem if refused. */
  async function act(region, busyText, work) {
    say(region, busyText);
    try {
      say(region, (await work()) || '');
    } catch (err) {
      if (err instanceof ApiError) say(region, `${err.title}. ${err.detail}`, 'error');
      else throw err;
    }
  }

  /** The file name a download answer carries (RFC 5987 filename* first). */
  function fileNameOf(response, fallback) {
    const header = response.headers.get('Content-Disposition') || '';
    const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) {
      try { return decodeURIComponent(star[1]); } catch { /* use the plain name */ }
    }
    const plain = /filename="?([^";]+)"?/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  /** Downloads with the credential in a header (a plain link could not carry it), then saves the blob. */
  async function download(path, token, fallbackName) {
    const response = await api(path, token);
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = fileNameOf(response, fallbackName);
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    return a.download;
  }

  const pad = (n) => String(n).padStart(2, '0');

  /** Vietnam wall-clock parts of an instant (UTC+7 all year), whatever the browser's own zone. */
  function vietnamParts(iso) {
    const d = new Date(new Date(iso).getTime() + 7 * 3600 * 1000);
    return {
      date: `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`,
      time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
      seconds: pad(d.getUTCSeconds()),
    };
  }

  /** "09:05:12 ngày 01/05/2026" */
  function formatInstant(iso) {
    if (!iso) return '';
    const p = vietnamParts(iso);
    return `${p.time}:${p.seconds} ngày ${p.date}`;
  }

  /** "trước 00:00 ngày 15/05/2026" */
  function formatDeadline(iso) {
    const p = vietnamParts(iso);
    return `trước ${p.time} ngày ${p.date}`;
  }

  /** "2026-06-14" → "14/06/2026" */
  function formatDate(ymd) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
    return m ? `${m[3]}/${m[2]}/${m[1]}` : (ymd || '');
  }

  function formatBytes(n) {
    if (n < 1024) return `${number.format(n)} byte`;
    if (n < 1024 * 1024) return `${number.format(n / 1024)} KB`;
    return `${number.format(n / (1024 * 1024))} MB`;
  }

  /** Small DOM builder: el('p', { class: 'x' }, 'text', child). Text is always text, never HTML. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** A status as colour AND text (and a mark), never colour alone. */
  function badge(code) {
    const s = STATUS[code] || { label: code, mark: '' };
    return el('span', { class: `badge status-${code}`, 'data-status': code },
      el('span', { 'aria-hidden': 'true' }, s.mark + ' '), s.label);
  }

  function statusLabel(code) {
    return (STATUS[code] || { label: code }).label;
  }

  /**
   * The period a person most likely means: the open one with the nearest deadline still ahead,
   * else the open one whose deadline passed last (late uploads are still taken until it is closed).
   * "Ahead" is the server's deadlinePassed, read on the app's clock: the page never reads its own.
   */
  function likelyPeriod(periods) {
    const open = periods.filter((p) => p.isOpen);
    const ahead = open.filter((p) => !p.deadlinePassed).sort((a, b) => Date.parse(a.deadline) - Date.parse(b.deadline));
    const passed = open.filter((p) => p.deadlinePassed).sort((a, b) => Date.parse(b.deadline) - Date.parse(a.deadline));
    return ahead[0] || passed[0] || [...periods].sort((a, b) => Date.parse(b.deadline) - Date.parse(a.deadline))[0] || null;
  }

  /** Newest deadline first: the period that matters now is at the top. */
  function newestFirst(periods) {
    return [...periods].sort((a, b) => Date.parse(b.deadline) - Date.parse(a.deadline));
  }

  /** Shows a message (role=status region); kind 'error' colours it. */
  function say(region, text, kind) {
    region.textContent = text;
    region.className = 'message' + (kind ? ' ' + kind : '');
  }

  /** Random hex, also on plain http (crypto.randomUUID needs a secure context). */
  function randomKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  /**
   * The one credential form of both pages (login-form.html) and their sign-out button. A credential from the link's
   * fragment (#token=…, which a browser never sends to a server) or pasted in the form is kept in this tab's
   * sessionStorage only, and the fragment is removed from the address bar at once; signing out forgets it.
   * Returns { token: the credential kept, if any; show(text, focusId): the form again, with an error from the last
   * attempt when there is one; forget() }.
   */
  function login({ storageKey, emptyText, message, onLogin, onLogout }) {
    const $ = (id) => document.getElementById(id);
    const fromLink = new URLSearchParams(location.hash.slice(1)).get('token');
    if (fromLink) {
      sessionStorage.setItem(storageKey, fromLink.trim());
      history.replaceState(null, '', location.pathname + location.search);
    }
    const forget = () => sessionStorage.removeItem(storageKey);
    $('login-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const value = $('token').value.trim();
      if (!value) {
        say(message, emptyText, 'error');
        $('token').focus();
        return;
      }
      sessionStorage.setItem(storageKey, value);
      $('token').value = '';
      onLogin(value);
    });
    $('logout').addEventListener('click', () => {
      forget();
      onLogout();
    });
    const show = (text, focusId = 'token') => {
      $('login').hidden = false;
      say(message, text || '', text ? 'error' : '');
      $(focusId).focus();
    };
    return { token: sessionStorage.getItem(storageKey), show, forget };
  }

  /**
   * The one guard against answers that arrive out of order: each call of the function it returns begins a new turn
   * and gives back isLatest(), true until a later turn begins. An answer whose turn is no longer the latest is dropped.
   *   const turn = latestOnly(); … const isLatest = turn(); const x = await …; if (!isLatest()) return;
   */
  function latestOnly() {
    let latest = 0;
    return () => {
      const mine = ++latest;
      return () => mine === latest;
    };
  }

  return {
    login, latestOnly, onUnauthorized, api, json, act, download, ApiError, problemFrom,
    formatInstant, formatDeadline, formatDate, formatBytes,
    el, badge, statusLabel, say, randomKey, collator, number, likelyPeriod, newestFirst,
  };
})();
