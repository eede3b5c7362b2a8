#!/usr/bin/env node
// `npm test`: the whole suite, from a fresh clone. Installs what the tests need that npm does
// not (n8n with Node 24, Chromium), then runs every step even if an earlier one failed, and
// ends with one `tests: N passed, N failed` line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results');
const only = process.argv.slice(2);

function run(command, args, extraEnv = {}) {
	const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
	return result.status === 0;
}

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

const findChromium = () => [process.env.CHROMIUM_PATH, ...CHROMIUM_CANDIDATES].find((path) => path && existsSync(path));

/** Finds or installs Chromium and tells the browser tests where it is (CHROMIUM_PATH). */
function ensureChromium() {
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (!findChromium() && isRoot && existsSync('/usr/bin/apt-get')) {
		console.log('Installing Chromium from Debian packages for the editor tests…');
		const env = { DEBIAN_FRONTEND: 'noninteractive' };
		if (!run('apt-get', ['update', '-qq'], env) || !run('apt-get', ['install', '-y', '-qq', 'chromium'], env)) return false;
	}
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

function jestStep(project, script) {
	return () => {
		const output = path.join(results, `${project}.json`);
		rmSync(output, { force: true });
		const passed = run('npm', ['run', script, '--', '--json', `--outputFile=${output}`]);
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
// [name, run, what a failure means]: `counted` steps add their own test counts; `required`
// ones stop the run, since what follows cannot work without them.
const steps = [
	['build', () => run('npm', ['run', 'build']), 'required'],
	['typecheck', () => run('npm', ['run', 'typecheck']), 'check'],
	['lint', () => run('npm', ['run', 'lint']), 'check'],
	['unit', jestStep('unit', 'test:unit'), 'counted'],
	['n8n', () => run(process.execPath, ['scripts/n8n/provision.mjs']), 'required'],
	['e2e', jestStep('e2e', 'test:e2e'), 'counted'],
	['chromium', ensureChromium, 'required'],
	['browser', jestStep('browser', 'test:browser'), 'counted'],
	// PostgreSQL and Redis for the queue-mode tests, from Debian packages (installed when root).
	['postgres+redis', () => run(process.execPath, ['scripts/services/install.mjs']), 'check'],
	['queue', jestStep('queue', 'test:queue'), 'counted'],
	// The trigger suite on the oldest supported n8n too (npm run test:compat runs every supported version).
	['compat', jestStep('compat', 'test:compat:oldest'), 'counted'],
];

mkdirSync(results, { recursive: true });
const summary = [];
const started = Date.now();
for (const [name, step, kind] of steps) {
	if (only.length > 0 && !only.includes(name)) continue;
	const t0 = Date.now();
	console.log(`\n=== ${name} ===`);
	const ok = step();
	summary.push(`${ok ? 'ok    ' : 'FAILED'} ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
	if (!ok && kind !== 'counted') counts.failed += 1;
	if (!ok && kind === 'required') break;
}
console.log(`\n=== summary (${((Date.now() - started) / 1000).toFixed(0)} s) ===\n${summary.join('\n')}`);
console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(summary.every((line) => line.startsWith('ok')) && counts.failed === 0 ? 0 : 1);
