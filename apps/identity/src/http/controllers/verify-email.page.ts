/** The small page a person sees after clicking the emailed link (`Accept: text/html`). */
export function verifyEmailPage(ok: boolean): string {
  const title = ok ? 'Email verified' : 'Link not valid';
  const text = ok
    ? 'Your email address is verified. You can now sign in.'
    : 'This verification link is invalid, already used or expired. Sign in to request a new one.';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><link rel="stylesheet" href="/app.css"></head>
<body><main class="card"><h1>${title}</h1><p>${text}</p><p><a href="/">Sign in</a></p></main></body></html>`;
}
