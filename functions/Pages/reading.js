'use strict';

// How DanVan read one unit's report (dashboard): the unit's headings as a tree, each paragraph with the place of the
// province's outline it went to, or "Cần xem lại", before the officer compiles — a misfiling is seen in a minute.
window.DanVanReading = (() => {
  const D = window.DanVan;
  const { el, say } = D;
  const $ = (id) => document.getElementById(id);
  const OUTCOME = {
    placed: null,
    review: 'Cần xem lại',
    heading: 'Tiêu đề',
    title: 'Phần đầu văn bản (không phải nội dung)',
    signature: 'Phần ký, nơi nhận (không phải nội dung)',
  };
  // The unit asked for last: a reading of an earlier one that arrives later is dropped.
  const readingTurn = D.latestOnly();
  const clip = (text) => (text.length > 160 ? `${text.slice(0, 160)}…` : text);

  function line(l) {
    const where = l.outcome === 'placed' ? `→ ${l.place}` : (l.outcome === 'heading' && l.place ? `↳ ${l.place}` : OUTCOME[l.outcome]);
    const item = el('li', { class: `reading-${l.outcome}${l.heading ? ' reading-heading' : ''}`, 'data-outcome': l.outcome },
      el('span', { class: 'reading-text' }, clip(l.label ? `${l.label} ${l.text}` : l.text)),
      where ? el('span', { class: 'reading-place' }, ` ${where}`) : null);
    item.style.marginLeft = `${l.depth * 1.5}em`; // the CSSOM, not a style attribute: the page's policy allows no inline styles
    return item;
  }

  /** Shows the reading of the unit's latest version under the units table. */
  async function show(periodId, row, token) {
    const isLatest = readingTurn();
    const box = $('reading');
    box.hidden = false;
    say($('reading-message'), `Đang đọc báo cáo của ${row.unitName}…`);
    $('reading-lines').replaceChildren();
    $('reading-title').textContent = `Cách DanVan đọc báo cáo: ${row.unitName}`;
    try {
      const r = await D.json(`periods/${encodeURIComponent(periodId)}/reports/${encodeURIComponent(row.unitCode)}/reading`, token);
      if (!isLatest()) return;
      $('reading-facts').textContent = r.problem
        ? `Phiên bản ${r.version} ("${r.fileName}"): ${r.problem}.`
        : `Phiên bản ${r.version} ("${r.fileName}"), đề cương ${r.outlineReportCode} phiên bản ${r.outlineVersion}: ${r.placed} đoạn đã xếp vào đề cương, ${r.review} đoạn cần xem lại.`;
      $('reading-lines').replaceChildren(...r.lines.map(line));
      say($('reading-message'), '');
      $('reading-title').focus();
    } catch (err) {
      if (!(err instanceof D.ApiError)) throw err;
      if (isLatest()) say($('reading-message'), `${err.title}. ${err.detail || ''}`, 'error');
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    const close = $('reading-close');
    if (close) close.addEventListener('click', () => { $('reading').hidden = true; });
  });

  return { show };
})();
