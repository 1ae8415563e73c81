// The account UI: plain browser JavaScript in cookie mode. Tokens live in HttpOnly cookies
// this script cannot read; state-changing calls carry the CSRF cookie's value as a header.
'use strict';

function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)(?:__Host-)?csrf_token=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

async function api(method, path, body, retried) {
  const headers = { 'X-Auth-Transport': 'cookie' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken();
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const noRefresh = ['/auth/refresh', '/auth/login', '/auth/mfa/verify'];
  if (res.status === 401 && !retried && !noRefresh.includes(path)) {
    const r = await fetch('/auth/refresh', {
      method: 'POST',
      headers: { 'X-Auth-Transport': 'cookie', 'X-CSRF-Token': csrfToken() },
      credentials: 'same-origin',
    });
    if (r.ok) return api(method, path, body, true);
  }
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const details =
      data && data.errors ? data.errors.map((e) => `${e.field} ${e.message}`).join('; ') : '';
    const err = new Error(
      (data && data.detail ? data.detail : res.statusText) + (details ? ` (${details})` : ''),
    );
    err.status = res.status;
    err.code = data && data.code;
    throw err;
  }
  return data;
}

function show(message, ok) {
  const el = document.getElementById('msg');
  el.textContent = message;
  el.className = `msg ${ok ? 'ok' : 'error'}`;
}

function formData(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) if (v !== '') out[k] = String(v);
  return out;
}

function onSubmit(id, handler) {
  const form = document.getElementById(id);
  if (!form) return;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await handler(formData(form), form);
    } catch (e) {
      show(e.message, false);
    }
  });
}

function signinPage() {
  for (const btn of document.querySelectorAll('[data-tab]')) {
    btn.addEventListener('click', () => {
      for (const panel of document.querySelectorAll('[data-panel]'))
        panel.hidden = panel.dataset.panel !== btn.dataset.tab;
      document.getElementById('msg').className = 'msg';
    });
  }
  // The login's second step (TOTP or recovery code): the mfa_token lives only in this page.
  let mfaToken = null;
  onSubmit('login', async (data) => {
    data.device_name = navigator.userAgent.slice(0, 100);
    const result = await api('POST', '/auth/login', data);
    if (result && result.mfa_required) {
      mfaToken = result.mfa_token;
      for (const panel of document.querySelectorAll('[data-panel]'))
        panel.hidden = panel.dataset.panel !== 'mfa';
      document.getElementById('msg').className = 'msg';
      document.getElementById('mfa-code').focus();
      return;
    }
    location.assign('/account');
  });
  onSubmit('mfa', async (data, form) => {
    const body = { mfa_token: mfaToken };
    if (data.code) body.code = data.code;
    else if (data.recovery_code) body.recovery_code = data.recovery_code;
    else throw new Error('Enter a code from your app or a recovery code.');
    try {
      await api('POST', '/auth/mfa/verify', body);
    } catch (e) {
      form.reset();
      if (e.code === 'mfa_invalid') {
        throw new Error('That code did not work. Try again, or sign in again if it keeps failing.');
      }
      throw e;
    }
    location.assign('/account');
  });
  onSubmit('register', async (data, form) => {
    await api('POST', '/auth/register', data);
    form.reset();
    show('Check your inbox: we sent a link to verify your email address.', true);
  });
  onSubmit('forgot', async (data) => {
    await api('POST', '/auth/forgot-password', data);
    show('If an account exists for that address, a reset link is on its way.', true);
  });
  onSubmit('resend', async (data) => {
    await api('POST', '/auth/resend-verification', data);
    show('If that address has an account to verify, a new link is on its way.', true);
  });
}

