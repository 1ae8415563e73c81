/**
 * `/docs`: the OpenAPI document as one static page, rendered on the server from the document
 * itself: no script (the strict CSP holds), the web UI's style sheet, every value escaped.
 */
type Json = Record<string, unknown>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function escape(text: unknown): string {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function fields(schema: Json | undefined): string {
  const properties = (schema?.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema?.required ?? []) as string[]);
  const rows = Object.entries(properties).map(
    ([name, p]) =>
      `<li><code>${escape(name)}</code>${required.has(name) ? '' : '?'} ${escape(typeOf(p))}</li>`,
  );
  return rows.length > 0 ? `<ul>${rows.join('')}</ul>` : '';
}

function typeOf(p: Json): string {
  if (Array.isArray(p.enum)) return (p.enum as unknown[]).map(String).join(' | ');
  if (p.type === 'array') return `${typeOf((p.items ?? {}) as Json)}[]`;
  const type = Array.isArray(p.type)
    ? (p.type as string[]).join(' | ')
    : typeof p.type === 'string'
      ? p.type
      : 'any';
  return typeof p.format === 'string' ? `${type} (${p.format})` : type;
}

function responses(op: Json): string {
  const rows = Object.entries((op.responses ?? {}) as Record<string, Json>).map(
    ([status, r]) => `<li><strong>${escape(status)}</strong> ${escape(r.description)}</li>`,
  );
  return `<ul>${rows.join('')}</ul>`;
}

export function renderApiDocsPage(document: Json): string {
  const info = document.info as Json;
  const paths = document.paths as Record<string, Json>;
  const ops = Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m] as Json })),
  );
  const tags = (document.tags as { name: string; description: string }[]).map((tag) => {
    const inTag = ops.filter(({ op }) => (op.tags as string[]).includes(tag.name));
    const body = inTag
      .map(({ path, method, op }) => {
        const secured = (op.security as unknown[]).length > 0;
        const permission = op['x-permission'] ? `, needs ${escape(op['x-permission'])}` : '';
        const request = (op.requestBody as Json | undefined)?.content as Json | undefined;
        const requestSchema = (request?.['application/json'] as Json | undefined)?.schema as
          Json | undefined;
        return `<section id="${escape(op.operationId)}">
<h3><code>${method.toUpperCase()} ${escape(path)}</code></h3>
<p>${escape(op.summary)}${op.description ? ` ${escape(op.description)}` : ''}</p>
<p>${secured ? `Access token (Bearer or cookie)${permission}` : 'Public'}</p>
${requestSchema ? `<h4>Body</h4>${fields(requestSchema)}` : ''}
<h4>Answers</h4>${responses(op)}
</section>`;
      })
      .join('\n');
    return `<h2 id="tag-${escape(tag.name)}">${escape(tag.name)}: ${escape(tag.description)}</h2>\n${body}`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(info.title)} API ${escape(info.version)}</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<main>
<h1>${escape(info.title)} API ${escape(info.version)}</h1>
<p>${escape(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escape(document.openapi)}).</p>
${tags.join('\n')}
</main>
</body>
</html>
`;
}
