'use strict';

// The "Đơn vị" view of the dashboard: the registry (add, edit, end a unit), import from Excel/CSV with a
// preview by cell, and access links by email (per unit: credential issued, last used, last link email).
// It shows itself when the dashboard's board does, to an administrator only, and calls the API with the
// signed-in person's token (signin.js).
(() => {
  const D = window.DanVan;
  const { el, say, formatInstant, formatDate } = D;
  const $ = (id) => document.getElementById(id);
  const FIELDS = ['code', 'name', 'group', 'emails', 'headEmail', 'activeFrom', 'activeTo'];
  const ACTION = { added: 'Thêm mới', changed: 'Sửa', ended: 'Ngừng', unchanged: 'Không đổi', invalid: 'Có lỗi' };
  const FIELD_LABEL = {
    code: 'Mã đơn vị', name: 'Tên đơn vị', group: 'Nhóm', emails: 'Email liên hệ', headEmail: 'Email thủ trưởng',
    activeFrom: 'Hiệu lực từ ngày', activeTo: 'Hoạt động đến hết ngày',
  };
  const LINK_STATUS = {
    queued: 'Đang chờ gửi', sending: 'Đang gửi', sent: 'Đã gửi', failed: 'Gửi lỗi', unknown: 'Chưa rõ kết quả',
  };
  const RESULT = {
    queued: 'đã xếp hàng gửi', already_requested: 'đã gửi theo yêu cầu này', no_address: 'chưa có email liên hệ',
    unknown_unit: 'không có trong danh sách', failed: 'không xếp hàng gửi được',
  };

  const message = $('units-message');
  let units = [];
  let access = new Map();
  let editing = null;
  let pendingImport = null;

  const token = () => window.DanVanSession.token();
  const jsonInit = (method, body, headers = {}) => ({
    method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers },
  });

  /** Runs one action, saying what happens in the view's message. */
  const act = (busyText, work) => D.act(message, busyText, work);


  async function load() {
    try {
      [units, access] = await Promise.all([
        D.json('units', token()),
        D.json('units/access', token()).then((list) => new Map(list.map((a) => [a.unitCode, a]))),
      ]);
    } catch (err) {
      if (err instanceof D.ApiError) say(message, `${err.title}. ${err.detail}`, 'error');
      return;
    }
    render();
  }

  function accessText(a) {
    if (!a) return '—';
    const lines = [];
    lines.push(a.issuedAt ? `Cấp mã: ${formatInstant(a.issuedAt)}` : 'Chưa cấp mã');
    if (a.issuedAt) lines.push(a.lastUsedAt ? `Dùng lần cuối: ${formatInstant(a.lastUsedAt)}` : 'Chưa dùng');
    if (a.linkStatus) lines.push(`Thư đường liên kết: ${LINK_STATUS[a.linkStatus] || a.linkStatus}${a.linkSentAt ? ` lúc ${formatInstant(a.linkSentAt)}` : ''}`);
    return lines.map((l) => el('span', { class: 'line' }, l));
  }

  function render() {
    const active = units.filter((u) => !u.activeTo).length;
    $('registry-caption').textContent = `${units.length} đơn vị (${active} đang hoạt động)`;
    $('registry-rows').replaceChildren(...units.map((u) => el('tr', { 'data-registry-unit': u.code, class: u.activeTo ? 'ended' : '' },
      el('td', { 'data-label': 'Chọn' }, el('input', { type: 'checkbox', class: 'pick', value: u.code, 'aria-label': `Chọn ${u.name}` })),
      el('td', { 'data-label': 'Đơn vị' }, el('span', {}, u.name), el('span', { class: 'group' }, `${u.code} · ${u.group}`)),
      el('td', { 'data-label': 'Email' }, (u.emails || []).join(', ') || '—', u.headEmail ? el('span', { class: 'group' }, `Thủ trưởng: ${u.headEmail}`) : null),
      el('td', { 'data-label': 'Hiệu lực' }, `Từ ${formatDate(u.activeFrom)}`, u.activeTo ? el('span', { class: 'group' }, `Đến hết ${formatDate(u.activeTo)}`) : null),
      el('td', { 'data-label': 'Truy cập' }, accessText(access.get(u.code))),
      el('td', { 'data-label': 'Thao tác' },
        el('button', { type: 'button', class: 'link', onclick: () => openForm(u), 'aria-label': `Sửa ${u.name}` }, 'Sửa'),
        u.activeTo ? null : el('button', { type: 'button', class: 'link', onclick: () => openEnd(u), 'aria-label': `Ngừng ${u.name}` }, 'Ngừng…')))));
  }

  // --- add / edit -----------------------------------------------------------------------------------------

  function clearErrors() {
    for (const f of FIELDS) {
      $(`err-${f}`).textContent = '';
      $(`unit-${f}`).removeAttribute('aria-invalid');
    }
  }

  function openForm(unit) {
    editing = unit;
    clearErrors();
    $('end-form').hidden = true;
    $('unit-form-title').textContent = unit ? `Sửa: ${unit.name}` : 'Thêm đơn vị';
    $('unit-code').value = unit ? unit.code : '';
    $('unit-code').readOnly = Boolean(unit);
    $('unit-name').value = unit ? unit.name : '';
    $('unit-group').value = unit ? unit.group : '';
    $('unit-emails').value = unit ? (unit.emails || []).join('; ') : '';
    $('unit-headEmail').value = unit ? unit.headEmail || '' : '';
    $('unit-activeFrom').value = unit ? unit.activeFrom : '';
    $('unit-activeTo').value = unit ? unit.activeTo || '' : '';
    $('unit-form').hidden = false;
    $(unit ? 'unit-name' : 'unit-code').focus();
  }

  function showFieldErrors(err) {
    const errors = err.errors || [];
    let first = null;
    for (const e of errors) {
      const field = FIELDS.includes(e.field) ? e.field : null;
      if (!field) continue;
      $(`err-${field}`).textContent = e.detail;
      $(`unit-${field}`).setAttribute('aria-invalid', 'true');
      first = first || field;
    }
    if (first) $(`unit-${first}`).focus();
    return errors.length > 0;
  }

  async function saveUnit(record, successText) {
    try {
      await D.json(`units/${encodeURIComponent(record.code)}`, token(), jsonInit('PUT', record));
    } catch (err) {
      if (!(err instanceof D.ApiError)) throw err;
      if (!showFieldErrors(err) || err.status !== 400) say(message, `${err.title}. ${err.detail}`, 'error');
      else say(message, 'Vui lòng sửa các ô được đánh dấu.', 'error');
      return false;
    }
    say(message, successText);
    await load();
    return true;
  }

  $('unit-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    const code = $('unit-code').value.trim();
    if (!code) {
      $('err-code').textContent = 'Mã đơn vị là bắt buộc (chữ thường không dấu, số và dấu gạch ngang, ví dụ: so-noi-vu).';
      $('unit-code').setAttribute('aria-invalid', 'true');
      $('unit-code').focus();
      return;
    }
    const record = {
      code,
      name: $('unit-name').value,
      group: $('unit-group').value,
      emails: $('unit-emails').value.split(/[;,\s]+/).filter(Boolean),
      headEmail: $('unit-headEmail').value.trim() || null,
      activeFrom: $('unit-activeFrom').value,
      activeTo: $('unit-activeTo').value || null,
    };
    if (await saveUnit(record, editing ? `Đã lưu "${record.name}".` : `Đã thêm "${record.name}".`)) {
      $('unit-form').hidden = true;
      editing = null;
    }
  });
  $('unit-cancel').addEventListener('click', () => { $('unit-form').hidden = true; editing = null; });
  $('unit-add').addEventListener('click', () => openForm(null));

  // --- end ------------------------------------------------------------------------------------------------

  const dayBefore = (ymd) => {
    const d = new Date(`${ymd}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - 1);
    return d.toISOString().slice(0, 10);
  };

  function openEnd(unit) {
    editing = unit;
    $('unit-form').hidden = true;
    $('end-title').textContent = `Ngừng: ${unit.name}`;
    $('end-date').value = '';
    $('err-end').textContent = '';
    $('end-form').hidden = false;
    $('end-date').focus();
  }

  $('end-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const unit = editing;
    const from = $('end-date').value;
    $('err-end').textContent = '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from)) {
      $('err-end').textContent = 'Vui lòng chọn ngày đơn vị ngừng phải báo cáo.';
      $('end-date').focus();
      return;
    }
    const last = dayBefore(from);
    if (last < unit.activeFrom) {
      $('err-end').textContent = `Ngày ngừng phải sau ngày bắt đầu hiệu lực (${formatDate(unit.activeFrom)}).`;
      $('end-date').focus();
      return;
    }
    if (!window.confirm(`Ngừng "${unit.name}" từ ngày ${formatDate(from)}? Đơn vị hoạt động đến hết ngày ${formatDate(last)} và không phải nộp các kỳ báo cáo sau đó. Lịch sử vẫn được giữ.`)) {
      return;
    }
    if (await saveUnit({ ...unit, activeTo: last }, `Đã ngừng "${unit.name}" từ ngày ${formatDate(from)}.`)) {
      $('end-form').hidden = true;
      editing = null;
    }
  });
  $('end-cancel').addEventListener('click', () => { $('end-form').hidden = true; editing = null; });

  // --- import ---------------------------------------------------------------------------------------------

  $('template').addEventListener('click', () => act('Đang tải tệp mẫu…', async () => {
    const name = await D.download('units/template.xlsx', token(), 'mau-danh-sach-don-vi.xlsx');
    return `Đã tải "${name}".`;
  }));

  const contentTypeOf = (file) => (/\.xlsx$/i.test(file.name)
    ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    : /\.json$/i.test(file.name) ? 'application/json' : 'text/csv');

  function renderPreview(p) {
    const rows = p.rows || [];
    $('import-summary').textContent =
      `Tệp có ${rows.length} dòng: ${p.added} thêm mới, ${p.changed} sửa, ${p.ended} ngừng, ${p.unchanged} không đổi` +
      (p.invalid ? `, ${p.invalid} dòng có lỗi. Sửa các ô lỗi trong tệp rồi chọn lại tệp; chưa ghi gì.` : '. Chưa ghi gì cho đến khi bạn xác nhận.');
    $('import-rows').replaceChildren(...rows.map((r) => el('tr', { 'data-line': r.line, class: `import-${r.action}` },
      el('td', { class: 'num', 'data-label': 'Dòng' }, r.line),
      el('td', { 'data-label': 'Đơn vị' }, r.name || '—', el('span', { class: 'group' }, r.code || '')),
      el('td', { 'data-label': 'Thay đổi' }, ACTION[r.action] || r.action),
      el('td', { 'data-label': 'Chi tiết' },
        (r.changes || []).map((c) => el('span', { class: 'line' }, `${FIELD_LABEL[c.field] || c.field}: ${c.before || '(trống)'} → ${c.after || '(trống)'}`)),
        (r.errors || []).map((e) => el('span', { class: 'line cell-error', 'data-cell': e.cell }, `Ô ${e.cell}: ${e.detail}`))))));
    $('import-apply').hidden = p.invalid > 0;
    $('import-apply').textContent = `Xác nhận nhập ${rows.length} dòng`;
    $('import-preview').hidden = false;
  }

  $('import-file').addEventListener('change', () => {
    const file = $('import-file').files[0];
    if (!file) return;
    act(`Đang đọc "${file.name}"…`, async () => {
      const preview = await D.json('units/import?dryRun=true', token(), { method: 'POST', body: file, headers: { 'Content-Type': contentTypeOf(file) } });
      pendingImport = { file, previewId: preview.previewId };
      renderPreview(preview);
      $('import-title').focus();
      return preview.invalid ? `Tệp có ${preview.invalid} dòng lỗi: xem lỗi theo ô bên dưới.` : 'Kiểm tra bản xem trước rồi bấm "Xác nhận".';
    });
  });

  $('import-apply').addEventListener('click', () => act('Đang nhập…', async () => {
    if (!pendingImport) return '';
    const { file, previewId } = pendingImport;
    const result = await D.json(`units/import?previewId=${encodeURIComponent(previewId)}`, token(),
      { method: 'POST', body: file, headers: { 'Content-Type': contentTypeOf(file) } });
    pendingImport = null;
    $('import-preview').hidden = true;
    $('import-file').value = '';
    await load();
    return `Đã nhập: ${result.imported} đơn vị mới, ${result.updated} đơn vị cập nhật.`;
  }));

  $('import-cancel').addEventListener('click', () => {
    pendingImport = null;
    $('import-preview').hidden = true;
    $('import-file').value = '';
    say(message, 'Đã huỷ, không ghi gì.');
  });

  // --- access links ---------------------------------------------------------------------------------------

  async function sendLinks(body) {
    const sent = await D.json('units/access-links', token(), jsonInit('POST', body, { 'Idempotency-Key': D.randomKey() }));
    const results = sent.results || [];
    await load();
    const others = results.filter((r) => r.status !== 'queued')
      .map((r) => `${r.unitName || r.unitCode}: ${RESULT[r.status] || r.status}`);
    return `Đã xếp hàng gửi ${sent.queued} thư đường liên kết.` + (others.length ? ` ${others.join('; ')}.` : '');
  }

  $('links-missing').addEventListener('click', () => {
    if (!window.confirm('Gửi đường liên kết nộp báo cáo (kèm mã truy cập mới) tới email của mọi đơn vị đang hoạt động chưa có mã?')) return;
    act('Đang gửi đường liên kết…', () => sendLinks({ withoutAccess: true }));
  });

  $('links-selected').addEventListener('click', () => {
    const picked = [...document.querySelectorAll('#registry-rows input.pick:checked')].map((c) => c.value);
    if (!picked.length) {
      say(message, 'Chưa chọn đơn vị nào: đánh dấu ô "Chọn" ở các đơn vị cần gửi.', 'error');
      return;
    }
    if (!window.confirm(`Gửi đường liên kết mới tới ${picked.length} đơn vị đã chọn? Mã truy cập cũ của các đơn vị này sẽ hết hiệu lực khi thư được gửi.`)) return;
    act('Đang gửi đường liên kết…', () => sendLinks({ units: picked }));
  });

  $('import-title').setAttribute('tabindex', '-1');

  // The dashboard's "Làm mới" refreshes this view too (credentials issued and used since, link emails sent).
  const mine = () => token() && window.DanVanSession.may('Administrator');
  $('refresh').addEventListener('click', () => { if (mine()) load(); });

  // Shown with the board: the dashboard reveals it once the admin credential is accepted.
  const board = $('board');
  let loaded = false;
  new MutationObserver(() => {
    if (!board.hidden && !loaded && mine()) {
      loaded = true;
      load();
    } else if (board.hidden) {
      loaded = false;
    }
  }).observe(board, { attributes: true, attributeFilter: ['hidden'] });
})();
