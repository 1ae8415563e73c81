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
  const noRefresh = ['/auth/refresh', '/auth/login', '/auth/mfa/verify', '/auth/oidc/exchange'];
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
    err.body = data;
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

// Federated sign-in ("Continue with Google"): the tab goes to the provider and comes back
// with ?code= (exchanged here, in cookie mode) or ?error=. Only the tab that started a round
// trip exchanges its code (a marker in sessionStorage): a link carrying someone else's code
// must not sign this browser in to their account, nor link their identity to this one.
const FEDERATED_MARKER = 'identity.federated';
const PENDING_LINK = 'identity.pending_link';
const NOTICE = 'identity.notice';
const FEDERATED_ERRORS = {
  oidc_denied: 'You cancelled at the provider, so nothing happened. You can try again.',
  oidc_email_unverified:
    'The provider could not confirm that this email address is yours. Confirm it there, or sign in another way.',
  oidc_failed: 'Signing in with the provider did not work. Please try again.',
};

function providerLabel(name) {
  const known = { google: 'Google', github: 'GitHub' };
  return known[name] || name.charAt(0).toUpperCase() + name.slice(1);
}

function startFederated(provider, intent, returnTo) {
  sessionStorage.setItem(FEDERATED_MARKER, JSON.stringify({ provider, at: Date.now() }));
  const query = new URLSearchParams({ redirect_to: returnTo });
  if (intent === 'link') query.set('intent', 'link');
  location.assign(`/auth/oidc/${encodeURIComponent(provider)}?${query}`);
}

/** What a round trip came back with (taken out of the address bar), or null. */
function federatedReturn() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return null;
  history.replaceState(null, '', location.pathname);
  let marker = null;
  try {
    marker = JSON.parse(sessionStorage.getItem(FEDERATED_MARKER) || 'null');
  } catch {
    marker = null;
  }
  sessionStorage.removeItem(FEDERATED_MARKER);
  if (error)
    return { error: FEDERATED_ERRORS[error] || 'Signing in did not work. Please try again.' };
  if (!marker || Date.now() - marker.at > 10 * 60 * 1000)
    return { error: 'This sign-in was not started in this window. Please start it again.' };
  return { code, provider: marker.provider };
}

function linkFailure(e, provider) {
  const label = providerLabel(provider || '');
  switch (e.code) {
    case 'identity_in_use':
      return `That ${label} account already signs in to another account here, or this account already has a ${label} sign-in.`;
    case 'mfa_required':
      return `To link ${label}, sign out and sign in again with your second step first.`;
    case 'token_invalid':
      return `Linking ${label} took too long or was already done. Please try again.`;
    default:
      return e.message;
  }
}

/** After a sign-in: a pending link is made (from this new session), then the account page. */
async function finishSignIn() {
  const pending = sessionStorage.getItem(PENDING_LINK);
  sessionStorage.removeItem(PENDING_LINK);
  if (pending) {
    const { link_token: linkToken, provider } = JSON.parse(pending);
    try {
      await api('POST', '/auth/oidc/link', { link_token: linkToken });
      sessionStorage.setItem(
        NOTICE,
        `${providerLabel(provider)} is linked: it can sign you in now.`,
      );
    } catch (e) {
      sessionStorage.setItem(NOTICE, linkFailure(e, provider));
    }
  }
  location.assign('/account');
}