async function accountPage() {
  let me;
  try {
    me = await api('GET', '/auth/me');
  } catch (e) {
    location.assign('/');
    return;
  }
  document.getElementById('who').textContent =
    `${me.name ? me.name + ' · ' : ''}${me.email} · roles: ${me.roles.join(', ')}`;
  // Hard logout pushed by the server: this session was revoked elsewhere (see sessions-socket.js).
  if (window.IdentitySessions && window.io) {
    window.IdentitySessions.watchSessions({
      refresh: () =>
        fetch('/auth/refresh', {
          method: 'POST',
          headers: { 'X-Auth-Transport': 'cookie', 'X-CSRF-Token': csrfToken() },
          credentials: 'same-origin',
        }).then((r) => r.ok),
      version: csrfToken,
      onRevoked: async () => {
        await api('POST', '/auth/logout').catch(() => undefined);
        location.replace('/');
      },
    });
  }
  const list = document.getElementById('sessions');
  const render = async () => {
    const sessions = await api('GET', '/auth/sessions');
    list.replaceChildren();
    for (const s of sessions) {
      const li = document.createElement('li');
      const title = document.createElement('div');
      title.textContent = `${s.device_name || s.user_agent || 'Unknown device'}${s.current ? ' (this device)' : ''}`;
      const meta = document.createElement('div');
      meta.className = 'muted';
      meta.textContent = `signed in ${new Date(s.created_at).toLocaleString()} · last used ${new Date(s.last_used_at).toLocaleString()}`;
      li.append(title, meta);
      if (!s.current) {
        const btn = document.createElement('button');
        btn.className = 'secondary';
        btn.textContent = 'Sign out this device';
        btn.addEventListener('click', async () => {
          await api('DELETE', `/auth/sessions/${encodeURIComponent(s.id)}`);
          await render();
        });
        li.append(btn);
      }
      list.append(li);
    }
  };
  await render();
  mfaSection(me.mfa_enabled);
  document.getElementById('logout').addEventListener('click', async () => {
    await api('POST', '/auth/logout').catch(() => undefined);
    location.assign('/');
  });
  document.getElementById('logout-all').addEventListener('click', async () => {
    await api('POST', '/auth/logout-all').catch(() => undefined);
    location.assign('/');
  });
  onSubmit('change-password', async (data, form) => {
    await api('POST', '/auth/change-password', data);
    form.reset();
    show('Password changed. Your other devices were signed out.', true);
    await render();
  });
}

function resetPage() {
  const token = new URLSearchParams(location.search).get('token') || '';
  onSubmit('reset', async (data, form) => {
    await api('POST', '/auth/reset-password', { token, new_password: data.new_password });
    form.reset();
    show('Your password is set. Sign in with it now.', true);
  });
}

function verifyPage() {
  const token = new URLSearchParams(location.search).get('token') || '';
  onSubmit('verify', async (data, form) => {
    await api('POST', '/auth/verify-email', { token, password: data.password || '' });
    form.reset();
    form.hidden = true;
    show('Your email address is verified. You can now sign in.', true);
  });
}

const page = document.body.dataset.page;
// Two-step verification on the account page: setup (password) → QR → first code → recovery
// codes shown once; new recovery codes and turning it off need a current code (turning it off
// also takes a recovery code; never the password alone).
function mfaSection(enabled) {
  const $ = (id) => document.getElementById(id);
  const showCodes = (codes) => {
    $('mfa-codes-list').replaceChildren(
      ...codes.map((c) => {
        const li = document.createElement('li');
        li.textContent = c;
        return li;
      }),
    );
    $('mfa-codes').hidden = false;
  };
  const render = (on) => {
    $('mfa-status').textContent = on
      ? 'On: signing in asks for a code from your authenticator app.'
      : 'Off: your password alone signs you in.';
    $('mfa-setup').hidden = on;
    $('mfa-confirm').hidden = true;
    $('mfa-regenerate').hidden = !on;
    $('mfa-disable').hidden = !on;
  };
  render(enabled);
  onSubmit('mfa-setup', async (data, form) => {
    const setup = await api('POST', '/auth/mfa/totp/setup', data);
    form.reset();
    $('mfa-qr').src = setup.qr_code;
    $('mfa-secret').textContent = setup.secret;
    $('mfa-setup').hidden = true;
    $('mfa-confirm').hidden = false;
    $('mfa-confirm-code').focus();
  });
  onSubmit('mfa-confirm', async (data, form) => {
    const result = await api('POST', '/auth/mfa/totp/confirm', data);
    form.reset();
    $('mfa-qr').removeAttribute('src');
    $('mfa-secret').textContent = '';
    render(true);
    showCodes(result.recovery_codes);
    show('Two-step verification is on.', true);
  });
  onSubmit('mfa-regenerate', async (data, form) => {
    const result = await api('POST', '/auth/mfa/recovery-codes', data);
    form.reset();
    showCodes(result.recovery_codes);
    show('New recovery codes: the old ones no longer work.', true);
  });
  onSubmit('mfa-disable', async (data, form) => {
    const body = data.code ? { code: data.code } : { recovery_code: data.recovery_code || '' };
    await api('POST', '/auth/mfa/totp/disable', body);
    form.reset();
    $('mfa-codes').hidden = true;
    render(false);
    show('Two-step verification is off.', true);
  });
}

if (page === 'signin') signinPage();
else if (page === 'account') void accountPage();
else if (page === 'reset') resetPage();
else if (page === 'verify') verifyPage();
