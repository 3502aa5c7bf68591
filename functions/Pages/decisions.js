'use strict';

// Sở Nội vụ's decisions about one unit on the dashboard: review (accept, return), extension and exemption.
window.DanVanDecisions = (() => {
  const D = window.DanVan;
  const S = window.DanVanSession;
  const { el, say, formatInstant } = D;
  const $ = (id) => document.getElementById(id);

  /**
   * Sở Nội vụ's decisions about one unit: the panel shows what stands (with the ETag it was read with), and each
   * action asks for confirmation, then sends If-Match, so a decision made meanwhile by another admin is told, not
   * overwritten. page = { periodPath(suffix), token(), reload() (the periods and the board again) }.
   */
  function bind(page) {
    const { periodPath, token } = page;
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
        open = await D.json(periodPath(`decisions/${encodeURIComponent(unitCode)}`), token());
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
      const headers = { 'Content-Type': 'application/json' };
      if (open.etag) headers['If-Match'] = open.etag;
      await D.act(msg, 'Đang ghi quyết định…', async () => {
        const done = await D.json(periodPath(`decisions/${encodeURIComponent(open.unitCode)}/${suffix}`), token(),
          { method, headers, body: JSON.stringify(body) });
        const unitCode = open.unitCode;
        $('decision-reason').value = '';
        await page.reload(); // the figures come with the periods
        await show(unitCode);
        return `Đã ghi quyết định về ${done.unitName}.` + (done.email === 'queued' ? ' Đã xếp hàng gửi thư cho đơn vị.' : '');
      });
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
  }

  return { bind };
})();
