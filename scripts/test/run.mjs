#!/usr/bin/env node
// `npm test`: the whole suite, from a fresh clone. Installs what the tests need that npm does
// not (n8n with Node 24, the oldest supported n8n, Chromium, PostgreSQL, Redis), then runs every
// step even if an earlier one failed, and ends with one `tests: N passed, N failed` line.
//
// The installs are mostly download and disk time, so they start at once in the background (their
// output in test-results/<name>.log, printed when a step waits for them) while the steps run: the
// oldest n8n installs during the end-to-end tests, not after them, at a lower CPU priority, and
// the tests keep their temporary files in memory (testTmpdir) so that its disk writes do not
// slow them down.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { setPriority } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { compatVersions } from '../n8n/provision.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const results = path.join(root, 'test-results');
const only = process.argv.slice(2);
const wanted = (name) => only.length === 0 || only.includes(name);

function run(command, args, extraEnv = {}) {
	const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
	return result.status === 0;
}

const backgroundChildren = new Set();
const backgroundTimes = [];
// Logs written in this run (a log from an earlier run is never printed as this one's).
const logsOfThisRun = new Set();
const logFile = (log) => path.join(results, `${log}.log`);

/** Runs a command without waiting for it, its output in test-results/<log>.log; resolves to whether it succeeded. */
function runLogged(log, command, args, extraEnv = {}) {
	const fd = openSync(logFile(log), logsOfThisRun.has(log) ? 'a' : 'w');
	logsOfThisRun.add(log);
	const t0 = Date.now();
	return new Promise((resolve) => {
		// In a process group of its own, so that stopping it stops npm's and apt's children too.
		const child = spawn(command, args, { cwd: root, stdio: ['ignore', fd, fd], env: { ...process.env, ...extraEnv }, detached: true });
		backgroundChildren.add(child);
		// Below the tests in CPU (npm's children inherit it): the tests' n8n goes first.
		if (child.pid) setPriority(child.pid, 10);
		const done = (ok) => {
			backgroundChildren.delete(child);
			resolve(ok);
		};
		child.on('error', () => done(false));
		child.on('exit', (code) => done(code === 0));
	}).finally(() => {
		closeSync(fd);
		// The exit is only seen once a step's spawnSync returns; the log's last write is when it ended.
		const ended = statSync(logFile(log)).mtimeMs;
		backgroundTimes.push(`${log} ${((ended - t0) / 1000).toFixed(0)} s`);
	});
}

/** Stops the installs still running and removes the tests' temporary folder. */
function cleanUp() {
	if (testTmp) rmSync(testTmp, { recursive: true, force: true });
	for (const child of backgroundChildren) {
		try {
			process.kill(-child.pid, 'SIGTERM');
		} catch {
			// already gone
		}
	}
}
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.on(signal, () => {
		cleanUp();
		process.exit(130);
	});
}

/** Waits for a background install and prints what it wrote. */
async function awaitLogged(log, promise) {
	const ok = await promise;
	if (logsOfThisRun.has(log)) process.stdout.write(readFileSync(logFile(log), 'utf8'));
	return ok;
}

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

const findChromium = () => [process.env.CHROMIUM_PATH, ...CHROMIUM_CANDIDATES].find((path) => path && existsSync(path));
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Installs Chromium from Debian packages when it is missing and we may (root, apt). */
async function installChromium() {
	if (findChromium() || !isRoot || !existsSync('/usr/bin/apt-get')) return true;
	const env = { DEBIAN_FRONTEND: 'noninteractive' };
	return (
		(await runLogged('chromium', 'apt-get', ['update', '-qq'], env)) &&
		(await runLogged('chromium', 'apt-get', ['install', '-y', '-qq', 'chromium'], env))
	);
}

/** Tells the browser tests where Chromium is (CHROMIUM_PATH). */
function useChromium() {
	const found = findChromium();
	if (found) {
		process.env.CHROMIUM_PATH = found;
		console.log(`Chromium: ${found}`);
		return true;
	}
	console.error(
		'The editor tests need Chromium. Install it (Debian/Ubuntu: `sudo apt-get install chromium`) or set CHROMIUM_PATH.',
	);
	return false;
}

/**
 * The tests' temporary folder (n8n's user folder and SQLite database, PostgreSQL's data, Chromium's
 * profile): in memory (/dev/shm) when there is one and TMPDIR is not set. On disk, SQLite's fsync
 * waits behind the gigabytes an install writes in the background, long enough for n8n to answer
 * "Database is not ready" (seen in a run). A killed n8n keeps its writes in memory just as on disk.
 */
