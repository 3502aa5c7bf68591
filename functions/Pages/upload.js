'use strict';

// The upload page for a reporting unit: credential from the link's fragment, the unit's open
// periods and status, one file sent with a progress bar and a cancel button, the receipt shown.
(() => {
  const { el, badge, say, formatInstant, formatDeadline, formatDate, formatBytes } = window.DanVan;
  const TOKEN_KEY = 'danvan.unitToken';
  const ALLOWED = ['pdf', 'docx', 'doc', 'xlsx', 'xls', 'odt', 'ods'];
  const maxBytes = Number(document.body.dataset.maxUploadBytes) || 52428800;

  const $ = (id) => document.getElementById(id);
  const message = $('message');
  let periods = [];
  let xhr = null;
  // One key per chosen file and period: pressing "send" again after a network error can never
  // make a second version of the same upload.
  let idempotencyKey = window.DanVan.randomKey();

  $('max-size').textContent = formatBytes(maxBytes);

  const credential = window.DanVan.login({
    storageKey: TOKEN_KEY,
    emptyText: 'Vui lòng dán mã truy cập của đơn vị.',
    message,
    onLogin: (value) => {
      token = value;
      load();
    },
    onLogout: () => {
      token = null;
      $('unit').hidden = true;
      $('upload').hidden = true;
      $('result').hidden = true;
      $('figures').hidden = true;
      showLogin();
    },
  });

  let token = credential.token;
  const showLogin = (text) => credential.show(text);

  async function load() {
    if (!token) {
      showLogin();
      return;
    }
    say(message, 'Đang tải thông tin của đơn vị…');
    try {
      periods = await window.DanVan.json('periods', token);
    } catch (err) {
      credential.forget();
      token = null;
      showLogin(`${err.title}. ${err.detail}`);
      return;
    }
    $('login').hidden = true;
    say(message, '');
    $('unit-name').textContent = await unitName();
    renderPeriods();
    $('unit').hidden = false;
    window.DanVanFigures.upload(periods, token);
  }

  /** The unit's Vietnamese name, from its own row of a period's status; its code as a fallback. */
  async function unitName() {
    const fallback = (token.split('.')[1] || '').trim() || 'đơn vị';
    if (periods.length === 0) return fallback;
    try {
      const status = await window.DanVan.json(`periods/${encodeURIComponent(periods[0].id)}/status`, token);
      return (status.rows && status.rows[0] && status.rows[0].unitName) || fallback;
    } catch {
      return fallback;
    }
  }

  function renderPeriods() {
    const likely = window.DanVan.likelyPeriod(periods);
    // What matters now on top; earlier periods (still open for a late report) folded away.
    const current = (p) => (likely && p.id === likely.id) || !p.deadlinePassed;
    const ordered = window.DanVan.newestFirst(periods);
    const main = ordered.filter(current);
    const older = ordered.filter((p) => !current(p));

    const list = $('periods');
    list.replaceChildren(...main.map(periodItem));
    const olderList = $('older-periods');
    olderList.replaceChildren(...older.map(periodItem));
    $('older-periods-box').hidden = older.length === 0;

    const open = ordered.filter((p) => p.isOpen);
    const choice = (p, i) => el('div', { class: 'choice' },
      el('input', { type: 'radio', name: 'period', id: `period-${i}`, value: p.id, checked: likely && p.id === likely.id, onchange: freshKey }),
      el('label', { for: `period-${i}` }, `${p.title} — hạn ${p.myDeadlineText || p.deadlineText || formatDeadline(p.deadline)}`));
    const mainChoices = open.filter(current);
    const olderChoices = open.filter((p) => !current(p));
    $('period-choices').replaceChildren(...mainChoices.map((p, i) => choice(p, i)));
    $('older-choices').replaceChildren(...olderChoices.map((p, i) => choice(p, mainChoices.length + i)));
    $('older-choices-box').hidden = olderChoices.length === 0;

    $('upload').hidden = open.length === 0;
    if (open.length === 0) {
      say(message, 'Hiện không có kỳ báo cáo nào đang nhận tệp.');
    }
  }

  /** Sở Nội vụ's review of the unit's latest version. */
  const REVIEW = { pending: 'Chờ xem xét', accepted: 'Đã tiếp nhận', returned: 'Trả lại — cần nộp lại' };

  function periodItem(p) {
    const status = p.myStatus || 'missing';
    return el('li', { class: `status-${status}${p.isOpen ? '' : ' closed'}`, 'data-period': p.id },
      el('h4', {}, p.title),
      el('p', {}, 'Hạn nộp: ', el('strong', {}, p.myDeadlineText || p.deadlineText || formatDeadline(p.deadline))),
      el('p', {}, 'Tình trạng của đơn vị: ', badge(status)),
      REVIEW[p.myReview] ? el('p', { class: `review ${p.myReview}`, 'data-review': p.myReview }, 'Sở Nội vụ: ', el('strong', {}, REVIEW[p.myReview])) : null,
      p.myReturnReason ? el('p', { class: 'review returned', 'data-return-reason': '' },
        'Lý do trả lại: ', p.myReturnReason, el('br'), 'Đề nghị chỉnh sửa và gửi phiên bản mới.') : null,
      el('p', { class: 'help' },
        p.isOpen ? 'Đang nhận báo cáo.' : (p.finalizedAt ? `Đã khoá lúc ${formatInstant(p.finalizedAt)}.` : 'Chưa mở nhận báo cáo.'),
        p.dataFrom && p.dataTo ? ` Số liệu từ ${formatDate(p.dataFrom)} đến ${formatDate(p.dataTo)}.` : ''));
  }

  function freshKey() {
    idempotencyKey = window.DanVan.randomKey();
  }

  /** What the server would refuse, said before anything is sent. */
  function problemWith(file) {
    if (!file) return 'Vui lòng chọn tệp báo cáo.';
    const ext = (file.name.split('.').pop() || '').toLowerCase();
    if (!file.name.includes('.') || !ALLOWED.includes(ext)) {
      return `Tệp "${file.name}" không đúng định dạng. Chỉ nhận PDF, DOCX, DOC, XLSX, XLS, ODT hoặc ODS.`;
    }
    if (file.size === 0) return `Tệp "${file.name}" rỗng (0 byte).`;
    if (file.size > maxBytes) {
      return `Tệp "${file.name}" có dung lượng ${formatBytes(file.size)}, vượt quá mức tối đa ${formatBytes(maxBytes)}.`;
    }
    return null;
  }

  $('file').addEventListener('change', () => {
    freshKey();
    const file = $('file').files[0];
    const problem = file ? problemWith(file) : null;
    $('file-warning').textContent = problem || '';
    $('file-warning').hidden = !problem;
  });

  $('upload-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const file = $('file').files[0];
    const problem = problemWith(file);
    const period = document.querySelector('input[name="period"]:checked');
    if (problem || !period) {
      $('file-warning').textContent = problem || 'Vui lòng chọn kỳ báo cáo.';
      $('file-warning').hidden = false;
      $('file').focus();
      return;
    }
    send(period.value, file, $('note').value.trim());
  });

  $('outline-template').addEventListener('click', async () => {
    const period = document.querySelector('input[name="period"]:checked');
    if (!period) {
      $('file-warning').textContent = 'Vui lòng chọn kỳ báo cáo.';
      $('file-warning').hidden = false;
      return;
    }
    try {
      await window.DanVan.download(`periods/${encodeURIComponent(period.value)}/outline/template.docx`, token, `de-cuong-${period.value}.docx`);
    } catch (err) {
      $('file-warning').textContent = err.detail || err.title || String(err);
      $('file-warning').hidden = false;
    }
  });

  $('cancel').addEventListener('click', () => {
    if (xhr) xhr.abort();
  });

  function send(periodId, file, note) {
    const form = new FormData();
    form.append('file', file, file.name);
    if (note) form.append('note', note);

    $('result').hidden = true;
    $('file-warning').hidden = true;
    $('send').disabled = true;
    $('progress').value = 0;
    $('progress-text').textContent = `0% (0 / ${formatBytes(file.size)})`;
    $('progress-box').hidden = false;
    $('cancel').focus();

    xhr = new XMLHttpRequest();
    xhr.open('POST', `periods/${encodeURIComponent(periodId)}/reports`);
    xhr.setRequestHeader('Authorization', 'Bearer ' + token);
    xhr.setRequestHeader('Idempotency-Key', idempotencyKey);
    xhr.upload.addEventListener('progress', (ev) => {
      if (!ev.lengthComputable) return;
      const percent = Math.floor((ev.loaded / ev.total) * 100);
      $('progress').value = percent;
      $('progress').textContent = `${percent}%`;
      $('progress-text').textContent = `${percent}% (${formatBytes(ev.loaded)} / ${formatBytes(ev.total)})`;
    });
    xhr.addEventListener('load', () => {
      const done = xhr;
      finish();
      if (done.status === 200 || done.status === 201) {
        showReceipt(JSON.parse(done.responseText), done.status === 200);
        freshKey();
        refreshStatus();
      } else {
        showProblem(window.DanVan.problemFrom(done.status, done.getResponseHeader('Content-Type'), done.responseText));
      }
    });
    xhr.addEventListener('error', () => {
      finish();
      showProblem(window.DanVan.problemFrom(0, '', ''));
    });
    xhr.addEventListener('abort', () => {
      finish();
      showResult('error', 'Đã huỷ tải lên', 'Tệp chưa được gửi xong nên Sở Nội vụ chưa nhận. Bạn có thể gửi lại khi sẵn sàng.');
    });
    xhr.send(form);
  }

  function finish() {
    xhr = null;
    $('progress-box').hidden = true;
    $('send').disabled = false;
  }

  function showResult(kind, title, ...content) {
    const box = $('result');
    box.className = `card result ${kind}`;
    box.replaceChildren(el('h2', { id: 'result-title' }, title), ...content);
    box.setAttribute('aria-labelledby', 'result-title');
    box.hidden = false;
    box.focus();
  }

  function showProblem(err) {
    showResult('error', err.title,
      el('p', { class: 'big' }, err.detail || ''),
      err.code ? el('p', { class: 'help' }, 'Mã lỗi: ', el('code', {}, err.code)) : null,
      el('p', {}, 'Báo cáo CHƯA được nhận. Vui lòng sửa theo hướng dẫn trên rồi gửi lại.'));
  }

  function showReceipt(r, repeated) {
    const period = periods.find((p) => p.id === r.periodId);
    const timing = r.onTime
      ? el('span', {}, badge('on_time'), ` (hạn ${formatDeadline(r.deadline)})`)
      : el('span', {}, badge('late'), ` (hạn ${formatDeadline(r.deadline)})`);
    showResult('ok', 'Sở Nội vụ đã nhận báo cáo',
      el('p', { class: 'big' }, repeated
        ? 'Tệp này giống hệt bản đã gửi trước đó; hệ thống giữ nguyên biên nhận cũ. Không cần gửi lại.'
        : 'Báo cáo đã được lưu an toàn. Không cần gửi lại; hãy giữ biên nhận này.'),
      el('dl', { class: 'facts', id: 'receipt' },
        el('dt', {}, 'Kỳ báo cáo'), el('dd', {}, period ? period.title : r.periodId),
        el('dt', {}, 'Tệp'), el('dd', {}, r.fileName),
        el('dt', {}, 'Phiên bản'), el('dd', { 'data-field': 'version' }, `Số ${r.version}`),
        el('dt', {}, 'Dung lượng'), el('dd', {}, `${formatBytes(r.sizeBytes)} (${window.DanVan.number.format(r.sizeBytes)} byte)`),
        el('dt', {}, 'Nhận lúc'), el('dd', { 'data-field': 'receivedAt' }, formatInstant(r.receivedAt)),
        el('dt', {}, 'Thời hạn'), el('dd', { 'data-field': 'onTime' }, timing),
        el('dt', {}, 'Mã SHA-256'), el('dd', { class: 'hash', 'data-field': 'sha256' }, r.sha256),
        r.note ? el('dt', {}, 'Ghi chú') : null, r.note ? el('dd', {}, r.note) : null,
        r.signatureSummary ? el('dt', {}, 'Chữ ký số') : null,
        r.signatureSummary ? el('dd', { 'data-field': 'signatures' }, r.signatureSummary) : null,
        el('dt', {}, 'Mã biên nhận'), el('dd', { class: 'hash' }, r.receiptId)));
    $('upload-form').reset();
  }

  async function refreshStatus() {
    try {
      periods = await window.DanVan.json('periods', token);
      renderPeriods();
    } catch {
      // The receipt is already shown; a stale status line is harmless.
    }
  }

  load();
})();
