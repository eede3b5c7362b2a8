#!/usr/bin/env node
// Provisions the pinned n8n runtime used by the end-to-end tests and the demo.
// It lives in its own folder with its own package.json so that n8n never
// becomes part of the package's dependency tree.
//
//   node scripts/n8n/provision.mjs          provision (no-op when already done)
//   node scripts/n8n/provision.mjs --force  redo the install
//   node scripts/n8n/provision.mjs --n8n=1.123.81   another n8n version with a committed lockfile
//
// Every n8n version is installed with `npm ci` from the lockfile committed in
// scripts/n8n/lockfiles/n8n-<version>/ (scripts/n8n/lock.mjs writes it), so a
// fresh clone installs exactly the packages CI installed.
//
// Env: N8N_RUNTIME_DIR overrides the folder (default: <repo>/.n8n-runtime); other
// versions go next to it (<folder>-<version>). APPDIRECT_N8N_VERSION picks the
// version tests and the demo use (default: the pinned one).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const versions = JSON.parse(fs.readFileSync(path.join(here, 'versions.json'), 'utf8'));

const MARKER = '.provisioned.json';
const started = Date.now();

/** The pinned n8n's folder; any other version lives next to it, in <folder>-<version>. */
export function runtimeDir(version = versions.n8n) {
	const pinned = path.resolve(process.env.N8N_RUNTIME_DIR || path.join(repoRoot, '.n8n-runtime'));
	return version === versions.n8n ? pinned : `${pinned}-${version}`;
}

/** The n8n version tests and the demo run on: APPDIRECT_N8N_VERSION, or the pinned one. */
export function selectedVersion() {
	return process.env.APPDIRECT_N8N_VERSION || versions.n8n;
}

/** Older n8n versions the package supports and is tested on, oldest first. */
export function compatVersions() {
	const parts = (v) => v.split('.').map(Number);
	return [...(versions.compat ?? [])].sort((a, b) => {
		const [x, y] = [parts(a), parts(b)];
		return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
	});
}

/** Where the committed package.json and package-lock.json of an n8n version live. */
export function lockfileDir(version) {
	return path.join(here, 'lockfiles', `n8n-${version}`);
}

function log(msg) {
	const secs = ((Date.now() - started) / 1000).toFixed(1);
	process.stderr.write(`[n8n-runtime +${secs}s] ${msg}\n`);
}

/**
 * Runs a command; resolves to what it printed (when piped), rejects with its tail on failure.
 * By default its output goes to stderr so that callers parsing stdout stay clean.
 */
export function run(cmd, args, { cwd, env = process.env, quiet = false, stdio, label } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, {
			cwd,
			env,
			stdio: stdio ?? (quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', process.stderr, process.stderr]),
		});
		let out = '';
		child.stdout?.on('data', (d) => (out += d));
		child.stderr?.on('data', (d) => (out += d));
		child.on('error', reject);
		child.on('exit', (code, signal) => {
			if (code === 0) resolve(out);
			else reject(new Error(`${label ?? `${cmd} ${args.join(' ')}`} failed (${signal ?? code})\n${out.slice(-4000)}`));
		});
	});
}

function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

