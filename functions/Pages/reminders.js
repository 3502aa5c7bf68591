'use strict';

// The dashboard's reminders (a dry run listed first, then sent) and the emails the sender gave up on or never heard
// back about, with "Gửi lại…" for an officer who checked SendGrid's log.
window.DanVanReminders = (() => {
  const D = window.DanVan;
  const { el, say } = D;
  const $ = (id) => document.getElementById(id);
  const REMINDER_STATUS = {
    would_send: 'Sẽ gửi', sent: 'Đã gửi', already_sent: 'Đã gửi trước đó', failed: 'Gửi lỗi', no_address: 'Không có địa chỉ email',
    // Put on the email queue by this request; the queue-triggered sender sends it within moments.
    queued: 'Đã xếp hàng gửi',
    in_progress: 'Đang chờ gửi hoặc đang gửi',
    // The send got no answer, or its run stopped mid-send: it may have gone out, so it is never resent by itself.
    unknown: 'Chưa rõ kết quả — kiểm tra nhật ký gửi SendGrid',
  };

  /** "before-7" → "Trước hạn 7 ngày", "after-3" → "Quá hạn 3 ngày". */
  function stageLabel(stage) {
    const m = /^(before|after)-(\d+)(?:@(\d{4}-\d{2}-\d{2}))?$/.exec(stage || '');
    if (!m) return stage || '';
    // "before-3@2026-05-30": a stage counted from a unit's extended deadline.
    const extended = m[3] ? ' (theo hạn được gia hạn)' : '';
    return (m[1] === 'before' ? `Trước hạn ${m[2]} ngày` : `Quá hạn ${m[2]} ngày`) + extended;
  }

  /**
   * Binds the reminders card and the failed-email list to the dashboard: page = { act(busyText, work), periodPath(suffix),
   * token(), rows() (the period's status rows), message (the action message region) }.
   */
  function bind(page) {
    const { act, periodPath, token } = page;
    let pendingReminders = null;

    /** Emails the sender gave up on (the email queue's poison queue), so Sở Nội vụ knows to follow them up. */
    async function loadFailedEmails() {
      const line = $('failed-emails');
      const list = $('failed-email-list');
      line.hidden = true;
      list.hidden = true;
      try {
        const failed = await D.json('emails/failed', token());
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
        const done = await D.json('emails/resend', token(), {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ partitionKey: button.dataset.pk, rowKey: button.dataset.rk }),
        });
        await loadFailedEmails();
        return done.queued ? 'Đã xếp hàng gửi lại thư.' : 'Đã mở lại thư: lần nhắc sau sẽ gửi.';
      });
    });

    $('remind').addEventListener('click', () => act('Đang lập danh sách nhắc nhở…', async () => {
      const plan = await D.json(periodPath('reminders?dryRun=true'), token(), { method: 'POST' });
      pendingReminders = plan;
      const names = new Map(page.rows().map((r) => [r.unitCode, r.unitName]));
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
      say(page.message, 'Chưa gửi nhắc nhở nào.');
      $('remind').focus();
    });

    $('reminders-send').addEventListener('click', () => act('Đang gửi nhắc nhở…', async () => {
      if (!pendingReminders) return '';
      const sent = await D.json(periodPath('reminders'), token(), { method: 'POST' });
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

    return { loadFailedEmails };
  }

  return { bind };
})();
