'use strict';

// The status dashboard for Sở Nội vụ: per period, every unit's status with colour and text,
// compliance figures, files, reminders (dry run first), compilation, CSV and finalization.
(() => {
  const D = window.DanVan;
  const S = window.DanVanSession;
  const { el, badge, say, formatInstant, formatDeadline, formatBytes } = D;
  const STATUS_ORDER = { missing: 0, late: 1, on_time: 2, exempt: 3, not_required: 4 };

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

  const message = $('message');
  const actionMessage = $('action-message');
  let token = null;
  let periods = [];
  let status = null;

  const periodPath = (suffix) => `periods/${encodeURIComponent($('period').value)}/${suffix}`;
  const currentPeriod = () => periods.find((p) => p.id === $('period').value);

  /** Runs one action on the board, saying what happens in the action message. */
  const act = (busyText, work) => D.act(actionMessage, busyText, work);

  const Decisions = window.DanVanDecisions.bind({ periodPath, token: () => token, reload: () => load() });
  const Reminders = window.DanVanReminders.bind({
    act, periodPath, token: () => token, rows: () => (status && status.rows) || [], message: actionMessage,
  });

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
  const periodTurn = D.latestOnly();

  async function loadPeriod() {
    const isLatest = periodTurn();
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
      if (isLatest()) say(message, `${err.title}. ${err.detail}`, 'error');
      return;
    }
    if (!isLatest()) return;
    status = answer;
    renderPeriod(period);
    renderRows();
    window.DanVanFigures.dashboard(period.id, token);
    loadCompilations(isLatest);
    Reminders.loadFailedEmails();
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

  /** The latest compilation's line, for the period load whose isLatest() it is given (or the current one). */
  async function loadCompilations(isLatest = () => true) {
    $('compilation-info').textContent = '';
    try {
      const list = await D.json(periodPath('compilations'), token);
      if (!isLatest()) return; // another period was chosen meanwhile
      $('compilation-info').textContent = list.length
        ? `Bản tổng hợp mới nhất: số ${list[0].version}, lập lúc ${formatInstant(list[0].createdAt)} (${formatBytes(list[0].sizeBytes)}).`
        : 'Chưa có bản tổng hợp nào cho kỳ này.';
    } catch {
      // No compilation information: the buttons still say what the server answers.
    }
  }

  $('period').addEventListener('change', loadPeriod);
  $('sort').addEventListener('change', () => status && renderRows());
  $('filter').addEventListener('change', () => status && renderRows());
  $('refresh').addEventListener('click', load);

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