function testTmpdir() {
	if (process.env.TMPDIR || !existsSync('/dev/shm')) return undefined;
	try {
		const folder = mkdtempSync('/dev/shm/appdirect-tests-');
		// Like /tmp: PostgreSQL runs as its own user and keeps its data in here.
		chmodSync(folder, 0o1777);
		return folder;
	} catch {
		return undefined;
	}
}

function jestStep(project, script, env = {}) {
	return () => {
		const output = path.join(results, `${project}.json`);
		rmSync(output, { force: true });
		const passed = run('npm', ['run', script, '--', '--json', `--outputFile=${output}`], { ...env, ...(testTmp ? { TMPDIR: testTmp } : {}) });
		if (existsSync(output)) {
			const report = JSON.parse(readFileSync(output, 'utf8'));
			counts.passed += report.numPassedTests;
			counts.failed += report.numFailedTests;
			counts.skipped += report.numPendingTests + report.numTodoTests;
			if (report.numTotalTests === 0) {
				console.error(`No ${project} test ran.`);
				return false;
			}
		} else {
			counts.failed += 1;
		}
		return passed;
	};
}

const counts = { passed: 0, failed: 0, skipped: 0 };

mkdirSync(results, { recursive: true });
const testTmp = testTmpdir();
if (testTmp) console.log(`Temporary files of the tests: ${testTmp}`);
const ready = Promise.resolve(true);
// The oldest n8n runs on the pinned runtime's Node and reuses its sqlite3 build, so it comes second.
const pinnedN8n = wanted('n8n') ? runLogged('n8n-install', process.execPath, ['scripts/n8n/provision.mjs']) : ready;
const oldestN8n = wanted('compat')
	? pinnedN8n.then(() => runLogged('n8n-oldest-install', process.execPath, ['scripts/n8n/provision.mjs', `--n8n=${compatVersions()[0]}`]))
	: ready;
// apt-get holds one lock at a time: Chromium first, then PostgreSQL and Redis.
const chromium = wanted('chromium') ? installChromium() : ready;
const services = wanted('postgres+redis')
	? chromium.then(() => runLogged('postgres-redis', process.execPath, ['scripts/services/install.mjs']))
	: ready;

// [name, run, what a failure means]: `counted` steps add their own test counts; `required`
// ones stop the run, since what follows cannot work without them.
const steps = [
	['build', () => run('npm', ['run', 'build']), 'required'],
	['typecheck', () => run('npm', ['run', 'typecheck']), 'check'],
	['lint', () => run('npm', ['run', 'lint']), 'check'],
	['unit', jestStep('unit', 'test:unit'), 'counted'],
	['n8n', () => awaitLogged('n8n-install', pinnedN8n), 'required'],
	['e2e', jestStep('e2e', 'test:e2e'), 'counted'],
	['reliability', jestStep('reliability', 'test:reliability'), 'counted'],
	['chromium', async () => (await awaitLogged('chromium', chromium)) && useChromium(), 'required'],
	['browser', jestStep('browser', 'test:browser'), 'counted'],
	// PostgreSQL and Redis for the queue-mode tests, from Debian packages (installed when root).
	['postgres+redis', () => awaitLogged('postgres-redis', services), 'check'],
	// Sized for CI: 400 notifications per answer mode show the same (none lost, none duplicated, both
	// workers, every event) in under half the time; `npm run test:queue` alone sends 1,000.
	['queue', jestStep('queue', 'test:queue', { QUEUE_NOTIFICATIONS: process.env.QUEUE_NOTIFICATIONS ?? '400' }), 'counted'],
	// The trigger suite on the oldest supported n8n too (npm run test:compat runs every supported version).
	// (scripts/compat/run.mjs installs it again if the background install failed, and says why.)
	[
		'compat',
		async () => {
			await awaitLogged('n8n-oldest-install', oldestN8n);
			return jestStep('compat', 'test:compat:oldest')();
		},
		'counted',
	],
];

const summary = [];
const started = Date.now();
for (const [name, step, kind] of steps) {
	if (!wanted(name)) continue;
	const t0 = Date.now();
	console.log(`\n=== ${name} ===`);
	const ok = await step();
	summary.push(`${ok ? 'ok    ' : 'FAILED'} ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
	if (!ok && kind !== 'counted') counts.failed += 1;
	if (!ok && kind === 'required') break;
}
cleanUp();
const installs = backgroundTimes.length > 0 ? `\ninstalls in the background: ${backgroundTimes.join(', ')}` : '';
console.log(`\n=== summary (${((Date.now() - started) / 1000).toFixed(0)} s) ===\n${summary.join('\n')}${installs}`);
console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(summary.every((line) => line.startsWith('ok')) && counts.failed === 0 ? 0 : 1);
