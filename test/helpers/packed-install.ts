// Installs the packed onnxgrad into a new project as a user would (`npm ci` of a project that
// depends on the tarball), without the registry: the project's lockfile is this repository's own
// lockfile cut down to onnxgrad's runtime dependencies (plus typescript and @types/node for the
// user's type check), so every package resolves to the version already in npm's cache, and
// `npm ci --offline` installs them from there. Where the cache lacks one, the install falls back
// to the registry (`--prefer-offline`).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = new URL('../../..', import.meta.url).pathname;

interface LockEntry {
  readonly version?: string;
  readonly dev?: boolean;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

interface Lockfile {
  readonly packages: Readonly<Record<string, LockEntry>>;
}

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
  readonly bin?: Readonly<Record<string, string>>;
  readonly engines?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

/** The user's project: its package.json beside the tarball, with the install-script policy the README asks for. */
export interface UserProject {
  readonly dir: string;
  readonly tarball: string;
  readonly allowScripts: Readonly<Record<string, boolean>>;
  readonly devDependencies: readonly string[];
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return result;
}

/** `npm pack` of the built repository (no scripts: `npm test` has just built it) into `dir`; returns the file name. */
export function pack(dir: string): string {
  const result = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], REPO_ROOT);
  if (result.status !== 0) throw new Error(`npm pack failed: ${result.stderr}`);
  const [info] = JSON.parse(result.stdout) as [{ filename: string }];
  return info.filename;
}

/** Every package path in the repository's lockfile that `roots` need, following Node's resolution. */
function closure(lock: Lockfile, roots: readonly string[]): Set<string> {
  const needed = new Set<string>();
  const resolve = (from: string, name: string): string | undefined => {
    // node_modules/a/node_modules/b looks in its own node_modules, then each parent's
    for (let base = from; ;) {
      const candidate = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
      if (lock.packages[candidate]) return candidate;
      if (base === '') return undefined;
      const cut = base.lastIndexOf('/node_modules/');
      base = cut < 0 ? '' : base.slice(0, cut);
    }
  };
  const visit = (path: string) => {
    if (needed.has(path)) return;
    needed.add(path);
    const entry = lock.packages[path] as LockEntry;
    const deps = { ...entry.dependencies, ...(entry.optionalDependencies as Record<string, string> | undefined) };
    for (const name of Object.keys(deps)) {
      const found = resolve(path, name);
      if (found) visit(found);
    }
  };
  for (const name of roots) {
    const found = resolve('', name);
    if (!found) throw new Error(`the repository's lockfile has no ${name}`);
    visit(found);
  }
  return needed;
}

/** Writes the user's package.json and a package-lock.json that pins what this repository has installed. */
export function writeUserProject(project: UserProject): void {
  const repo = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
  const tarballSpec = `file:${project.tarball}`;
  const devDependencies = Object.fromEntries(
    project.devDependencies.map((name) => [name, repo.devDependencies?.[name] ?? repo.dependencies?.[name] ?? '*']),
  );
  const manifest = {
    name: 'onnxgrad-user',
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: { onnxgrad: tarballSpec },
    devDependencies,
    allowScripts: project.allowScripts,
  };
  writeFileSync(join(project.dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const runtime = closure(lock, Object.keys(repo.dependencies ?? {}));
  const dev = closure(lock, project.devDependencies);
  const packages: Record<string, LockEntry> = {
    '': { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies, devDependencies },
    'node_modules/onnxgrad': {
      version: repo.version,
      resolved: tarballSpec,
      integrity: `sha512-${createHash('sha512')
        .update(readFileSync(join(project.dir, project.tarball)))
        .digest('base64')}`,
      ...(repo.license ? { license: repo.license } : {}),
      ...(repo.dependencies ? { dependencies: repo.dependencies } : {}),
      ...(repo.bin ? { bin: repo.bin } : {}),
      ...(repo.engines ? { engines: repo.engines } : {}),
    },
  };
  for (const path of [...runtime, ...dev].sort()) {
    const { dev: _wasDev, ...entry } = lock.packages[path] as LockEntry;
    packages[path] = runtime.has(path) ? entry : { ...entry, dev: true };
  }
  const userLock = { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages };
  writeFileSync(join(project.dir, 'package-lock.json'), `${JSON.stringify(userLock, null, 2)}\n`);
}

export interface InstallResult {
  /** Whether the packages came from npm's cache alone. */
  readonly offline: boolean;
  /** What npm printed on stderr (warnings land there). */
  readonly stderr: string;
}

/** `npm ci` in the user's project, from npm's cache when it holds everything. */
export function installUserProject(dir: string): InstallResult {
  // the user's shell: none of what npm gives this repository's own scripts (but the cache's place)
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(npm_|ONNXRUNTIME_NODE_INSTALL)/i.test(k) || k === 'npm_config_cache',
    ),
  );
  const args = ['ci', '--no-audit', '--no-fund'];
  const offline = run('npm', [...args, '--offline'], dir, env);
  if (offline.status === 0) return { offline: true, stderr: offline.stderr };
  if (!/ENOTCACHED/.test(offline.stderr)) throw new Error(`npm ci --offline failed: ${offline.stderr}`);
  const online = run('npm', [...args, '--prefer-offline'], dir, env);
  if (online.status !== 0) throw new Error(`npm ci failed: ${online.stderr}`);
  return { offline: false, stderr: online.stderr };
}
