// The account UI: plain browser JavaScript in cookie mode. Tokens live in HttpOnly cookies
// this script cannot read; state-changing calls carry the CSRF cookie's value as a header.
'use strict';

const $ = (id) => document.getElementById(id);

function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)(?:__Host-)?csrf_token=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

// ---------------------------------------------------------------------------------------------
// Plain words
// ---------------------------------------------------------------------------------------------

/** Why a session ended, as the sign-in page says it (socket reasons and the page's own). */
const SIGNED_OUT_REASONS = {
  logout: 'You signed out.',
  logout_all: 'You signed out everywhere: every device was signed out.',
  session_revoked: 'This device was signed out from another device.',
  password_changed: 'Your password was changed on another device, so this one was signed out.',
  password_reset: 'Your password was reset, so every device was signed out.',
  refresh_reused:
    'Your session was used from two places at once, so we signed it out to be safe. Sign in again; if this keeps happening, change your password.',
  account_locked: 'An administrator locked your account. Contact them to get access again.',
  email_changed: "Your account's email address was changed, so this device was signed out.",
  account_deleted: 'Your account was deleted. Every device was signed out.',
  session_ended: 'Your session ended. Please sign in again.',
};

/** "15 seconds", "about 3 minutes": how long a Retry-After asks to wait. */
function waitWords(seconds) {
  const s = Math.max(1, Math.ceil(Number(seconds) || 1));
  if (s < 90) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m < 90) return `about ${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.round(m / 60);
  return `about ${h} hour${h === 1 ? '' : 's'}`;
}

/** A failed request in plain words; `context` adjusts a few answers to the form. */
function problemWords(err, context) {
  const wait = err.retryAfter ? ` Try again in ${waitWords(err.retryAfter)}.` : '';
  switch (err.code) {
    case 'invalid_credentials':
      return context === 'login'
        ? 'That email address and password do not match. Check both and try again.'
        : 'That password (or code) is not right.';
    case 'too_many_attempts':
      return `Too many attempts, so we paused them for a while.${wait || ' Try again later.'}`;
    case 'rate_limited':
      return `Too many requests for now.${wait || ' Try again later.'}`;
    case 'overloaded':
    case 'unavailable':
      return `The service is busy right now.${wait || ' Try again shortly.'}`;
    case 'weak_password':
      return `Choose a stronger password: it ${(err.body && err.body.errors ? err.body.errors : [])
        .map((e) => e.message)
        .join('; it ')}.`;
    case 'validation_failed':
      return `Please check: ${(err.body && err.body.errors ? err.body.errors : [])
        .map((e) => `${fieldWords(e.field)} ${e.message}`)
        .join('; ')}.`;
    case 'email_not_verified':
      return 'Confirm your email address first: open the link we mailed you (or ask for a new one under "Resend verification").';
    case 'account_locked':
      return 'This account is locked. Contact an administrator.';
    case 'token_invalid':
      return 'This link is invalid, already used or expired.';
    case 'email_taken':
      return 'Another account already uses that email address, so yours keeps its address.';
    case 'last_admin':
      return 'You are the last administrator. Give another account the admin role before you delete yours.';
    case 'mfa_invalid':
      return 'That code did not work. Try a new one from your app.';
    case 'csrf_failed':
      return 'This page is out of date. Reload it and try again.';
    case 'network':
      return 'Could not reach the server. Check your connection and try again.';
    default:
      return err.message || 'Something went wrong. Please try again.';
  }
}

function fieldWords(field) {
  const names = {
    email: 'the email address',
    new_email: 'the new email address',
    password: 'the password',
    new_password: 'the new password',
    current_password: 'the current password',
    name: 'the name',
    code: 'the code',
  };
  return names[field] || field;
}

// ---------------------------------------------------------------------------------------------
// The session: refreshed once across tabs, ended everywhere at once
// ---------------------------------------------------------------------------------------------

/** Tabs of this origin tell each other when the session ended (and when it was renewed). */
const sessionChannel =
  typeof BroadcastChannel === 'function' ? new BroadcastChannel('identity-session') : null;

/** Thrown once the page is on its way to the sign-in page: callers stop quietly. */
class SessionEnded extends Error {}

let ending = false;

/**
 * The session is over (revoked or expired): every tab goes to the sign-in page, which says
 * why. Cookies are cleared on the way (logout is idempotent), without waiting for the answer.
 */
function endSession(reason, options) {
  if (ending) return;
  ending = true;
  const known = Object.prototype.hasOwnProperty.call(SIGNED_OUT_REASONS, reason);
  const why = known ? reason : 'session_ended';
  if (!(options && options.fromOtherTab) && sessionChannel) {
    sessionChannel.postMessage({ type: 'signed_out', reason: why });
  }
  if (!(options && options.loggedOut)) {
    fetch('/auth/logout', {
      method: 'POST',
      headers: { 'X-Auth-Transport': 'cookie', 'X-CSRF-Token': csrfToken() },
      credentials: 'same-origin',
      keepalive: true,
    }).catch(() => undefined);
  }
  location.replace(`/?signed_out=${encodeURIComponent(why)}`);
}

if (sessionChannel) {
  sessionChannel.addEventListener('message', (ev) => {
    const data = ev.data || {};
    if (data.type === 'signed_out' && document.body.dataset.page === 'account') {
      endSession(data.reason, { fromOtherTab: true, loggedOut: true });
    }
  });
}

let refreshing = null;

/**
 * Renews the cookies once for every tab of this origin: all tabs hold the same refresh token,
 * and presenting it twice looks like theft to the server (`refresh_reused` ends the session).
 * Under a Web Lock, a tab that finds the cookies already renewed by another (the readable CSRF
 * cookie changed while it waited) does not refresh again. Resolves `{ ok }`, with the
 * problem `code` when the session is over.
 */
function refreshSession() {
  if (refreshing) return refreshing;
  const seen = csrfToken();
  const run = async () => {
    if (csrfToken() !== seen) return { ok: true };
    try {
      const res = await fetch('/auth/refresh', {
        method: 'POST',
        headers: { 'X-Auth-Transport': 'cookie', 'X-CSRF-Token': csrfToken() },
        credentials: 'same-origin',
      });
      if (res.ok) {
        if (sessionChannel) sessionChannel.postMessage({ type: 'refreshed' });
        return { ok: true };
      }
      const body = await res.json().catch(() => null);
      // Only a dead session ends it; anything else (the server busy) keeps the page.
      const over = res.status === 401 || res.status === 403;
      return { ok: false, over, code: body && body.code };
    } catch {
      return { ok: false, over: false, code: 'network' };
    }
  };
  const locks = navigator.locks;
  refreshing = (locks ? locks.request('identity-token-refresh', run) : run()).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Requests that must never trigger a refresh: their 401 is about what was typed. */
const NO_REFRESH = ['/auth/refresh', '/auth/login', '/auth/mfa/verify', '/auth/oidc/exchange'];

/**
 * One API call in cookie mode. Errors carry the problem's `code`, its body and `retryAfter`.
 * A 401 `unauthorized` (the access token expired or was revoked) renews the session once and
 * retries; when the session cannot be renewed, the page goes to sign-in and the call throws
 * {@link SessionEnded}. Any other 401 (`invalid_credentials`, `mfa_invalid`) is the form's.
 */
async function api(method, path, body, retried) {
  const headers = { 'X-Auth-Transport': 'cookie' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken();
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    const err = new Error('network');
    err.code = 'network';
    throw err;
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (res.ok) return data;
  const code = data && data.code;
  if (res.status === 401 && code === 'unauthorized' && !retried && !NO_REFRESH.includes(path)) {
    const renewed = await refreshSession();
    if (renewed.ok) return api(method, path, body, true);
    if (renewed.over && document.body.dataset.page === 'account') {
      endSession(renewed.code === 'refresh_reused' ? 'refresh_reused' : 'session_ended');
      throw new SessionEnded('signed out');
    }
  }
  const err = new Error((data && data.detail) || res.statusText || 'Request failed');
  err.status = res.status;
  err.code = code || (res.status >= 500 ? 'unavailable' : undefined);
  err.body = data;
  err.retryAfter = res.headers.get('Retry-After');
  throw err;
}

// ---------------------------------------------------------------------------------------------
// Forms: each message next to the form that caused it
// ---------------------------------------------------------------------------------------------

function messageFor(form) {
  return $(`${form.id}-msg`) || form.querySelector('.msg') || $('msg');
}

/** Shows `text` next to `form`; an error marks the fields it names and moves focus to one. */
function say(form, text, kind, err) {
  const el = messageFor(form);
  el.textContent = text;
  el.className = `msg ${kind === 'ok' ? 'ok' : 'error'}`;
  el.setAttribute('role', kind === 'ok' ? 'status' : 'alert');
  for (const input of form.querySelectorAll('[aria-invalid="true"]')) {
    input.removeAttribute('aria-invalid');
  }
  if (kind === 'ok') return;
  const names = new Set(((err && err.body && err.body.errors) || []).map((e) => e.field));
  if (err && err.code === 'invalid_credentials') {
    for (const name of ['password', 'current_password', 'code']) names.add(name);
  }
  if (err && err.code === 'weak_password') names.add(form.querySelector('[data-strength]')?.name);
  const invalid = [...form.querySelectorAll('input[name]')].filter(
    (input) => names.has(input.name) && !input.closest('[hidden]'),
  );
  for (const input of invalid) {
    input.setAttribute('aria-invalid', 'true');
    const described = new Set((input.getAttribute('aria-describedby') || '').split(/\s+/));
    described.delete('');
    described.add(el.id);
    input.setAttribute('aria-describedby', [...described].join(' '));
  }
  if (invalid[0]) invalid[0].focus();
}

/** Page-level messages (federated sign-in results, linked identities): `#msg`. */
function show(message, ok) {
  const el = $('msg');
  if (!el) return;
  el.textContent = message;
  el.className = `msg ${ok ? 'ok' : 'error'}`;
}

