'use strict';

// Figures (chỉ tiêu số liệu): on the upload page a form grouped by plan section, with Vietnamese number
// writing (9.450 · 12,5), checked before sending, plus the XLSX template to fill in offline; on the
// dashboard the province's totals and each unit group's, and who still lacks figures.
window.DanVanFigures = (() => {
  const D = window.DanVan;
  const { el, say } = D;
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const vi = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 4 });
  const $ = (id) => document.getElementById(id);
  const TYPE_HELP = {
    integer: 'số nguyên, không âm',
    decimal: 'số, không âm (ví dụ 12,5)',
    percent: 'tỷ lệ từ 0 đến 100',
    yesno: 'Có hoặc Không',
  };

  /** "9.450" → 9450, "12,5" → 12.5, "12.5" → 12.5; null when it is not a number. The server reads them the same way. */
  function parseNumber(text) {
    const t = String(text || '').replace(/[\s\u00a0]/g, '');
    if (!t) return null;
    const negative = t.startsWith('-');
    const digits = negative ? t.slice(1) : t;
    let value = null;
    if (/^(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$/.test(digits)) value = Number(digits.replace(/\./g, '').replace(',', '.'));
    else if (/^\d+(\.\d+)?$/.test(digits)) value = Number(digits);
    return value === null ? null : (negative ? -value : value);
  }

  const format = (n) => vi.format(n);

  /** What the server would refuse about one figure, in the same words; null when it is fine. */
  function problemOf(indicator, raw) {
    if (indicator.type === 'yesno') return null;
    if (String(raw || '').trim() === '') return null;
    const n = parseNumber(raw);
    if (n === null) return 'Phải là một số (ví dụ 9.450 hoặc 12,5).';
    if (n < 0) return 'Không được là số âm.';
    if (indicator.type === 'integer' && !Number.isInteger(n)) return 'Phải là số nguyên.';
    if (indicator.type === 'percent' && n > 100) return 'Tỷ lệ phần trăm từ 0 đến 100.';
    return null;
  }

  // ---- Upload page -------------------------------------------------------------------------------------

  let uploadState = null;

  function upload(periods, token) {
    const box = $('figures');
    if (!box) return;
    const open = D.newestFirst(periods).filter((p) => p.isOpen);
    const likely = D.likelyPeriod(periods);
    uploadState = { token, unitCode: (token.split('.')[1] || '').trim(), indicators: [] };
    if (open.length === 0) {
      box.hidden = true;
      return;
    }
    const select = $('figures-period');
    select.replaceChildren(...open.map((p) => el('option', { value: p.id, selected: likely && p.id === likely.id }, p.title)));
    select.onchange = () => loadForm();
    box.hidden = false;
    loadForm();
  }

  // The form of the period chosen last: an answer for an earlier choice that arrives later is dropped.
  const formTurn = D.latestOnly();

  async function loadForm() {
    const isLatest = formTurn();
    const { token, unitCode } = uploadState;
    const periodId = $('figures-period').value;
    const fields = $('figures-fields');
    $('figures-result').hidden = true;
    say($('figures-message'), 'Đang tải danh mục chỉ tiêu…');
    let info;
    let latest = null;
    try {
      info = await D.json(`periods/${encodeURIComponent(periodId)}/indicators`, token);
      const versions = await D.json(`periods/${encodeURIComponent(periodId)}/figures/${encodeURIComponent(unitCode)}`, token);
      latest = versions.versions.length ? versions.versions[versions.versions.length - 1] : null;
    } catch (err) {
      if (isLatest()) say($('figures-message'), `${err.title}. ${err.detail}`, 'error');
      return;
    }
    if (!isLatest()) return; // another period was chosen meanwhile: its own load shows it
    const indicators = info.definitions.indicators || [];
    uploadState.indicators = indicators;
    $('figures-form').hidden = indicators.length === 0;
    $('figures-template').hidden = indicators.length === 0;
    if (indicators.length === 0) {
      fields.replaceChildren();
      say($('figures-message'), 'Kỳ báo cáo này chưa có danh mục chỉ tiêu số liệu.');
      return;
    }
    say($('figures-message'), latest
      ? `Đã nhập số liệu ${latest.version} lần; lần gần nhất lúc ${D.formatInstant(latest.receivedAt)} (${latest.statusLabel}). Sửa rồi lưu lại nếu cần.`
      : 'Đơn vị chưa nhập số liệu cho kỳ này.');
    const headings = new Map((info.sections || []).map((s) => [s.number, s.heading]));
    const sections = [...new Set(indicators.map((i) => i.section))].sort((a, b) => a - b);
    const values = (latest && latest.values) || {};
    fields.replaceChildren(...sections.map((section) => el('fieldset', { class: 'figures-section', 'data-section': section },
      el('legend', {}, `Mục ${section}. ${headings.get(section) || ''}`),
      ...indicators.filter((i) => i.section === section).map((i) => field(i, values[i.code])))));
  }

  function field(indicator, value) {
    const id = `fig-${indicator.code}`;
    const help = `${id}-help`;
    const error = `${id}-error`;
    const label = el('label', { for: id }, indicator.label, indicator.unit ? ` (${indicator.unit})` : '',
      indicator.required ? el('span', { class: 'required' }, ' · bắt buộc') : '');
    let input;
    if (indicator.type === 'yesno') {
      input = el('select', { id, 'data-code': indicator.code, 'aria-describedby': `${help} ${error}` },
        el('option', { value: '' }, '— chưa trả lời —'),
        el('option', { value: 'true', selected: value === 1 }, 'Có'),
        el('option', { value: 'false', selected: value === 0 }, 'Không'));
    } else {
      input = el('input', {
        id, type: 'text', inputmode: 'decimal', autocomplete: 'off', 'data-code': indicator.code, 'aria-describedby': `${help} ${error}`,
        value: value === undefined || value === null ? '' : format(value),
      });
      input.addEventListener('blur', () => {
        const n = parseNumber(input.value);
        if (n !== null && !problemOf(indicator, input.value)) input.value = format(n);
        showProblem(indicator, input);
      });
    }
    return el('div', { class: 'figure' }, label, input,
      el('p', { id: help, class: 'help' }, `Mã ${indicator.code}: ${TYPE_HELP[indicator.type] || ''}.`),
      el('p', { id: error, class: 'field-error', role: 'alert', hidden: true }));
  }

  function showProblem(indicator, input) {
    const problem = problemOf(indicator, input.value);
    const line = $(`fig-${indicator.code}-error`);
    line.textContent = problem || '';
    line.hidden = !problem;
    if (problem) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    return problem;
  }

  async function save(e) {
    e.preventDefault();
    const { token, indicators } = uploadState;
    const values = {};
    let firstBad = null;
    const missing = [];
    for (const indicator of indicators) {
      const input = $(`fig-${indicator.code}`);
      if (showProblem(indicator, input) && !firstBad) firstBad = input;
      const raw = input.value.trim();
      if (raw === '') {
        if (indicator.required) missing.push(indicator.label);
        continue;
      }
      values[indicator.code] = indicator.type === 'yesno' ? raw === 'true' : parseNumber(raw);
    }
    if (firstBad) {
      say($('figures-message'), 'Có số liệu chưa đúng; vui lòng sửa các ô được đánh dấu. Chưa có gì được gửi.', 'error');
      firstBad.focus();
      return;
    }
    say($('figures-message'), 'Đang lưu số liệu…');
    try {
      const receipt = await D.json(`periods/${encodeURIComponent($('figures-period').value)}/figures`, token, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ values }),
      });
      showReceipt(receipt, missing);
    } catch (err) {
      showError(err);
    }
  }

  function showReceipt(r, missing) {
    say($('figures-message'), '');
    const box = $('figures-result');
    box.className = `result ${r.status === 'complete' ? 'ok' : 'warning-box'}`;
    box.replaceChildren(
      el('h3', {}, `Đã lưu số liệu (lần nhập số ${r.version})`),
      el('p', {}, 'Tình trạng: ', el('strong', { 'data-field': 'figures-status' }, r.statusLabel), ` · nhận lúc ${D.formatInstant(r.receivedAt)}`,
        r.onTime ? ' (đúng hạn).' : ' (sau hạn).'),
      missing.length || r.missingRequired.length
        ? el('p', {}, `Còn thiếu ${r.missingRequired.length} số liệu bắt buộc; có thể bổ sung và lưu lại bất cứ lúc nào trước khi kỳ báo cáo bị khoá.`)
        : null,
      el('p', { class: 'help' }, 'Mã biên nhận: ', el('code', {}, r.receiptId)));
    box.hidden = false;
    box.focus();
  }

  function showError(err) {
    const details = (err.errors || []).map((x) => el('li', {}, `${x.field}: ${x.detail}`));
    say($('figures-message'), `${err.title}. ${err.detail || ''} Chưa có số liệu nào được lưu.`, 'error');
    const box = $('figures-result');
    box.className = 'result error';
    box.replaceChildren(el('h3', {}, err.title), el('p', {}, err.detail || ''), details.length ? el('ul', {}, details) : null,
      err.code ? el('p', { class: 'help' }, 'Mã lỗi: ', el('code', {}, err.code)) : null);
    box.hidden = false;
  }

  async function downloadTemplate() {
    const periodId = $('figures-period').value;
    try {
      await D.download(`periods/${encodeURIComponent(periodId)}/figures/template.xlsx`, uploadState.token, `so-lieu-${periodId}.xlsx`);
    } catch (err) {
      showError(err);
    }
  }

  async function sendWorkbook() {
    const file = $('figures-file').files[0];
    if (!file) {
      say($('figures-message'), 'Vui lòng chọn tệp biểu mẫu XLSX đã điền.', 'error');
      return;
    }
    say($('figures-message'), 'Đang gửi biểu mẫu…');
    try {
      // The workbook as the request body; a refusal's errors list each cell the server found wrong (common.js keeps them).
      const receipt = await D.json(`periods/${encodeURIComponent($('figures-period').value)}/figures`, uploadState.token, {
        method: 'POST',
        headers: { 'Content-Type': XLSX },
        body: file,
      });
      showReceipt(receipt, []);
      $('figures-file').value = '';
      loadForm();
    } catch (err) {
      if (!(err instanceof D.ApiError)) throw err;
      showError(err);
    }
  }

  function bindUpload() {
    if (!$('figures-form')) return;
    $('figures-form').addEventListener('submit', save);
    $('figures-template-download').addEventListener('click', downloadTemplate);
    $('figures-file-send').addEventListener('click', sendWorkbook);
  }

  // ---- Dashboard ---------------------------------------------------------------------------------------

  // The period whose totals were asked for last: an answer for an earlier one that arrives later is dropped.
  const totalsTurn = D.latestOnly();

  async function dashboard(periodId, token) {
    const box = $('figures-totals');
    if (!box) return;
    const isLatest = totalsTurn();
    let data;
    try {
      data = await D.json(`periods/${encodeURIComponent(periodId)}/figures`, token);
    } catch (err) {
      if (isLatest()) say($('figures-totals-message'), `${err.title}. ${err.detail}`, 'error');
      return;
    }
    if (!isLatest()) return;
    const table = $('figures-table');
    if (!data.indicators.length) {
      table.hidden = true;
      $('figures-incomplete').textContent = '';
      say($('figures-totals-message'), 'Kỳ báo cáo này chưa có danh mục chỉ tiêu số liệu.');
      return;
    }
    const entered = data.units.filter((u) => u.version).length;
    say($('figures-totals-message'), `Đã có số liệu của ${entered}/${data.units.length} đơn vị (danh mục chỉ tiêu số ${data.definitionsVersion}).`);
    const totalText = (i, total) => {
      if (total === undefined || total === null) return '–';
      return i.totaling === 'count_yes' ? `${format(total)} đơn vị có` : format(total);
    };
    table.replaceChildren(
      el('caption', {}, 'Tổng hợp số liệu theo chỉ tiêu: toàn tỉnh và theo nhóm đơn vị'),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, 'Mục'), el('th', { scope: 'col' }, 'Chỉ tiêu'), el('th', { scope: 'col' }, 'Đơn vị tính'),
        el('th', { scope: 'col', class: 'num' }, 'Toàn tỉnh'),
        ...data.groups.map((g) => el('th', { scope: 'col', class: 'num' }, g)))),
      el('tbody', {}, data.indicators.map((i) => {
        const byGroup = new Map(i.byGroup.map((g) => [g.group, g]));
        return el('tr', { 'data-code': i.code },
          el('td', { 'data-label': 'Mục' }, i.section),
          el('td', { 'data-label': 'Chỉ tiêu' }, i.label),
          el('td', { 'data-label': 'Đơn vị tính' }, i.unit || ''),
          el('td', { class: 'num', 'data-label': 'Toàn tỉnh', 'data-total': i.total ?? '' }, totalText(i, i.total)),
          ...data.groups.map((g) => el('td', { class: 'num', 'data-label': g, 'data-group': g }, totalText(i, (byGroup.get(g) || {}).total))));
      })));
    table.hidden = false;
    const incomplete = data.units.filter((u) => u.figuresStatus === 'incomplete');
    $('figures-incomplete').textContent = incomplete.length
      ? `Thiếu số liệu (${incomplete.length}): ${incomplete.map((u) => u.unitName).join('; ')}.`
      : '';
  }

  bindUpload();
  return { upload, dashboard, parseNumber };
})();
