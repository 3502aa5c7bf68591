'use strict';

// The status dashboard for Sở Nội vụ: per period, every unit's status with colour and text,
// compliance figures, files, reminders (dry run first), compilation, CSV and finalization.
(() => {
  const D = window.DanVan;
  const S = window.DanVanSession;
  const { el, badge, say, formatInstant, formatDeadline, formatBytes } = D;
  const STATUS_ORDER = { missing: 0, late: 1, on_time: 2, exempt: 3, not_required: 4 };

  const REMINDER_STATUS = {
    would_send: 'Sẽ gửi', sent: 'Đã gửi', already_sent: 'Đã gửi trước đó', failed: 'Gửi lỗi', no_address: 'Không có địa chỉ email',
    // Put on the email queue by this request; the queue-triggered sender sends it within moments.
    queued: 'Đã xếp hàng gửi',
    in_progress: 'Đang chờ gửi hoặc đang gửi',
    // The send got no answer, or its run stopped mid-send: it may have gone out, so it is never resent by itself.
    unknown: 'Chưa rõ kết quả — kiểm tra nhật ký gửi SendGrid',
  };

  const $ = (id) => document.getElementById(id);

  /**
   * The role each action of the page needs (the server's role table decides; the page only leaves out what it
   * would refuse): a viewer sees the figures and downloads the compilation, an officer reviews and reminds, a
   * leader also extends, exempts and finalizes, an administrator also keeps the registry.
   */
  const NEEDS = {
    remind: 'Officer', compile: 'Officer', finalize: 'Leader',
    'decide-accept': 'Officer', 'decide-return': 'Officer',
    'decide-extend': 'Leader', 'decide-unextend': 'Leader', 'decide-exempt': 'Leader', 'decide-unexempt': 'Leader',
    'registry-card': 'Administrator',
  };

  /** "before-7" → "Trước hạn 7 ngày", "after-3" → "Quá hạn 3 ngày". */
  function stageLabel(stage) {
    const m = /^(before|after)-(\d+)(?:@(\d{4}-\d{2}-\d{2}))?$/.exec(stage || '');
    if (!m) return stage || '';
    // "before-3@2026-05-30": a stage counted from a unit's extended deadline.
    const extended = m[3] ? ' (theo hạn được gia hạn)' : '';
    return (m[1] === 'before' ? `Trước hạn ${m[2]} ngày` : `Quá hạn ${m[2]} ngày`) + extended;
  }
  const message = $('message');
  const actionMessage = $('action-message');
  let token = null;
  let periods = [];
  let status = null;
  let pendingReminders = null;

  const periodPath = (suffix) => `periods/${encodeURIComponent($('period').value)}/${suffix}`;
  const currentPeriod = () => periods.find((p) => p.id === $('period').value);

  async function load() {
    if (!token) return;
    say(message, 'Đang tải…');
    try {
      periods = await D.json('periods', token);
    } catch (err) {
      // A 401 has already asked the person to sign in again (signin.js).
      if (err.status !== 401) say(message, `${err.title}. ${err.detail}`, 'error');
      return;
    }
    for (const [id, role] of Object.entries(NEEDS)) $(id).hidden = !S.may(role);
    const select = $('period');
    const previous = select.value;
    select.replaceChildren(...D.newestFirst(periods).map((p) =>
      el('option', { value: p.id }, `${p.title}${p.isOpen ? ' (đang nhận)' : p.finalizedAt ? ' (đã khoá)' : ''}`)));
    select.value = periods.some((p) => p.id === previous) ? previous : (D.likelyPeriod(periods) || {}).id || '';
    $('board').hidden = false;
    say(message, '');
    await loadPeriod();
  }

  // Each choice of period loads its status; an answer to an earlier choice that arrives later is dropped.
  let periodLoads = 0;

  async function loadPeriod() {
    const mine = ++periodLoads;
    const period = currentPeriod();
    $('reminders').hidden = true;
    if (!period) {
      say(message, 'Chưa có kỳ báo cáo nào trong kế hoạch.');
      return;
    }
    let answer;
    try {
      answer = await D.json(periodPath('status'), token);
    } catch (err) {
      if (mine === periodLoads) say(message, `${err.title}. ${err.detail}`, 'error');
      return;
    }
    if (mine !== periodLoads) return;
    status = answer;
    renderPeriod(period);
    renderRows();
    window.DanVanFigures.dashboard(period.id, token);
    loadCompilations();
    loadFailedEmails();
  }

  function percent(part, whole) {
    return whole ? `${D.number.format((part / whole) * 100)}%` : '–';
  }

  function renderPeriod(p) {
    $('period-title').textContent = p.title;
    $('period-facts').textContent =
      `Hạn nộp: ${p.deadlineText || formatDeadline(p.deadline)}. ` +
      (p.finalizedAt ? `Đã khoá lúc ${formatInstant(p.finalizedAt)}.` : p.isOpen ? 'Đang nhận báo cáo.' : 'Không nhận báo cáo.');
    const figures = [
      ['Phải nộp', p.required, 'required'],
      ['Đã nộp', p.submitted, 'submitted'],
      ['Đúng hạn', p.onTime, 'onTime'],
      ['Muộn', p.late, 'late'],
      ['Chưa nộp', p.missing, 'missing'],
      ['Tỷ lệ đã nộp', percent(p.submitted, p.required), 'submittedRate'],
      ['Tỷ lệ đúng hạn', percent(p.onTime, p.required), 'onTimeRate'],
      ['Chờ xem xét', p.awaitingReview || 0, 'awaitingReview'],
      ['Đã tiếp nhận', p.accepted || 0, 'accepted'],
      ['Trả lại', p.returned || 0, 'returned'],
      ['Được gia hạn', p.extended || 0, 'extended'],
      ['Miễn nộp', p.exempt || 0, 'exempt'],
    ];
    $('figures').replaceChildren(...figures.map(([label, value, key]) =>
      el('div', {}, el('dt', {}, label), el('dd', { 'data-figure': key }, value))));
    $('finalize').disabled = Boolean(p.finalizedAt);
  }

  function sortedRows() {
    const rows = [...(status.rows || [])];
    const byName = (a, b) => D.collator.compare(a.unitName, b.unitName);
    const how = $('sort').value;
    if (how === 'status') {
      rows.sort((a, b) => (STATUS_ORDER[a.status] - STATUS_ORDER[b.status]) || byName(a, b));
    } else if (how === 'received') {
      rows.sort((a, b) => (Date.parse(b.receivedAt || 0) || 0) - (Date.parse(a.receivedAt || 0) || 0) || byName(a, b));
    } else {
      rows.sort(byName);
    }
    return rows;
  }

  function renderRows() {
    const rows = sortedRows().filter((r) => $('filter').value !== 'review' || r.review === 'pending');
    $('table-caption').textContent = `${currentPeriod().title}: ${rows.length} đơn vị`;
    $('rows').replaceChildren(...rows.map((r, i) => el('tr', { class: `status-${r.status}`, 'data-unit': r.unitCode },
      el('td', { class: 'num', 'data-label': 'STT' }, i + 1),
      el('td', { 'data-label': 'Đơn vị' }, el('span', {}, r.unitName), r.group ? el('span', { class: 'group' }, r.group) : null),
      el('td', { 'data-label': 'Trạng thái' }, badge(r.status),
        r.figuresStatus === 'incomplete' ? el('span', { class: 'figures-incomplete', 'data-figures': 'incomplete' }, ' Thiếu số liệu') : null),
      el('td', { 'data-label': 'Thời điểm nhận' }, r.receivedAt ? formatInstant(r.receivedAt) : '—'),
      el('td', { class: 'num', 'data-label': 'Số phiên bản' }, r.versionCount),
      el('td', { 'data-label': 'Tệp' }, r.latestVersion && S.may('Officer')
        ? el('button', {
          type: 'button',
          class: 'link',
          'aria-label': `Tải phiên bản ${r.latestVersion} của ${r.unitName}`,
          onclick: () => downloadVersion(r),
        }, `Tải phiên bản ${r.latestVersion}`)
        : r.latestVersion ? `Phiên bản ${r.latestVersion}` : '—', r.latestVersion && S.may('Officer')
        ? el('button', {
          type: 'button',
          class: 'link',
          'data-reading': r.unitCode,
          'aria-label': `Xem cách đọc báo cáo của ${r.unitName}`,
          onclick: () => window.DanVanReading.show($('period').value, r, token),
        }, 'Xem cách đọc')
        : null),
      signatureCell(r),
      el('td', { 'data-label': 'Xem xét, gia hạn' }, Decisions.cell(r)))));
  }

  /** "Ký số": ✔ or ✗, then who signed and why, from the row's one-line summary; empty for a file that is not a PDF. */
  function signatureCell(r) {
    if (!r.signatureSummary) return el('td', { 'data-label': 'Ký số', 'data-signature': 'none' }, '—');
    const ok = r.signatureVerdict === 'valid';
    return el('td', { 'data-label': 'Ký số', 'data-signature': r.signatureVerdict, class: ok ? 'sig-ok' : 'sig-bad' },
      el('span', { 'aria-hidden': 'true' }, ok ? '✔ ' : '✗ '), r.signatureSummary);
  }

  async function downloadVersion(r) {
    await act(`Đang tải tệp của ${r.unitName}…`, async () => {
      const name = await D.download(periodPath(`reports/${encodeURIComponent(r.unitCode)}/versions/${r.latestVersion}`), token, `${r.unitCode}-v${r.latestVersion}`);
      return `Đã tải "${name}".`;
    });
  }

  /** Runs one action, saying what happens and the Vietnamese problem if refused. */
  async function act(busyText, work) {
    say(actionMessage, busyText);
    try {
      const done = await work();
      say(actionMessage, done || '');
    } catch (err) {
      if (err instanceof D.ApiError) say(actionMessage, `${err.title}. ${err.detail}`, 'error');
      else throw err;
    }
  }

  async function loadCompilations() {
    const mine = periodLoads;
    $('compilation-info').textContent = '';
    try {
      const list = await D.json(periodPath('compilations'), token);
      if (mine !== periodLoads) return; // another period was chosen meanwhile
      $('compilation-info').textContent = list.length
        ? `Bản tổng hợp mới nhất: số ${list[0].version}, lập lúc ${formatInstant(list[0].createdAt)} (${formatBytes(list[0].sizeBytes)}).`
        : 'Chưa có bản tổng hợp nào cho kỳ này.';
    } catch {
      // No compilation information: the buttons still say what the server answers.
    }
  }

  /** Emails the sender gave up on (the email queue's poison queue), so Sở Nội vụ knows to follow them up. */
  async function loadFailedEmails() {
    const line = $('failed-emails');
    const list = $('failed-email-list');
    line.hidden = true;
    list.hidden = true;
    try {
      const failed = await D.json('emails/failed', token);
      const unknown = failed.unknown || [];
      line.textContent = `${failed.count} thư không gửi được sau nhiều lần thử; ${unknown.length} thư chưa rõ kết quả. `
        + 'Kiểm tra nhật ký gửi SendGrid trước khi gửi lại một thư.';
      line.hidden = !failed.count && !unknown.length;
      const item = (e, what) => el('li', {},
        `${what} — ${e.kind || 'thư'} ${e.unitCode || ''} ${e.periodId || ''} ${e.stage || ''}: ${e.reason || ''} `,
        e.partitionKey && e.rowKey ? el('button', { type: 'button', class: 'secondary', 'data-pk': e.partitionKey, 'data-rk': e.rowKey }, 'Gửi lại…') : '');
      list.replaceChildren(
        ...(failed.emails || []).map((e) => item(e, 'Không gửi được')),
        ...unknown.map((e) => item(e, 'Chưa rõ kết quả')));
      list.hidden = !list.children.length;
    } catch {
      // Not shown: the rest of the dashboard does not depend on it.
    }
  }

  $('failed-email-list').addEventListener('click', (e) => {
    const button = e.target.closest('button[data-rk]');
    if (!button || !window.confirm('Đã kiểm tra nhật ký gửi SendGrid và thư này chưa tới người nhận? Thư sẽ được gửi lại một lần.')) return;
    act('Đang gửi lại thư…', async () => {
      const done = await D.json('emails/resend', token, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ partitionKey: button.dataset.pk, rowKey: button.dataset.rk }),
      });
      await loadFailedEmails();
      return done.queued ? 'Đã xếp hàng gửi lại thư.' : 'Đã mở lại thư: lần nhắc sau sẽ gửi.';
    });
  });

  $('period').addEventListener('change', loadPeriod);
  $('sort').addEventListener('change', () => status && renderRows());
  $('filter').addEventListener('change', () => status && renderRows());
  $('refresh').addEventListener('click', load);

  $('remind').addEventListener('click', () => act('Đang lập danh sách nhắc nhở…', async () => {
    const plan = await D.json(periodPath('reminders?dryRun=true'), token, { method: 'POST' });
    pendingReminders = plan;
    const names = new Map((status.rows || []).map((r) => [r.unitCode, r.unitName]));
    const list = plan.reminders || [];
    const join = (v) => (Array.isArray(v) ? v.join(', ') : (v || ''));
    $('reminder-list').replaceChildren(
      el('p', {}, `Đợt nhắc hiện tại: ${stageLabel(plan.stage) || 'không có'}.`),
      list.length
        ? el('table', { class: 'stack', id: 'reminder-table' },
          el('thead', {}, el('tr', {},
            el('th', { scope: 'col' }, 'Đơn vị'), el('th', { scope: 'col' }, 'Đợt nhắc'),
            el('th', { scope: 'col' }, 'Gửi tới'), el('th', { scope: 'col' }, 'Đồng gửi'), el('th', { scope: 'col' }, 'Tình trạng'))),
          el('tbody', {}, list.map((r) => el('tr', { 'data-unit': r.unitCode },
            el('td', { 'data-label': 'Đơn vị' }, r.unitName || names.get(r.unitCode) || r.unitCode),
            el('td', { 'data-label': 'Đợt nhắc' }, stageLabel(r.stage || plan.stage)),
            el('td', { 'data-label': 'Gửi tới' }, join(r.to)),
            el('td', { 'data-label': 'Đồng gửi' }, join(r.cc)),
            el('td', { 'data-label': 'Tình trạng' }, REMINDER_STATUS[r.status] || r.status || '')))))
        : el('p', {}, 'Hiện không có đơn vị nào cần nhắc ở đợt này.'));
    $('reminders-send').hidden = list.length === 0;
    $('reminders-send').textContent = `Gửi ${list.length} thư nhắc`;
    $('reminders').hidden = false;
    $('reminders-title').focus();
    return list.length ? `Có ${list.length} đơn vị sẽ được nhắc. Kiểm tra danh sách rồi bấm "Gửi".` : 'Không có ai cần nhắc.';
  }));
  $('reminders-title').setAttribute('tabindex', '-1');

  $('reminders-cancel').addEventListener('click', () => {
    pendingReminders = null;
    $('reminders').hidden = true;
    say(actionMessage, 'Chưa gửi nhắc nhở nào.');
    $('remind').focus();
  });

  $('reminders-send').addEventListener('click', () => act('Đang gửi nhắc nhở…', async () => {
    if (!pendingReminders) return '';
    const sent = await D.json(periodPath('reminders'), token, { method: 'POST' });
    pendingReminders = null;
    $('reminders').hidden = true;
    $('remind').focus();
    const all = sent.reminders || [];
    // Queued counts as sent for the admin: the queue-triggered sender sends it and records the outcome.
    const ok = all.filter((r) => r.status === 'queued' || r.status === 'sent').length;
    const unknown = all.filter((r) => r.status === 'unknown').length;
    const note = unknown ? ` ${unknown} thư chưa rõ kết quả: kiểm tra nhật ký gửi SendGrid, hệ thống không tự gửi lại.` : '';
    return (ok === all.length ? `Đã gửi ${ok} thư nhắc.` : `Đã gửi ${ok}/${all.length} thư nhắc; các thư còn lại sẽ được thử lại ở lần nhắc sau.`) + note;
  }));

  $('compile').addEventListener('click', () => act('Đang tổng hợp, vui lòng chờ…', async () => {
    const c = await D.json(periodPath('compilations'), token, { method: 'POST' });
    await loadCompilations();
    return `Đã lập bản tổng hợp số ${c.version} lúc ${formatInstant(c.createdAt)}.`;
  }));

  $('latest').addEventListener('click', () => act('Đang tải bản tổng hợp…', async () => {
    const name = await D.download(periodPath('compilations/latest'), token, `tong-hop-${$('period').value}.zip`);
    return `Đã tải "${name}".`;
  }));

  $('csv').addEventListener('click', () => act('Đang xuất CSV…', async () => {
    const name = await D.download(periodPath('status?format=csv'), token, `tinh-hinh-${$('period').value}.csv`);
    return `Đã tải "${name}".`;
  }));

  $('finalize').addEventListener('click', () => {
    const p = currentPeriod();
    if (!p || !window.confirm(`Khoá "${p.title}"? Sau khi khoá, các đơn vị không thể nộp thêm và hệ thống lập bản tổng hợp cuối cùng.`)) {
      return;
    }
    act('Đang khoá kỳ báo cáo…', async () => {
      const done = await D.json(periodPath('finalize'), token, { method: 'POST' });
      await load();
      const c = done.compilation;
      return `Đã khoá "${p.title}" lúc ${formatInstant(done.finalizedAt)}.` + (c ? ` Bản tổng hợp cuối cùng: số ${c.version}.` : '');
    });
  });

  /**
   * Sở Nội vụ's decisions about one unit: the panel shows what stands (with the ETag it was read with), and each
   * action asks for confirmation, then sends If-Match, so a decision made meanwhile by another admin is told, not
   * overwritten.
   */
  const Decisions = (() => {
    let open = null;
    const msg = $('decision-message');

    function cell(r) {
      const parts = [];
      if (r.reviewLabel) parts.push(el('span', { class: `review ${r.review}`, 'data-review': r.review }, r.reviewLabel));
      if (r.returnReason) parts.push(el('span', { class: 'review help' }, `Lý do: ${r.returnReason}`));
      if (r.extensionText) parts.push(el('span', { class: 'review', 'data-extension': '' }, r.extensionText));
      if (S.may('Officer')) {
        parts.push(el('button', {
          type: 'button', class: 'link', 'data-decide': r.unitCode,
          'aria-label': `Quyết định về ${r.unitName}`, onclick: () => show(r.unitCode),
        }, 'Quyết định…'));
      }
      return parts;
    }

    async function show(unitCode) {
      say(msg, 'Đang tải…');
      $('decision').hidden = false;
      try {
        open = await D.json(periodPath(`decisions/${encodeURIComponent(unitCode)}`), token);
      } catch (err) {
        say(msg, `${err.title}. ${err.detail}`, 'error');
        return;
      }
      const d = open;
      $('decision-title').textContent = `Quyết định về ${d.unitName}`;
      const facts = [
        d.latestVersion ? `Phiên bản mới nhất: ${d.latestVersion} (nhận lúc ${formatInstant(d.latestReceivedAt)}), ${d.reviewLabel}.` : 'Đơn vị chưa nộp báo cáo.',
        d.lastReview && d.lastReview.decision === 'returned' && d.review === 'returned' ? `Lý do trả lại: ${d.lastReview.reason}` : '',
        `Hạn nộp: ${d.deadlineText}${d.extension ? ` (${d.extension.text}; lý do: ${d.extension.reason})` : ''}.`,
        d.exemption ? `Miễn nộp kỳ này; lý do: ${d.exemption.reason}` : '',
      ].filter(Boolean);
      $('decision-facts').textContent = facts.join(' ');
      $('decide-accept').disabled = !d.latestVersion;
      $('decide-return').disabled = !d.latestVersion;
      $('decide-unextend').disabled = !d.extension;
      $('decide-unexempt').disabled = !d.exemption;
      say(msg, '');
      $('decision-title').focus();
    }

    async function decide(question, method, suffix, body) {
      if (!open || !window.confirm(question)) return;
      say(msg, 'Đang ghi quyết định…');
      const headers = { 'Content-Type': 'application/json' };
      if (open.etag) headers['If-Match'] = open.etag;
      try {
        const done = await D.json(periodPath(`decisions/${encodeURIComponent(open.unitCode)}/${suffix}`), token,
          { method, headers, body: JSON.stringify(body) });
        const unitCode = open.unitCode;
        $('decision-reason').value = '';
        await load(); // the figures come with the periods
        await show(unitCode);
        say(msg, `Đã ghi quyết định về ${done.unitName}.` + (done.email === 'queued' ? ' Đã xếp hàng gửi thư cho đơn vị.' : ''));
      } catch (err) {
        if (err instanceof D.ApiError) say(msg, `${err.title}. ${err.detail}`, 'error');
        else throw err;
      }
    }

    const reason = () => $('decision-reason').value.trim();
    $('decide-accept').addEventListener('click', () => decide(
      `Tiếp nhận phiên bản ${open && open.latestVersion} của ${open && open.unitName}?`, 'POST', 'review',
      { version: open && open.latestVersion, decision: 'accepted', reason: reason() || null }));
    $('decide-return').addEventListener('click', () => decide(
      `Trả lại phiên bản ${open && open.latestVersion} của ${open && open.unitName}? Đơn vị sẽ nhận thư kèm lý do.`, 'POST', 'review',
      { version: open && open.latestVersion, decision: 'returned', reason: reason() }));
    $('decide-extend').addEventListener('click', () => decide(
      `Gia hạn cho ${open && open.unitName} đến hết ngày ${D.formatDate($('decision-until').value)}?`, 'PUT', 'extension',
      { deadline: $('decision-until').value, reason: reason() }));
    $('decide-unextend').addEventListener('click', () => decide(
      `Thu hồi gia hạn của ${open && open.unitName}?`, 'DELETE', 'extension', { reason: reason() || null }));
    $('decide-exempt').addEventListener('click', () => decide(
      `Miễn nộp kỳ này cho ${open && open.unitName}? Đơn vị sẽ không bị nhắc nhở.`, 'PUT', 'exemption', { reason: reason() }));
    $('decide-unexempt').addEventListener('click', () => decide(
      `Thu hồi miễn nộp của ${open && open.unitName}?`, 'DELETE', 'exemption', { reason: reason() || null }));
    $('decision-close').addEventListener('click', () => {
      open = null;
      $('decision').hidden = true;
    });

    return { cell, show, openUnit: () => open && $('decision').hidden === false ? open.unitCode : null };
  })();

  /** After signing in again: the period and the decision the person was on, and what they had typed. */
  async function restoreDraft() {
    const draft = S.takeDraft();
    if (!draft) return;
    const { period, unit } = draft.context || {};
    if (period && period !== $('period').value && periods.some((p) => p.id === period)) {
      $('period').value = period;
      await loadPeriod();
    }
    if (unit) await Decisions.show(unit);
    S.restoreFields(draft);
    say(message, 'Đã khôi phục nội dung đang nhập trước khi phiên đăng nhập hết hạn. Kiểm tra lại rồi thực hiện tiếp.');
  }

  S.start({
    message,
    onReady: (value) => {
      token = value;
      load().then(restoreDraft);
    },
    onLeave: () => {
      token = null;
      $('board').hidden = true;
    },
    draft: () => ({ period: $('period').value, unit: Decisions.openUnit() }),
  });
})();
