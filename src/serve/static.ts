// Static files of the built web demo. A path is decoded once and refused (403) if any segment is
// `..`, or it holds a backslash or NUL, before it touches the file system; the resolved file must
// also lie inside the root. Types are set explicitly: browsers refuse a module script or
// WebAssembly.instantiateStreaming with the wrong one.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { ortWebFile } from '../runtime/web-files.js';
import { HttpError } from './http.js';

export const MIME_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.onnx': 'application/octet-stream',
});

/** The file under `root` that the URL path names (index.html for a folder). Throws HttpError. */
export function resolveStaticPath(root: string, urlPath: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the path');
  }
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..') || decoded.includes('\\') || decoded.includes('\0')) {
    throw new HttpError(403, 'the path leaves the web root');
  }
  const base = resolve(root);
  let file = resolve(join(base, ...segments.filter((s) => s !== '' && s !== '.')));
  if (file !== base && !file.startsWith(base + sep)) throw new HttpError(403, 'the path leaves the web root');
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file) || !statSync(file).isFile()) throw new HttpError(404, `not found: ${urlPath}`);
  return file;
}

/** The file for a demo URL: under `root`, else (for /ort/ files) the installed onnxruntime-web's own. */
export function resolveDemoPath(root: string, urlPath: string): string {
  try {
    return resolveStaticPath(root, urlPath);
  } catch (error) {
    const runtimeFile = urlPath.startsWith('/ort/') ? ortWebFile(urlPath.slice('/ort/'.length)) : undefined;
    if (error instanceof HttpError && error.status === 404 && runtimeFile) return runtimeFile;
    throw error;
  }
}

/** Sends a file with its type and length; hashed assets (Vite's assets/) are cached for good. */
export function sendFile(req: IncomingMessage, res: ServerResponse, file: string, urlPath: string): void {
  const type = MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const { size, mtime } = statSync(file);
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': size,
    'Last-Modified': mtime.toUTCString(),
    'Cache-Control': urlPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** The demo's build folder: web-demo/dist next to the package, found from this module. */
export function defaultWebRoot(): string {
  // this file is dist/src/serve/static.js once built
  return resolve(new URL('../../../web-demo/dist', import.meta.url).pathname);
}
