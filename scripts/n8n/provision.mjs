#!/usr/bin/env node
// Provisions the pinned n8n runtime used by the end-to-end tests and the demo.
// It lives in its own folder with its own package.json so that n8n never
// becomes part of the package's dependency tree.
//
//   node scripts/n8n/provision.mjs          provision (no-op when already done)
//   node scripts/n8n/provision.mjs --force  redo the install
//
// Env: N8N_RUNTIME_DIR overrides the folder (default: <repo>/.n8n-runtime).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const versions = JSON.parse(fs.readFileSync(path.join(here, 'versions.json'), 'utf8'));

const MARKER = '.provisioned.json';
const started = Date.now();

export function runtimeDir() {
	return path.resolve(process.env.N8N_RUNTIME_DIR || path.join(repoRoot, '.n8n-runtime'));
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

/** The provisioned runtime described by the marker, or undefined when it is missing or stale. */
export function readRuntime(dir = runtimeDir()) {
	const marker = readJson(path.join(dir, MARKER));
	if (!marker) return undefined;
	const stale =
		marker.n8n !== versions.n8n ||
		marker.nodeMajor !== versions.nodeMajor ||
		marker.bcryptjs !== versions.bcryptjs ||
		!fs.existsSync(marker.nodeBin) ||
		!fs.existsSync(n8nBinOf(dir));
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
async function withLock(dir, fn) {
	const lock = path.join(dir, '.provision.lock');
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

/**
 * Makes sure the pinned n8n runtime is installed; a fast no-op when the marker
 * says it already is. Returns the runtime description (see readRuntime).
 */
export async function ensureRuntime({ force = false } = {}) {
	const dir = runtimeDir();
	if (!force) {
		const ready = readRuntime(dir);
		if (ready) return ready;
	}
	fs.mkdirSync(dir, { recursive: true });
	return withLock(dir, async () => {
		// Another process may have finished while we waited for the lock.
		if (!force) {
			const ready = readRuntime(dir);
			if (ready) return ready;
		}
		// No marker until the very end: an interrupted run is simply redone.
		fs.rmSync(path.join(dir, MARKER), { force: true });
		log(`provisioning n8n ${versions.n8n} in ${dir}`);

		const node = await ensureNode(dir);
		writeJson(path.join(dir, 'package.json'), {
			name: 'n8n-runtime',
			private: true,
			description: 'Pinned n8n for end-to-end tests and the demo (generated by scripts/n8n/provision.mjs)',
			dependencies: { n8n: versions.n8n, bcryptjs: versions.bcryptjs },
		});

		const env = {
			...cleanEnv(),
			PATH: runtimePath(node.nodeBin),
			// Native modules are compiled against the runtime Node's headers,
			// never downloaded (no internet besides the registry).
			npm_config_nodedir: node.nodeDir,
			npm_config_update_notifier: 'false',
		};
		const t0 = Date.now();
		// --ignore-scripts: n8n-nodes-base's Kafka client would download
		// zlib/OpenSSL sources while building librdkafka.
		log(`npm install n8n@${versions.n8n} --ignore-scripts (a few minutes on a cold cache)`);
		await run(
			'npm',
			['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
			{ cwd: dir, env },
		);
		log(`npm install done in ${((Date.now() - t0) / 1000).toFixed(0)}s; building sqlite3 and isolated-vm`);
		const t1 = Date.now();
		await run('npm', ['rebuild', '--ignore-scripts=false', '--loglevel=error', 'sqlite3', 'isolated-vm'], {
			cwd: dir,
			env,
		});
		log(`native build done in ${((Date.now() - t1) / 1000).toFixed(0)}s`);

		// Load both native modules under the runtime Node to prove the build.
		await run(
			node.nodeBin,
			['-e', "require('sqlite3'); require('isolated-vm'); require('bcryptjs')"],
			{ cwd: dir, env, quiet: true },
		);
		const n8nVersion = (await run(node.nodeBin, [n8nBinOf(dir), '--version'], { cwd: dir, env, quiet: true }))
			.trim()
			.split('\n')
			.pop();
		if (n8nVersion !== versions.n8n) {
			throw new Error(`expected n8n ${versions.n8n}, got ${n8nVersion}`);
		}
		writeJson(path.join(dir, MARKER), {
			n8n: versions.n8n,
			nodeMajor: versions.nodeMajor,
			bcryptjs: versions.bcryptjs,
			nodeBin: node.nodeBin,
			nodeDir: node.nodeDir,
			nodeVersion: node.nodeVersion,
			provisionedAt: new Date().toISOString(),
		});
		log(`n8n ${n8nVersion} ready`);
		return readRuntime(dir);
	});
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const force = process.argv.includes('--force');
	ensureRuntime({ force }).then(
		(rt) => {
			log(`n8n ${rt.n8nVersion} on Node ${rt.nodeVersion} ready in ${rt.dir}`);
		},
		(err) => {
			log(`FAILED: ${err.stack || err.message}`);
			process.exitCode = 1;
		},
	);
}