function writeJson(file, value) {
	fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

function n8nBinOf(dir) {
	return path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
}

// The resolved package tree of a lockfile, for comparing an installed runtime with the committed lock.
function lockedTree(file) {
	return JSON.stringify(readJson(file)?.packages ?? null);
}

/** The provisioned runtime described by the marker, or undefined when it is missing or stale. */
export function readRuntime(dir = runtimeDir(), version = versions.n8n) {
	const marker = readJson(path.join(dir, MARKER));
	if (!marker) return undefined;
	const stale =
		marker.n8n !== version ||
		marker.nodeMajor !== versions.nodeMajor ||
		marker.bcryptjs !== versions.bcryptjs ||
		!fs.existsSync(marker.nodeBin) ||
		!fs.existsSync(n8nBinOf(dir)) ||
		// A changed lockfile (npm run n8n:pin, or a refreshed lock) means a reinstall.
		(fs.existsSync(lockfileDir(version)) &&
			lockedTree(path.join(dir, 'package-lock.json')) !== lockedTree(path.join(lockfileDir(version), 'package-lock.json')));
	if (stale) return undefined;
	return {
		dir,
		nodeBin: marker.nodeBin,
		nodeVersion: marker.nodeVersion,
		nodeDir: marker.nodeDir,
		n8nBin: n8nBinOf(dir),
		n8nVersion: marker.n8n,
		nodeModules: path.join(dir, 'node_modules'),
	};
}

// Under `npm run`/`npm test`, npm exports its whole config as npm_config_*
// (including the project's ignore-scripts=true, prefix, nodedir) and child npm
// processes would obey it. Keep only what says where and how to reach the registry.
const KEEP_NPM_ENV = /^npm_config_(registry|cache|userconfig|globalconfig|cafile|ca|strict_ssl|proxy|https_proxy|noproxy|fetch_.*|@.*:registry)$/i;
export function cleanEnv(base = process.env) {
	const env = {};
	for (const [k, v] of Object.entries(base)) {
		if (/^npm_/i.test(k) && !KEEP_NPM_ENV.test(k)) continue;
		if (k === 'INIT_CWD') continue;
		env[k] = v;
	}
	return env;
}

/** PATH with the runtime's Node first, so that `node` shebangs (npm, n8n) run on Node 24. */
export function runtimePath(nodeBin, basePath = process.env.PATH ?? '') {
	return [path.dirname(nodeBin), basePath].filter(Boolean).join(path.delimiter);
}

// Uses the host Node when it already is the pinned major and ships its headers
// (native modules must be compiled against it); otherwise installs the npm
// package `node@<major>` inside the runtime folder.
async function ensureNode(dir) {
	const major = versions.nodeMajor;
	const hostMajor = Number(process.versions.node.split('.')[0]);
	const hostPrefix = path.resolve(path.dirname(process.execPath), '..');
	if (hostMajor === major && fs.existsSync(path.join(hostPrefix, 'include', 'node', 'node.h'))) {
		log(`using host Node ${process.version} (${process.execPath})`);
		return { nodeBin: process.execPath, nodeDir: hostPrefix, nodeVersion: process.version };
	}

	const nodeRoot = path.join(dir, 'node');
	const pkgDir = path.join(nodeRoot, 'node_modules', 'node');
	// The `node` package's preinstall fetches node-<os>-<arch> from the registry.
	const archPkg = path.join(pkgDir, 'node_modules', `node-${process.platform}-${process.arch}`);
	const nodeBin = path.join(archPkg, 'bin', 'node');
	const version = fs.existsSync(nodeBin)
		? await run(nodeBin, ['--version'], { quiet: true }).catch(() => '')
		: '';
	if (!version.startsWith(`v${major}.`)) {
		log(`host Node is ${process.version}; installing node@${major} from the npm registry`);
		fs.rmSync(nodeRoot, { recursive: true, force: true });
		fs.mkdirSync(nodeRoot, { recursive: true });
		writeJson(path.join(nodeRoot, 'package.json'), {
			name: 'n8n-runtime-node',
			private: true,
			description: 'Node.js for the n8n test runtime (generated by scripts/n8n/provision.mjs)',
		});
		// Scripts are needed here: the arch-specific binary arrives through preinstall.
		await run(
			'npm',
			['install', '--ignore-scripts=false', '--no-audit', '--no-fund', '--loglevel=error', `node@${major}`],
			{ cwd: nodeRoot, env: cleanEnv() },
		);
	}
	if (!fs.existsSync(path.join(archPkg, 'include', 'node', 'node.h'))) {
		throw new Error(`node@${major} installed without headers at ${archPkg}/include`);
	}
	const nodeVersion = (await run(nodeBin, ['--version'], { quiet: true })).trim();
	log(`using Node ${nodeVersion} from ${path.relative(process.cwd(), nodeBin) || nodeBin}`);
	return { nodeBin, nodeDir: archPkg, nodeVersion };
}

// A lock folder so that parallel callers (jest workers, two terminals) do not
// install into the same folder at once. A lock left by a dead process is taken over.
async function withLock(dir, fn, lockName = '.provision.lock') {
	const lock = path.join(dir, lockName);
	const announce = Date.now();
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch (err) {
			if (err.code !== 'EEXIST') throw err;
			let pid = 0;
			let age = 0;
			try {
				age = Date.now() - fs.statSync(lock).mtimeMs;
				pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8').trim()) || 0;
			} catch {
				// Lock just created (pid not written yet) or just released.
			}
			// A lock without a pid long after creation: its owner died in between.
			if (!pid && age > 30_000) {
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			let alive = false;
			try {
				alive = pid > 0 && process.kill(pid, 0);
			} catch (e) {
				alive = e.code === 'EPERM';
			}
			if (!alive && pid > 0) {
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			// Held by a live process (or its pid is not written yet): wait.
			if (Date.now() - announce > 5000 && Date.now() - announce < 7000) {
				log(`waiting for another provisioning (pid ${pid || '?'})`);
			}
			await new Promise((r) => setTimeout(r, 1000));
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

// Native modules n8n needs that npm ci --ignore-scripts leaves unbuilt (isolated-vm: n8n >= 1.1xx's task runner).
const NATIVE_MODULES = ['sqlite3', 'isolated-vm'];

// A native module the pinned runtime already built for the same Node, at the same version, is
// copied instead of compiled again (sqlite3 is the same in most n8n versions; ~1 minute saved).
function reuseNativeBuild(name, dir, node) {
	const pinned = readRuntime(runtimeDir(versions.n8n), versions.n8n);
	if (!pinned || pinned.dir === dir || pinned.nodeBin !== node.nodeBin) return false;
	const versionIn = (root) => readJson(path.join(root, 'node_modules', name, 'package.json'))?.version;
	if (versionIn(pinned.dir) !== versionIn(dir)) return false;
	const built = path.join(pinned.dir, 'node_modules', name, 'build', 'Release');
	const binaries = fs.existsSync(built) ? fs.readdirSync(built).filter((file) => file.endsWith('.node')) : [];
	if (binaries.length === 0) return false;
	const target = path.join(dir, 'node_modules', name, 'build', 'Release');
	fs.mkdirSync(target, { recursive: true });
	for (const file of binaries) fs.copyFileSync(path.join(built, file), path.join(target, file));
	return true;
}

/**
 * Makes sure an n8n runtime is installed (default: APPDIRECT_N8N_VERSION or the pinned
 * version); a fast no-op when the marker says it already is. Returns the runtime
 * description (see readRuntime).
 */
export async function ensureRuntime({ force = false, version = selectedVersion() } = {}) {
	const dir = runtimeDir(version);
	if (!force) {
		const ready = readRuntime(dir, version);
		if (ready) return ready;
	}
	const locked = lockfileDir(version);
	if (!fs.existsSync(path.join(locked, 'package-lock.json'))) {
		throw new Error(
			`no lockfile for n8n ${version} in ${path.relative(repoRoot, locked)}: create it with \`node scripts/n8n/lock.mjs ${version}\``,
		);
	}
	fs.mkdirSync(dir, { recursive: true });
	return withLock(dir, async () => {
		// Another process may have finished while we waited for the lock.
		if (!force) {
			const ready = readRuntime(dir, version);
			if (ready) return ready;
		}
		// No marker until the very end: an interrupted run is simply redone.
		fs.rmSync(path.join(dir, MARKER), { force: true });
		log(`provisioning n8n ${version} in ${dir}`);

		// One Node for every n8n version: the pinned runtime's (or the host's).
		const pinnedDir = runtimeDir(versions.n8n);
		fs.mkdirSync(pinnedDir, { recursive: true });
		const node = await withLock(pinnedDir, () => ensureNode(pinnedDir), '.node.lock');
		for (const file of ['package.json', 'package-lock.json']) {
			fs.copyFileSync(path.join(locked, file), path.join(dir, file));
		}

		const env = {
			...cleanEnv(),
			PATH: runtimePath(node.nodeBin),
			// Native modules are compiled against the runtime Node's headers,
			// never downloaded (no internet besides the registry).
			npm_config_nodedir: node.nodeDir,
			npm_config_update_notifier: 'false',
			// node-gyp compiles with one job unless told: isolated-vm has many files.
			JOBS: 'max',
		};
		const t0 = Date.now();
		// npm ci installs exactly the committed lockfile. --ignore-scripts: n8n-nodes-base's
		// Kafka client would download zlib/OpenSSL sources while building librdkafka.
		log(`npm ci n8n@${version} --ignore-scripts (a few minutes)`);
		await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env });
		const natives = NATIVE_MODULES.filter((name) => fs.existsSync(path.join(dir, 'node_modules', name, 'package.json')));
		const copied = natives.filter((name) => reuseNativeBuild(name, dir, node));
		const toBuild = natives.filter((name) => !copied.includes(name));
		log(`npm ci done in ${((Date.now() - t0) / 1000).toFixed(0)}s${copied.length ? `; ${copied.join(' and ')} copied from the pinned runtime` : ''}`);
		if (toBuild.length > 0) {
			log(`building ${toBuild.join(' and ')}`);
			const t1 = Date.now();
			await run('npm', ['rebuild', '--ignore-scripts=false', '--loglevel=error', ...toBuild], { cwd: dir, env });
			log(`native build done in ${((Date.now() - t1) / 1000).toFixed(0)}s`);
		}

		// Load the native modules under the runtime Node to prove the build.
		const requires = [...natives, 'bcryptjs'].map((name) => `require('${name}');`).join(' ');
		await run(node.nodeBin, ['-e', requires], { cwd: dir, env, quiet: true });
		const n8nVersion = (await run(node.nodeBin, [n8nBinOf(dir), '--version'], { cwd: dir, env, quiet: true }))
			.trim()
			.split('\n')
			.pop();
		if (n8nVersion !== version) {
			throw new Error(`expected n8n ${version}, got ${n8nVersion}`);
		}
		writeJson(path.join(dir, MARKER), {
			n8n: version,
			nodeMajor: versions.nodeMajor,
			bcryptjs: versions.bcryptjs,
			nodeBin: node.nodeBin,
			nodeDir: node.nodeDir,
			nodeVersion: node.nodeVersion,
			provisionedAt: new Date().toISOString(),
		});
		log(`n8n ${n8nVersion} ready`);
		return readRuntime(dir, version);
	});
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const force = process.argv.includes('--force');
	const version = process.argv.find((arg) => arg.startsWith('--n8n='))?.slice('--n8n='.length);
	ensureRuntime({ force, ...(version && { version }) }).then(
		(rt) => {
			log(`n8n ${rt.n8nVersion} on Node ${rt.nodeVersion} ready in ${rt.dir}`);
		},
		(err) => {
			log(`FAILED: ${err.stack || err.message}`);
			process.exitCode = 1;
		},
	);
}
