// Vega-Lite charts rendered in Node: the spec is compiled to Vega, drawn to SVG by a headless
// View (renderer 'none': no canvas needed), and the SVG rasterised to PNG by resvg. resvg draws
// no text without a font file, so one is looked up among the usual system fonts.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface Chart {
  readonly svg: string;
  readonly png: Buffer;
}

/** The font family the charts ask for, with fallbacks for browsers that lack it. */
export const CHART_FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/Library/Fonts/Arial.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

let fontCache: { file: string; files: string[]; family: string } | undefined;

/** A sans-serif TrueType font on this machine (and its bold face, if any), for the PNG's text. */
export function chartFont(): { file: string; files: string[]; family: string } {
  if (fontCache) return fontCache;
  let file = FONT_CANDIDATES.find((f) => existsSync(f));
  file ??= findFont('/usr/share/fonts', 3);
  if (!file)
    throw new Error(
      'no font found to draw chart text in PNGs (looked in /usr/share/fonts): apt-get install -y fonts-dejavu-core',
    );
  const family = /liberation/i.test(file) ? 'Liberation Sans' : /arial/i.test(file) ? 'Arial' : 'DejaVu Sans';
  const bold = [file.replace(/-Regular\.ttf$/i, '-Bold.ttf'), file.replace(/\.ttf$/i, '-Bold.ttf')].find(
    (f) => f !== file && existsSync(f),
  );
  fontCache = { file, files: bold ? [file, bold] : [file], family };
  return fontCache;
}

/** The first *Sans*.ttf under `dir`, a few levels deep. */
function findFont(dir: string, depth: number): string | undefined {
  if (depth < 0 || !existsSync(dir)) return undefined;
  const entries = readdirSync(dir, { withFileTypes: true });
  const hit = entries.find(
    (e) => e.isFile() && /sans.*\.ttf$/i.test(e.name) && !/bold|italic|oblique|mono/i.test(e.name),
  );
  if (hit) return join(dir, hit.name);
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const found = findFont(join(dir, e.name), depth - 1);
    if (found) return found;
  }
  return undefined;
}

/** Readable defaults shared by every chart: font, sizes, no chart border. */
export const CHART_CONFIG = {
  font: CHART_FONT,
  background: 'white',
  padding: 12,
  view: { stroke: '#ddd' },
  title: { fontSize: 16, fontWeight: 'bold', anchor: 'start', offset: 10 },
  axis: { labelFontSize: 12, titleFontSize: 13, titlePadding: 8, gridColor: '#e8e8e8' },
  legend: { labelFontSize: 12, titleFontSize: 13, symbolSize: 120, labelLimit: 400, titleLimit: 400 },
} as const;

/** The chart's SVG text. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vegaSpec = compile({ ...spec, config: { ...CHART_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG bytes of an SVG, at `scale` times its size (2: sharp on high-density screens). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const font = chartFont();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      loadSystemFonts: false,
      fontFiles: font.files,
      defaultFontFamily: font.family,
      sansSerifFamily: font.family,
    },
  });
  return resvg.render().asPng();
}

export async function renderChart(spec: TopLevelSpec, scale = 2): Promise<Chart> {
  const svg = await renderSvg(spec);
  return { svg, png: svgToPng(svg, scale) };
}
