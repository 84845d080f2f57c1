// The size, accuracy and speed table that `onnxgrad export --table` prints and the README shows
// (Markdown, so the same text goes in both).
import type { Measured } from './measure.js';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

export function formatTable(rows: readonly Measured[]): string {
  const base = rows.find((r) => r.precision === 'fp32');
  const cells = rows.map((r) => [
    r.precision,
    `${mb(r.bytes)}${base ? ` (${((100 * r.bytes) / base.bytes).toFixed(1)}%)` : ''}`,
    `${(100 * r.accuracy).toFixed(2)}%`,
    `${r.node.latencyMs.toFixed(3)} ms`,
    `${Math.round(r.node.throughput)}/s`,
    `${r.web.latencyMs.toFixed(3)} ms`,
    `${Math.round(r.web.throughput)}/s`,
  ]);
  const header = [
    'precision',
    'file size',
    'test accuracy',
    'node batch 1',
    'node batch 1000',
    'web WASM batch 1',
    'web WASM batch 1000',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]) => `| ${c.map((v, i) => v.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}
