/**
 * The page a person sees after clicking the emailed verification link. It only asks: the
 * address is verified by the POST its form sends with the password chosen at registration,
 * never by the GET (mail scanners fetch links, and whoever registered someone else's address
 * must not have that mailbox's owner verify it by clicking). No inline script: the form is
 * driven by /app.js.
 */
export function verifyEmailPage(live: boolean): string {
  const title = live ? 'Confirm your email address' : 'Link not valid';
  const body = live
    ? `<p>To confirm this address, enter the password you chose when you signed up.</p>
<form id="verify" novalidate><label for="verify-password">Your password</label>
<input id="verify-password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Confirm my email</button>
<div id="verify-msg" class="msg" role="status" aria-live="polite"></div></form>`
    : `<p>This verification link is invalid, already used or expired. Ask for a new one on the
sign-in page ("Resend verification").</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/app.css"><script src="/app.js" defer></script></head>
<body data-page="verify"><main class="card"><h1>${title}</h1>${body}<p><a href="/">Sign in</a></p></main></body></html>`;
}
