// Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core,
// with WebGPU enabled (SwiftShader), no sandbox or background networking, and a fresh profile each time. A missing browser is a failure
// with the command that installs it, never a silent skip.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** the package root: this file is dist/test/browser/chromium.js once built */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const ARTIFACTS = join(ROOT, 'test-artifacts');

const FLAGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** console errors and uncaught page errors seen so far */
  errors: string[];
  close(): Promise<void>;
}

export async function launch(options: { webgpu: boolean }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error('Chromium is missing: apt-get install -y chromium');
  const profile = mkdtempSync(join(tmpdir(), 'onnxgrad-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...FLAGS, ...(options.webgpu ? ['--enable-unsafe-webgpu'] : [])],
    viewport: { width: 1040, height: 1000 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Builds the web demo with Vite when web-demo/dist is missing (npm run build does it too). */
export function ensureWebDemoBuilt(): string {
  const dist = join(ROOT, 'web-demo', 'dist');
  if (!existsSync(join(dist, 'index.html'))) {
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--config',
        join(ROOT, 'web-demo', 'vite.config.ts'),
        '--logLevel',
        'warn',
      ],
      { cwd: ROOT, stdio: 'pipe' },
    );
  }
  return dist;
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
