#!/usr/bin/env node
// `npm run test:compat`: the end-to-end trigger suite against every older n8n version the package
// supports (scripts/n8n/versions.json "compat"; the pinned version is covered by `npm run test:e2e`).
// Each version is installed next to the pinned runtime from its committed lockfile, on the same Node.
//
//   npm run test:compat                      every supported version
//   npm run test:compat -- --oldest          only the oldest (what `npm test` runs)
//   npm run test:compat -- 2.0.0             the versions named
//   npm run test:compat -- -t "token"        extra arguments go to jest
//
// With `--json --outputFile=<file>` (as `npm test` passes them) each version writes its own jest
// report and <file> gets their sum.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { compatVersions, ensureRuntime } from '../n8n/provision.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// The compatibility subset: loading, every output layout, token answers, both answer modes and
// the item contract, all in one suite against one n8n.
export const COMPAT_TESTS = ['test/e2e/trigger.test.cts'];

const args = process.argv.slice(2);
const supported = compatVersions();
const named = args.filter((arg) => /^\d+\.\d+\.\d+$/.test(arg));
const outputArg = args.find((arg) => arg.startsWith('--outputFile='));
const jestArgs = args.filter((arg) => arg !== '--oldest' && !named.includes(arg) && arg !== outputArg);
const selected = named.length > 0 ? named : args.includes('--oldest') ? supported.slice(0, 1) : supported;

const unknown = selected.filter((version) => !supported.includes(version));
if (unknown.length > 0) {
	console.error(`Not a supported version in scripts/n8n/versions.json "compat": ${unknown.join(', ')} (supported: ${supported.join(', ')})`);
	process.exit(2);
}

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
const summary = [];
const reports = [];
let ok = true;

// The suite installs the packed package: build it as users get it.
const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

for (const version of selected) {
	console.log(`\n=== n8n ${version} ===`);
	const t0 = Date.now();
	try {
		await ensureRuntime({ version });
	} catch (error) {
		console.error(error.message);
		summary.push(`FAILED n8n ${version}: provisioning (${seconds(t0)})`);
		ok = false;
		continue;
	}
	const installed = seconds(t0);
	const t1 = Date.now();
	const output = outputArg && `${outputArg.slice('--outputFile='.length)}.${version}.json`;
	const result = spawnSync(
		'npx',
		['jest', '--selectProjects', 'e2e', '--runInBand', ...jestArgs, ...(output ? [`--outputFile=${output}`] : []), ...COMPAT_TESTS],
		{
			cwd: root,
			stdio: 'inherit',
			env: { ...process.env, APPDIRECT_N8N_VERSION: version, NODE_OPTIONS: '--experimental-vm-modules' },
		},
	);
	const passed = result.status === 0;
	ok &&= passed;
	let counts = '';
	if (output && existsSync(output)) {
		const report = JSON.parse(readFileSync(output, 'utf8'));
		reports.push(report);
		counts = `, ${report.numPassedTests} passed, ${report.numFailedTests} failed`;
	}
	summary.push(`${passed ? 'ok    ' : 'FAILED'} n8n ${version}: install ${installed}, tests ${seconds(t1)}${counts}`);
}

if (outputArg) {
	const file = outputArg.slice('--outputFile='.length);
	mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
	const sum = (key) => reports.reduce((total, report) => total + (report[key] ?? 0), 0);
	writeFileSync(
		file,
		JSON.stringify({
			success: ok,
			numPassedTests: sum('numPassedTests'),
			numFailedTests: sum('numFailedTests'),
			numPendingTests: sum('numPendingTests'),
			numTodoTests: sum('numTodoTests'),
			numTotalTests: sum('numTotalTests'),
			versions: selected,
		}),
	);
}
console.log(`\n=== compatibility ===\n${summary.join('\n')}`);
process.exit(ok ? 0 : 1);