function formData(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) if (v !== '') out[k] = String(v);
  return out;
}

/**
 * Runs `handler` on submit, with the form's button disabled meanwhile; a failure is said next
 * to the form in plain words (`context` picks the words for credentials).
 */
function onSubmit(id, handler, context) {
  const form = $(id);
  if (!form) return;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    try {
      await handler(formData(form), form);
    } catch (e) {
      if (!(e instanceof SessionEnded)) say(form, problemWords(e, context), 'error', e);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Password strength meter (zxcvbn-ts, loaded by /strength.mjs on first use)
// ---------------------------------------------------------------------------------------------

const STRENGTH_LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'];
const STRENGTH_WARNINGS = {
  straightRow: 'rows of keys are easy to guess',
  keyPattern: 'keyboard patterns are easy to guess',
  simpleRepeat: 'repeated characters like "aaa" are easy to guess',
  extendedRepeat: 'repeated patterns like "abcabc" are easy to guess',
  sequences: 'sequences like "abc" or "6543" are easy to guess',
  recentYears: 'recent years are easy to guess',
  dates: 'dates are easy to guess',
  topTen: 'this is one of the most used passwords',
  topHundred: 'this is a very common password',
  common: 'this is a commonly used password',
  similarToCommon: 'this is close to a commonly used password',
  wordByItself: 'single words are easy to guess',
  namesByThemselves: 'names on their own are easy to guess',
  commonNames: 'common names are easy to guess',
  userInputs: 'it contains your name or email address',
  pwned: 'this password appeared in a data breach',
};
const MIN_PASSWORD_LENGTH = 12;

function strengthMeters(userInputs) {
  for (const input of document.querySelectorAll('input[data-strength]')) {
    const box = $(input.dataset.strength);
    const meter = box.querySelector('meter');
    const text = box.querySelector('.strength-text');
    text.id = `${box.id}-text`;
    input.setAttribute(
      'aria-describedby',
      [input.getAttribute('aria-describedby'), text.id].filter(Boolean).join(' '),
    );
    let latest = 0;
    const update = async () => {
      const password = input.value;
      const mine = ++latest;
      box.hidden = password === '';
      if (password === '') return;
      const length = [...password].length;
      if (length < MIN_PASSWORD_LENGTH) {
        meter.value = 0;
        text.textContent = `Too short: at least ${MIN_PASSWORD_LENGTH} characters (${length} so far).`;
        return;
      }
      const estimator = window.IdentityStrength;
      if (!estimator) {
        text.textContent = 'Long enough.';
        return;
      }
      const result = await estimator.estimate(password, userInputs()).catch(() => null);
      if (!result || mine !== latest) return;
      meter.value = result.score;
      const warning = STRENGTH_WARNINGS[result.feedback && result.feedback.warning];
      text.textContent = `${STRENGTH_LABELS[result.score]}${warning ? `: ${warning}.` : '.'}`;
    };
    let timer;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(update, 120);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Devices
// ---------------------------------------------------------------------------------------------

/** "Chrome on macOS"; a name the client chose wins unless it is just the user agent's start. */
function deviceName(given, userAgent) {
  const name = (given || '').trim();
  const ua = (userAgent || '').trim();
  if (name && !(ua && ua.startsWith(name))) return name;
  if (ua && typeof window.UAParser === 'function') {
    const parsed = window.UAParser(ua);
    const browser = parsed.browser && parsed.browser.name;
    const parsedOs = parsed.os && parsed.os.name;
    // UAParser.js 1.x says "Mac OS"; people say macOS.
    const os = parsedOs === 'Mac OS' ? 'macOS' : parsedOs;
    if (browser && os) return `${browser} on ${os}`;
    if (browser || os) return browser || os;
  }
  if (name) return name;
  const product = /^[A-Za-z][\w.-]{0,40}/.exec(ua);
  return product ? product[0] : 'Unknown device';
}

function when(iso) {
  return new Date(iso).toLocaleString();
}

// ---------------------------------------------------------------------------------------------
// Federated sign-in ("Continue with Google")
// ---------------------------------------------------------------------------------------------

// The tab goes to the provider and comes back with ?code= (exchanged here, in cookie mode) or
// ?error=. Only the tab that started a round trip exchanges its code (a marker in
// sessionStorage): a link carrying someone else's code must not sign this browser in to their
// account, nor link their identity to this one.
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
      return problemWords(e);
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
  const box = $('provider-buttons');
  for (const name of providers) {
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'secondary';
    btn.dataset.provider = name;
    btn.textContent = `Continue with ${providerLabel(name)}`;
    btn.addEventListener('click', () => startFederated(name, 'login', '/'));
    box.append(btn);
  }
  $('providers').hidden = providers.length === 0;
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
      if (email) $('login-email').value = email;
      show(
        `You already have an account with ${email || 'this email address'}. Sign in to it below; your ${providerLabel(provider)} sign-in is then linked to it.`,
        true,
      );
    } else if (e.code === 'token_invalid') {
      show('That sign-in took too long or was already used. Please start it again.', false);
    } else {
      show(problemWords(e), false);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The sign-in page
// ---------------------------------------------------------------------------------------------

/** ARIA tabs: click or arrow keys select; the selected tab's panel shows. */
function tabs(onSelect) {
  const list = [...document.querySelectorAll('[role="tab"]')];
  const select = (tab, focus) => {
    for (const t of list) {
      const selected = t === tab;
      t.setAttribute('aria-selected', String(selected));
      t.tabIndex = selected ? 0 : -1;
      $(t.getAttribute('aria-controls')).hidden = !selected;
    }
    if (focus) tab.focus();
    onSelect();
  };
  list.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab, false));
    tab.addEventListener('keydown', (ev) => {
      const to = {
        ArrowRight: (i + 1) % list.length,
        ArrowLeft: (i - 1 + list.length) % list.length,
        Home: 0,
        End: list.length - 1,
      }[ev.key];
      if (to === undefined) return;
      ev.preventDefault();
      select(list[to], true);
    });
  });
}

