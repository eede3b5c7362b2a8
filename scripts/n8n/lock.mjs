#!/usr/bin/env node
// Writes the lockfile an n8n runtime is installed from (scripts/n8n/lockfiles/n8n-<version>/),
// so that provisioning is `npm ci` of a committed, complete package tree.
//
//   node scripts/n8n/lock.mjs <version>         lock that n8n version (re-resolves an existing lock)
//   node scripts/n8n/lock.mjs <version> --pin   ...and make it the pinned version (npm run n8n:pin -- <version>)
//
// Resolution is `npm install --package-lock-only`: it reads only registry metadata, and fails when
// a version n8n's tree asks for is missing from the registry (as for n8n 2.41.3 here): then lock
// another version.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { cleanEnv, lockfileDir, repoRoot, run, versions } from './provision.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (msg) => process.stderr.write(`[n8n-lock] ${msg}\n`);

// n8n-nodes-base up to 2.x took SheetJS from its CDN (`xlsx: https://cdn.sheetjs.com/…`), which is not
// a registry and unreachable from here; the same release is on npm as @e965/xlsx (n8n itself moved to it).
async function overridesFor(version, env) {
	const base = (await run('npm', ['view', `n8n@${version}`, 'dependencies.n8n-nodes-base'], { env, quiet: true })).trim();
	if (!base) return {};
	const xlsx = (await run('npm', ['view', `n8n-nodes-base@${base}`, 'dependencies.xlsx'], { env, quiet: true })).trim();
	const fromCdn = xlsx.match(/^https:\/\/cdn\.sheetjs\.com\/xlsx-([\d.]+)\//);
	return fromCdn ? { xlsx: `npm:@e965/xlsx@${fromCdn[1]}` } : {};
}

export async function lockVersion(version) {
	if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`not an exact n8n version: ${version}`);
	const env = cleanEnv();
	const overrides = await overridesFor(version, env);
	const manifest = {
		name: 'n8n-runtime',
		private: true,
		description: `n8n ${version} for end-to-end tests and the demo (written by scripts/n8n/lock.mjs, installed by provision.mjs)`,
		dependencies: { n8n: version, bcryptjs: versions.bcryptjs },
		...(Object.keys(overrides).length > 0 && { overrides }),
	};
	const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-lock-'));
	try {
		fs.writeFileSync(path.join(scratch, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
		log(`resolving n8n@${version} and its dependencies (about a minute)`);
		await run('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
			cwd: scratch,
			env,
		});
		const target = lockfileDir(version);
		fs.mkdirSync(target, { recursive: true });
		for (const file of ['package.json', 'package-lock.json']) {
			fs.copyFileSync(path.join(scratch, file), path.join(target, file));
		}
		const count = Object.keys(JSON.parse(fs.readFileSync(path.join(target, 'package-lock.json'), 'utf8')).packages).length - 1;
		log(`${path.relative(repoRoot, target)}: ${count} packages locked`);
		return target;
	} finally {
		fs.rmSync(scratch, { recursive: true, force: true });
	}
}

/** Makes `version` the pinned n8n: versions.json, and the previous pin's lockfile goes unless it is a compat version. */
function pin(version) {
	const file = path.join(here, 'versions.json');
	const current = JSON.parse(fs.readFileSync(file, 'utf8'));
	const previous = current.n8n;
	current.n8n = version;
	fs.writeFileSync(file, JSON.stringify(current, null, 2) + '\n');
	if (previous !== version && !(current.compat ?? []).includes(previous)) {
		fs.rmSync(lockfileDir(previous), { recursive: true, force: true });
	}
	log(`pinned n8n ${version} (was ${previous}); the next test run or demo installs it`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const args = process.argv.slice(2);
	const targets = args.filter((arg) => !arg.startsWith('--'));
	if (targets.length !== 1) {
		log('usage: node scripts/n8n/lock.mjs <n8n version> [--pin]');
		process.exit(2);
	}
	lockVersion(targets[0]).then(
		() => {
			if (args.includes('--pin')) pin(targets[0]);
		},
		(err) => {
			log(`FAILED: ${err.message}`);
			process.exitCode = 1;
		},
	);
}