async function signinProviders() {
  let providers = [];
  try {
    providers = (await api('GET', '/auth/oidc')).providers;
  } catch {
    return;
  }
  const box = document.getElementById('provider-buttons');
  for (const name of providers) {
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'secondary';
    btn.dataset.provider = name;
    btn.textContent = `Continue with ${providerLabel(name)}`;
    btn.addEventListener('click', () => startFederated(name, 'login', '/'));
    box.append(btn);
  }
  document.getElementById('providers').hidden = providers.length === 0;
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
  const askSecondFactor = (token) => {
    mfaToken = token;
    for (const panel of document.querySelectorAll('[data-panel]'))
      panel.hidden = panel.dataset.panel !== 'mfa';
    document.getElementById('msg').className = 'msg';
    document.getElementById('mfa-code').focus();
  };
  onSubmit('login', async (data) => {
    data.device_name = navigator.userAgent.slice(0, 100);
    const result = await api('POST', '/auth/login', data);
    if (result && result.mfa_required) return askSecondFactor(result.mfa_token);
    await finishSignIn();
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
    await finishSignIn();
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
  void signinProviders();
  void federatedSignIn(askSecondFactor);
}

/** Back from "Continue with ...": exchange the code for a session, the second step, or a link. */
async function federatedSignIn(askSecondFactor) {
  const back = federatedReturn();
  if (!back) return;
  if (back.error) return show(back.error, false);
  try {
    const result = await api('POST', '/auth/oidc/exchange', { code: back.code });
    if (result && result.mfa_required) return askSecondFactor(result.mfa_token);
    await finishSignIn();
  } catch (e) {
    if (e.code === 'account_link_required') {
      const { link_token: linkToken, provider, email } = e.body;
      sessionStorage.setItem(PENDING_LINK, JSON.stringify({ link_token: linkToken, provider }));
      if (email) document.getElementById('login-email').value = email;
      show(
        `You already have an account with ${email || 'this email address'}. Sign in to it below; your ${providerLabel(provider)} sign-in is then linked to it.`,
        true,
      );
    } else if (e.code === 'token_invalid') {
      show('That sign-in took too long or was already used. Please start it again.', false);
    } else if (e.code === 'account_locked') {
      show('This account is locked. Contact an administrator.', false);
    } else {
      show(e.message, false);
    }
  }
}

/** The account's linked sign-ins: list, unlink, link another (from this session). */
async function identitiesSection() {
  const notice = sessionStorage.getItem(NOTICE);
  sessionStorage.removeItem(NOTICE);
  if (notice) show(notice, true);
  const back = federatedReturn();
  if (back && back.error) show(back.error, false);
  else if (back) {
    try {
      await api('POST', '/auth/oidc/exchange', { code: back.code });
    } catch (e) {
      if (e.code !== 'account_link_required') show(linkFailure(e, back.provider), false);
      else {
        try {
          await api('POST', '/auth/oidc/link', { link_token: e.body.link_token });
          show(`${providerLabel(e.body.provider)} is linked: it can sign you in now.`, true);
        } catch (failure) {
          show(linkFailure(failure, e.body.provider), false);
        }
      }
    }
  }
  const list = document.getElementById('identities');
  const links = document.getElementById('identity-links');
  const render = async () => {
    const [identities, { providers }] = await Promise.all([
      api('GET', '/auth/identities'),
      api('GET', '/auth/oidc'),
    ]);
    list.replaceChildren();
    for (const identity of identities) {
      const li = document.createElement('li');
      li.dataset.provider = identity.provider;
      const title = document.createElement('div');
      title.textContent = `${providerLabel(identity.provider)}${identity.email ? ' · ' + identity.email : ''}`;
      const meta = document.createElement('div');
      meta.className = 'muted';
      meta.textContent = `linked ${new Date(identity.linked_at).toLocaleString()} · ${
        identity.last_used_at
          ? 'last used ' + new Date(identity.last_used_at).toLocaleString()
          : 'not used yet'
      }`;
      const btn = document.createElement('button');
      btn.className = 'secondary';
      btn.textContent = `Unlink ${providerLabel(identity.provider)}`;
      btn.addEventListener('click', async () => {
        try {
          await api('DELETE', `/auth/identities/${encodeURIComponent(identity.provider)}`);
          show(`${providerLabel(identity.provider)} no longer signs you in.`, true);
        } catch (e) {
          show(
            e.code === 'last_sign_in_method'
              ? 'This is the only way into your account. Set a password first ("Forgot password" on the sign-in page mails you a link), or link another account.'
              : e.message,
            false,
          );
        }
        await render();
      });
      li.append(title, meta, btn);
      list.append(li);
    }
    links.replaceChildren();
    const linked = new Set(identities.map((i) => i.provider));
    for (const name of providers.filter((p) => !linked.has(p))) {
      const btn = document.createElement('button');
      btn.className = 'secondary';
      btn.dataset.provider = name;
      btn.textContent = `Link ${providerLabel(name)}`;
      btn.addEventListener('click', async () => {
        // The start reads the access cookie: make sure it is fresh (api() refreshes on 401).
        await api('GET', '/auth/me');
        startFederated(name, 'link', '/account');
      });
      links.append(btn);
    }
  };
  await render();
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
  await identitiesSection();
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
