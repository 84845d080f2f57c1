// The pieces of a self-contained HTML page: one inline stylesheet, pictures as data URIs, and
// no script or external URL, so the file opens from disk anywhere and can be mailed as is.

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** An <img> of an SVG or PNG, embedded as a data URI (no clashing ids, scales with the page). */
export function image(bytes: string | Uint8Array, type: 'svg' | 'png', alt: string, className = 'chart'): string {
  const mime = type === 'svg' ? 'image/svg+xml' : 'image/png';
  const data = Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes).toString('base64');
  return `<img class="${className}" alt="${escapeHtml(alt)}" src="data:${mime};base64,${data}">`;
}

/** A figure with a caption. */
export function figure(content: string, caption: string): string {
  return `<figure>${content}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

/** Big numbers with small labels, in a row of cards. */
export function cards(items: readonly (readonly [label: string, value: string])[]): string {
  return `<div class="cards">${items.map(([label, value]) => `<div class="card"><div class="value">${escapeHtml(value)}</div><div class="label">${escapeHtml(label)}</div></div>`).join('')}</div>`;
}

/** A table; cells are text (escaped) unless given as { html }. Columns after the first are right-aligned when `numeric`. */
export function table(
  header: readonly string[],
  rows: readonly (readonly (string | { html: string })[])[],
  options: { numeric?: boolean; rowClass?: (i: number) => string } = {},
): string {
  const cell = (c: string | { html: string }) => (typeof c === 'string' ? escapeHtml(c) : c.html);
  const head = `<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`;
  const body = rows
    .map(
      (r, i) =>
        `<tr${options.rowClass?.(i) ? ` class="${options.rowClass(i)}"` : ''}>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table class="${options.numeric ? 'numeric' : 'plain'}">${head}<tbody>\n${body}\n</tbody></table>`;
}

/** Key-value pairs as a two-column table. */
export function definitions(pairs: readonly (readonly [string, string])[]): string {
  return `<table class="definitions"><tbody>${pairs.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>`;
}

export function section(title: string, body: string, note = ''): string {
  return `<section><h2>${escapeHtml(title)}</h2>${note ? `<p class="note">${escapeHtml(note)}</p>` : ''}${body}</section>`;
}

const CSS = `
:root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --soft: #f6f8fa; --accent: #0969da; --good: #1a7f37; --bad: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
header { background: #24292f; color: #fff; padding: 22px 32px; }
header h1 { margin: 0; font-size: 22px; font-weight: 600; }
header p { margin: 4px 0 0; color: #c9d1d9; }
header a { color: #9ecbff; }
main { max-width: 1240px; margin: 0 auto; padding: 8px 32px 48px; }
section { margin-top: 28px; }
h2 { font-size: 18px; font-weight: 600; border-bottom: 1px solid var(--line); padding-bottom: 6px; margin: 0 0 14px; }
p.note { color: var(--muted); margin: -6px 0 12px; font-size: 13.5px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { flex: 1 1 140px; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; background: var(--soft); }
.card .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .label { color: var(--muted); font-size: 13px; }
.row { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.row > figure { flex: 0 1 760px; }
.stack > figure { display: inline-block; max-width: 100%; margin: 0 16px 16px 0; vertical-align: top; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 16px; align-items: start; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 10px; background: #fff; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
img.chart { display: block; width: 100%; height: auto; }
img.samples { display: block; max-width: 100%; height: auto; image-rendering: pixelated; border-radius: 4px; }
table { border-collapse: collapse; font-size: 14px; }
th, td { padding: 6px 12px; border-bottom: 1px solid var(--line); text-align: left; }
thead th { background: var(--soft); font-weight: 600; position: sticky; top: 0; }
table.numeric td:not(:first-child), table.numeric th:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
table.definitions th { color: var(--muted); font-weight: 500; width: 1%; white-space: nowrap; }
tr.best td { background: #dafbe1; font-weight: 600; }
.scroll { overflow-x: auto; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
footer { color: var(--muted); font-size: 12.5px; margin-top: 40px; }
`;

export function page(title: string, subtitle: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p>${subtitle}</p></header>
<main>
${body}
<footer>Written by onnxgrad report on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Self-contained: every picture is embedded in this file.</footer>
</main>
</body>
</html>
`;
}