function signinPage() {
  const params = new URLSearchParams(location.search);
  const reason = params.get('signed_out');
  if (reason) {
    history.replaceState(null, '', location.pathname);
    const notice = $('notice');
    notice.textContent = SIGNED_OUT_REASONS[reason] || SIGNED_OUT_REASONS.session_ended;
    notice.className = reason === 'logout' ? 'msg ok' : 'msg error';
    notice.hidden = false;
  }
  const mfaForm = $('mfa');
  tabs(() => {
    mfaForm.hidden = true;
  });
  // The login's second step (TOTP or recovery code): the mfa_token lives only in this page.
  let mfaToken = null;
  const askSecondFactor = (token) => {
    mfaToken = token;
    for (const panel of document.querySelectorAll('[role="tabpanel"]')) panel.hidden = true;
    mfaForm.hidden = false;
    $('mfa-code').focus();
  };
  onSubmit(
    'login',
    async (data) => {
      const result = await api('POST', '/auth/login', data);
      if (result && result.mfa_required) return askSecondFactor(result.mfa_token);
      await finishSignIn();
    },
    'login',
  );
  onSubmit('mfa', async (data, form) => {
    const body = { mfa_token: mfaToken };
    if (data.code) body.code = data.code;
    else if (data.recovery_code) body.recovery_code = data.recovery_code;
    else return say(form, 'Enter a code from your app or a recovery code.', 'error');
    try {
      await api('POST', '/auth/mfa/verify', body);
    } catch (e) {
      form.reset();
      if (e.code === 'mfa_invalid') {
        return say(
          form,
          'That code did not work. Try again, or sign in again if it keeps failing.',
          'error',
          { code: 'invalid_credentials' },
        );
      }
      throw e;
    }
    await finishSignIn();
  });
  onSubmit('register', async (data, form) => {
    await api('POST', '/auth/register', data);
    form.reset();
    $('reg-strength').hidden = true;
    say(form, `Check your inbox: we sent a link to verify ${data.email}.`, 'ok');
  });
  onSubmit('forgot', async (data, form) => {
    await api('POST', '/auth/forgot-password', data);
    say(form, `If ${data.email} has an account, a reset link is on its way.`, 'ok');
  });
  onSubmit('resend', async (data, form) => {
    await api('POST', '/auth/resend-verification', data);
    say(form, `If ${data.email} has an account to verify, a new link is on its way.`, 'ok');
  });
  strengthMeters(() => [$('reg-email').value, $('reg-name').value]);
  void signinProviders();
  void federatedSignIn(askSecondFactor);
}

