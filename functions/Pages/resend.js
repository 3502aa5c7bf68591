'use strict';

// "Gửi lại đường liên kết" on the upload page: a unit that lost its link asks for a new one by one of its
// registered addresses. Anonymous; the server answers the same whether or not the address is registered.
(() => {
  const D = window.DanVan;
  const form = document.getElementById('resend-form');
  const input = document.getElementById('resend-email');
  const message = document.getElementById('resend-message');

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const email = input.value.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
      D.say(message, 'Vui lòng nhập địa chỉ email của đơn vị đã đăng ký với Sở Nội vụ.', 'error');
      input.focus();
      return;
    }
    D.say(message, 'Đang gửi yêu cầu…');
    try {
      const answer = await D.json('access-links/resend', null, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email }),
      });
      D.say(message, answer.detail);
    } catch (err) {
      if (!(err instanceof D.ApiError)) throw err;
      D.say(message, `${err.title}. ${err.detail}`, 'error');
    }
  });
})();