// ---------------------------------------------------------------------------------------------
// The account page
// ---------------------------------------------------------------------------------------------

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
  const list = $('identities');
  const links = $('identity-links');
  const render = async () => {
    const [identities, { providers }] = await Promise.all([
      api('GET', '/auth/identities'),
      api('GET', '/auth/oidc'),
    ]);
    list.replaceChildren();
    for (const identity of identities) {
      const label = providerLabel(identity.provider);
      const li = document.createElement('li');
      li.dataset.provider = identity.provider;
      const title = document.createElement('div');
      title.textContent = `${label}${identity.email ? ' · ' + identity.email : ''}`;
      const meta = document.createElement('div');
      meta.className = 'muted';
      meta.textContent = `linked ${when(identity.linked_at)} · ${
        identity.last_used_at ? 'last used ' + when(identity.last_used_at) : 'not used yet'
      }`;
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'secondary';
      btn.textContent = `Unlink ${label}`;
      btn.addEventListener('click', async () => {
        try {
          await api('DELETE', `/auth/identities/${encodeURIComponent(identity.provider)}`);
          show(`${label} no longer signs you in.`, true);
        } catch (e) {
          if (e instanceof SessionEnded) return;
          show(
            e.code === 'last_sign_in_method'
              ? 'This is the only way into your account. Set a password first ("Forgot password" on the sign-in page mails you a link), or link another account.'
              : problemWords(e),
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
      btn.type = 'button';
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

function renderWho(me) {
  $('who').textContent =
    `${me.name ? me.name + ' · ' : ''}${me.email} · roles: ${me.roles.join(', ')}`;
  $('email-status').textContent = me.email_verified
    ? `${me.email} (confirmed)`
    : `${me.email} (not confirmed yet: open the link we mailed you)`;
  $('email-unverified').hidden = me.email_verified;
}

function profileSection(me) {
  $('profile-name').value = me.name || '';
  onSubmit('profile', async (data, form) => {
    const updated = await api('PATCH', '/auth/me', { name: data.name || null });
    renderWho(updated);
    say(form, updated.name ? `Saved: we call you ${updated.name} now.` : 'Name removed.', 'ok');
  });
  $('resend-verification').addEventListener('click', async () => {
    const box = $('email-unverified');
    try {
      await api('POST', '/auth/resend-verification', { email: me.email });
      say(box, `We sent a new link to ${me.email}.`, 'ok');
    } catch (e) {
      if (!(e instanceof SessionEnded)) say(box, problemWords(e), 'error', e);
    }
  });
  onSubmit('change-email', async (data, form) => {
    if (!data.password && !data.code) {
      return say(form, 'Enter your password (or a code from your authenticator app).', 'error', {
        body: { errors: [{ field: 'password' }] },
      });
    }
    const body = { new_email: data.new_email || '' };
    if (data.password) body.password = data.password;
    else body.code = data.code;
    await api('POST', '/auth/change-email', body);
    form.reset();
    say(
      form,
      `Almost done: open the link we sent to ${body.new_email} to confirm it. Until then your address stays ${me.email}; we told it about this too.`,
      'ok',
    );
  });
}

function sessionsSection() {
  const list = $('sessions');
  const box = $('sessions-msg');
  const render = async () => {
    const sessions = await api('GET', '/auth/sessions');
    sessions.sort(
      (a, b) =>
        Number(b.current) - Number(a.current) ||
        Date.parse(b.last_used_at) - Date.parse(a.last_used_at),
    );
    list.replaceChildren();
    for (const s of sessions) {
      const name = deviceName(s.device_name, s.user_agent);
      const li = document.createElement('li');
      li.dataset.sessionId = s.id;
      if (s.current) li.dataset.current = 'true';
      const title = document.createElement('div');
      title.className = 'device';
      title.textContent = `${name}${s.current ? ' (this device)' : ''}`;
      const meta = document.createElement('div');
      meta.className = 'muted';
      meta.textContent = `signed in ${when(s.created_at)} · last used ${when(s.last_used_at)}`;
      li.append(title, meta);
      if (!s.current) {
        const btn = document.createElement('button');
        btn.type = 'button';
        btn.className = 'secondary';
        btn.textContent = `Sign out ${name}`;
        btn.setAttribute('aria-label', `Sign out ${name}, signed in ${when(s.created_at)}`);
        btn.addEventListener('click', async () => {
          try {
            await api('DELETE', `/auth/sessions/${encodeURIComponent(s.id)}`);
            box.textContent = `${name} is signed out.`;
            box.className = 'msg ok';
          } catch (e) {
            if (e instanceof SessionEnded) return;
            box.textContent = problemWords(e);
            box.className = 'msg error';
          }
          await render();
        });
        li.append(btn);
      }
      list.append(li);
    }
  };
  const dialog = $('logout-all-dialog');
  $('logout-all').addEventListener('click', () => dialog.showModal());
  $('logout-all-cancel').addEventListener('click', () => dialog.close());
  $('logout-all-confirm').addEventListener('click', async () => {
    try {
      await api('POST', '/auth/logout-all');
    } catch (e) {
      if (e instanceof SessionEnded) return;
    }
    endSession('logout_all', { loggedOut: true });
  });
  return render;
}

const ACTIVITY_WORDS = {
  'auth.login.succeeded': 'Signed in',
  'auth.login.failed': 'Sign-in refused (wrong password, code or blocked account)',
  'auth.login.throttled': 'Sign-in attempts paused after too many failures',
  'auth.mfa.failed': 'Wrong two-step code',
  'auth.refresh.reused': 'A session was used from two places and ended to be safe',
  'session.revoked': 'Signed out',
  'user.password_changed': 'Password changed',
  'user.password_reset': 'Password reset with an emailed link',
  'mfa.enabled': 'Two-step verification turned on',
  'mfa.disabled': 'Two-step verification turned off',
  'user.email_changed': 'Email address changed',
  'identity.linked': 'Sign-in with another account linked',
  'identity.unlinked': 'Sign-in with another account removed',
};

function activitySection() {
  const list = $('activity');
  const more = $('activity-more');
  let before = null;
  const load = async () => {
    const query = new URLSearchParams({ limit: '10' });
    if (before) query.set('before', before);
    const page = await api('GET', `/auth/me/activity?${query}`);
    for (const item of page.items) {
      const li = document.createElement('li');
      li.dataset.type = item.type;
      const title = document.createElement('div');
      title.textContent = ACTIVITY_WORDS[item.type] || item.type;
      const meta = document.createElement('div');
      meta.className = 'muted';
      const network =
        item.ip_hint === 'this_network'
          ? 'from this network'
          : item.ip_hint === 'another_network'
            ? 'from another network'
            : '';
      meta.textContent = [when(item.created_at), item.device || '', network]
        .filter(Boolean)
        .join(' · ');
      li.append(title, meta);
      list.append(li);
    }
    if (list.children.length === 0) {
      const li = document.createElement('li');
      li.textContent = 'Nothing yet.';
      list.append(li);
    }
    before = page.next_before;
    more.hidden = !before;
  };
  more.addEventListener('click', async () => {
    try {
      await load();
    } catch (e) {
      if (e instanceof SessionEnded) return;
      $('activity-msg').textContent = problemWords(e);
      $('activity-msg').className = 'msg error';
    }
  });
  return load;
}

function deleteSection() {
  const dialog = $('delete-dialog');
  const form = $('delete-form');
  $('delete-account').addEventListener('click', () => {
    form.reset();
    messageFor(form).className = 'msg';
    dialog.showModal();
    $('delete-password').focus();
  });
  $('delete-cancel').addEventListener('click', () => dialog.close());
  onSubmit('delete-form', async (data) => {
    if (!$('delete-understood').checked) {
      return say(form, 'Tick the box to confirm that you understand.', 'error', {
        body: { errors: [{ field: 'understood' }] },
      });
    }
    if (!data.password && !data.code) {
      return say(form, 'Enter your password (or a code from your authenticator app).', 'error', {
        body: { errors: [{ field: 'password' }] },
      });
    }
    await api(
      'DELETE',
      '/auth/me',
      data.password ? { password: data.password } : { code: data.code },
    );
    endSession('account_deleted', { loggedOut: true });
  });
}

/** Recovery codes, shown once: copy, download, and an explicit "I have saved them". */
function recoveryCodes() {
  const box = $('mfa-codes');
  const list = $('mfa-codes-list');
  const msg = $('mfa-codes-msg');
  const saved = $('mfa-codes-saved');
  const done = $('mfa-codes-done');
  let codes = [];
  const tell = (text, ok) => {
    msg.textContent = text;
    msg.className = `msg ${ok ? 'ok' : 'error'}`;
  };
  $('mfa-codes-copy').addEventListener('click', async () => {
    const text = codes.join('\n');
    try {
      await navigator.clipboard.writeText(text);
      tell('Copied. Paste them into your password manager or a safe note.', true);
    } catch {
      const range = document.createRange();
      range.selectNodeContents(list);
      const selection = getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      tell('Your browser did not let us copy. The codes are selected: copy them now.', false);
    }
  });
  $('mfa-codes-download').addEventListener('click', () => {
    const text = `Recovery codes for ${location.host} (each works once)\n\n${codes.join('\n')}\n`;
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'recovery-codes.txt';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    tell('Downloaded recovery-codes.txt. Keep it somewhere safe, away from this device.', true);
  });
  saved.addEventListener('change', () => {
    done.disabled = !saved.checked;
  });
  done.addEventListener('click', () => {
    codes = [];
    list.replaceChildren();
    box.hidden = true;
    $('mfa-status').focus();
  });
  return (newCodes) => {
    codes = newCodes;
    list.replaceChildren(
      ...codes.map((c) => {
        const li = document.createElement('li');
        li.textContent = c;
        return li;
      }),
    );
    saved.checked = false;
    done.disabled = true;
    msg.className = 'msg';
    box.hidden = false;
    $('mfa-codes-copy').focus();
  };
}

// Two-step verification on the account page: setup (password) → QR → first code → recovery
// codes shown once; new recovery codes and turning it off need a current code (turning it off
// also takes a recovery code; never the password alone).
function mfaSection(enabled) {
  const showCodes = recoveryCodes();
  $('mfa-status').tabIndex = -1;
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
  });
  onSubmit('mfa-regenerate', async (data, form) => {
    const result = await api('POST', '/auth/mfa/recovery-codes', data);
    form.reset();
    say(form, 'New recovery codes: the old ones no longer work.', 'ok');
    showCodes(result.recovery_codes);
  });
  onSubmit('mfa-disable', async (data, form) => {
    const body = data.code ? { code: data.code } : { recovery_code: data.recovery_code || '' };
    await api('POST', '/auth/mfa/totp/disable', body);
    form.reset();
    $('mfa-codes').hidden = true;
    render(false);
    $('mfa-status').focus();
  });
}

/** Hard logout pushed by the server: this session was revoked elsewhere (sessions-socket.js). */
function watchSession() {
  if (!window.IdentitySessions || !window.io) return;
  // No `version`: refreshSession() takes the cross-tab lock itself (Web Locks do not nest).
  window.IdentitySessions.watchSessions({
    refresh: async () => (await refreshSession()).ok,
    onRevoked: (message) => endSession(message && message.reason),
  });
}

async function accountPage() {
  let me;
  try {
    me = await api('GET', '/auth/me');
  } catch (e) {
    if (!(e instanceof SessionEnded)) location.replace('/');
    return;
  }
  watchSession();
  renderWho(me);
  profileSection(me);
  $('logout').addEventListener('click', async () => {
    await api('POST', '/auth/logout').catch(() => undefined);
    endSession('logout', { loggedOut: true });
  });
  const renderSessions = sessionsSection();
  const loadActivity = activitySection();
  deleteSection();
  mfaSection(me.mfa_enabled);
  strengthMeters(() => [me.email, me.name || '']);
  onSubmit('change-password', async (data, form) => {
    await api('POST', '/auth/change-password', data);
    form.reset();
    $('new-strength').hidden = true;
    say(form, 'Password changed. Your other devices were signed out.', 'ok');
    await renderSessions();
  });
  try {
    await Promise.all([renderSessions(), loadActivity(), identitiesSection()]);
  } catch (e) {
    if (e instanceof SessionEnded) return;
    const notice = $('notice');
    notice.textContent = problemWords(e);
    notice.hidden = false;
    notice.className = 'msg error';
  }
  document.querySelector('main').removeAttribute('aria-busy');
}

// ---------------------------------------------------------------------------------------------
// Pages reached from emailed links
// ---------------------------------------------------------------------------------------------

/** The token of an emailed link, taken out of the address bar (history, screenshots). */
function linkToken() {
  const token = new URLSearchParams(location.search).get('token') || '';
  if (token) history.replaceState(null, '', location.pathname);
  return token;
}

function resetPage() {
  const token = linkToken();
  strengthMeters(() => []);
  onSubmit('reset', async (data, form) => {
    await api('POST', '/auth/reset-password', { token, new_password: data.new_password || '' });
    form.reset();
    $('reset-strength').hidden = true;
    say(form, 'Your password is set. Sign in with it now.', 'ok');
  });
}

function verifyPage() {
  const token = new URLSearchParams(location.search).get('token') || '';
  onSubmit('verify', async (data, form) => {
    await api('POST', '/auth/verify-email', { token, password: data.password || '' });
    form.reset();
    say(form, 'Your email address is verified. You can now sign in.', 'ok');
    form.querySelector('button').hidden = true;
  });
}

function confirmEmailChangePage() {
  const token = linkToken();
  onSubmit('confirm-email-change', async (_data, form) => {
    const profile = await api('POST', '/auth/confirm-email-change', { token });
    say(
      form,
      `Done: your account's email address is now ${profile.email}. Your other devices were signed out; sign in with the new address.`,
      'ok',
    );
    form.querySelector('button').hidden = true;
  });
}

const page = document.body.dataset.page;
if (page === 'signin') signinPage();
else if (page === 'account') void accountPage();
else if (page === 'reset') resetPage();
else if (page === 'verify') verifyPage();
else if (page === 'confirm-email-change') confirmEmailChangePage();
