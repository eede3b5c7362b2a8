#!/usr/bin/env node
// `npm run lint`: everything n8n checks before it verifies a community package.
//   1. `n8n-node lint`: ESLint with @n8n/node-cli's default config, unchanged, in strict mode
//      (package.json n8n.strict), as `n8n-node cloud-support` requires. It covers every *.ts file,
//      which here is the package source only; tests are .cts.
//   1b. The tests, scripts and benchmarks, with their own config (test/eslint.config.mjs).
//   2. A fresh build + `npm pack`, then n8n's own scanner (@n8n/scan-community-package)
//      on the source and on the extracted tarball, as n8n does for verification.
//   3. The tarball holds only what n8n needs: package.json, README.md, LICENSE, index.js, dist/.
// Every step runs even if an earlier one failed, so one run shows all findings.
// Exit code: 0 only when no step reported an error (warnings are printed but pass).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

// Build output and local state that must not reach the staged copy (top-level dot-folders,
// such as .git and .n8n-runtime, and every node_modules are skipped as well).
const NOT_STAGED = new Set(['dist', 'coverage', 'test-results', 'tmp']);

// What the published tarball may contain, besides dist/.
const REQUIRED_TOP = ['package.json', 'README.md', 'index.js'];
const OPTIONAL_TOP = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'];
// dist/ is compiled package source only; these mark tests, fixtures or tooling.
const DIST_ROOTS = ['dist/nodes/', 'dist/credentials/'];
const FORBIDDEN_IN_DIST =
	/(^|\/)(test|tests|__tests__|__mocks__|fixtures?|scripts?|examples?|e2e)(\/|$)|\.(test|spec)\.[cm]?[jt]s$|\.tsbuildinfo$/;

const failures = [];

function step(title) {
	console.log(`\n=== ${title} ===`);
}

function fail(what) {
	failures.push(what);
	console.log(`FAIL: ${what}`);
}

function run(cmd, args, options = {}) {
	return spawnSync(cmd, args, { stdio: 'inherit', encoding: 'utf8', ...options });
}

function listFiles(dir, prefix = '') {
	const out = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const rel = prefix + entry.name;
		if (entry.isDirectory()) out.push(...listFiles(path.join(dir, entry.name), `${rel}/`));
		else out.push(rel);
	}
	return out;
}

// 1. n8n-node lint, in place (it only reads sources).
function nodeCliLint() {
	step('n8n-node lint (ESLint, @n8n/node-cli config)');
	// Strict mode makes n8n-node lint refuse a changed eslint.config.mjs; without it the package
	// is not eligible for n8n Cloud (`n8n-node cloud-support`).
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	if (pkg.n8n?.strict !== true) fail('package.json n8n.strict must be true (n8n Cloud verification)');
	const result = run(path.join(ROOT, 'node_modules', '.bin', 'n8n-node'), ['lint'], { cwd: ROOT });
	if (result.status !== 0) fail(`n8n-node lint exited with ${result.status ?? result.signal}`);
	else console.log('  ok');
}

// 1b. Everything that is not the package, under general rules.
function toolingLint() {
	step('ESLint on tests, scripts and benchmarks (test/eslint.config.mjs)');
	const result = run(
		path.join(ROOT, 'node_modules', '.bin', 'eslint'),
		['--config', 'test/eslint.config.mjs', '--max-warnings=0', 'test', 'scripts', 'benchmarks', 'samples', '*.js'],
		{ cwd: ROOT },
	);
	if (result.status !== 0) fail(`ESLint on tests and tooling exited with ${result.status ?? result.signal}`);
	else console.log('  ok');
}

// 2a. Build and pack a snapshot of the working tree. A separate copy gives a dist/ with
// no stale files from earlier builds (what a clean release build would pack) and does not
// touch the dist/ that tests or a running n8n may be using.
function buildAndPack(work) {
	step('build and npm pack (clean copy of the working tree)');
	const stage = path.join(work, 'stage');
	fs.cpSync(ROOT, stage, {
		recursive: true,
		filter: (src) => {
			const rel = path.relative(ROOT, src);
			if (rel === '') return true;
			const parts = rel.split(path.sep);
			if (parts.includes('node_modules') || NOT_STAGED.has(parts[0]) || rel.endsWith('.tgz')) return false;
			return !(parts.length === 1 && rel.startsWith('.') && fs.statSync(src).isDirectory());
		},
	});
	fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');

	const build = run('npm', ['run', 'build'], { cwd: stage });
	if (build.status !== 0) {
		fail(`npm run build exited with ${build.status ?? build.signal}`);
		return { stage, packageDir: null };
	}

	const packDir = path.join(work, 'pack');
	fs.mkdirSync(packDir);
	// Scripts stay off: we just built, and a community package must not need lifecycle scripts.
	const pack = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], {
		cwd: stage,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	if (pack.status !== 0) {
		process.stderr.write(pack.stderr);
		fail(`npm pack exited with ${pack.status ?? pack.signal}`);
		return { stage, packageDir: null };
	}
	const [{ filename }] = JSON.parse(pack.stdout);
	const packageDir = path.join(work, 'package');
	fs.mkdirSync(packageDir);
	const tar = run('tar', ['-xzf', path.join(packDir, filename), '-C', packageDir, '--strip-components=1']);
	if (tar.status !== 0) {
		fail(`could not extract ${filename}`);
		return { stage, packageDir: null };
	}
	console.log(`packed ${filename}`);
	return { stage, packageDir };
}

// 2b. Tarball contents.
function checkTarballContents(packageDir) {
	step('tarball contents');
	const files = listFiles(packageDir).sort();
	for (const f of files) console.log(`  ${f}`);
	const problems = [];
	for (const f of files) {
		if (f.startsWith('dist/')) {
			if (!DIST_ROOTS.some((root) => f.startsWith(root))) problems.push(`${f}: dist/ may only hold nodes/ and credentials/`);
			else if (FORBIDDEN_IN_DIST.test(f)) problems.push(`${f}: looks like a test, fixture or script`);
		} else if (!REQUIRED_TOP.includes(f) && !OPTIONAL_TOP.includes(f)) {
			problems.push(`${f}: not allowed in the package (only ${[...REQUIRED_TOP, 'LICENSE', 'dist/'].join(', ')})`);
		}
	}
	for (const f of REQUIRED_TOP) if (!files.includes(f)) problems.push(`${f}: missing from the package`);
	if (!files.some((f) => f.startsWith('dist/'))) problems.push('dist/: missing from the package');

	// n8n loads exactly these paths; a typo means the node silently does not exist.
	const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	for (const kind of ['nodes', 'credentials']) {
		for (const p of pkg.n8n?.[kind] ?? []) {
			if (!files.includes(p)) problems.push(`package.json n8n.${kind}: ${p} is not in the package`);
		}
	}
	for (const p of problems) console.log(`  error  ${p}`);
	if (problems.length) fail(`tarball contents: ${problems.length} problem(s)`);
	else console.log('  ok');
}

// 2c. n8n's scanner, with its own ESLint setup (eslint-disable comments are ignored).
async function scan(label, dir, patterns, scanner) {
	step(`@n8n/scan-community-package on the ${label}`);
	const scannerRequire = createRequire(scanner.path);
	const { ESLint } = await import(pathToFileURL(scannerRequire.resolve('eslint')).href);
	const glob = scannerRequire('fast-glob');

	// Same ESLint options as the scanner's analyzePackage, but keeping warnings and rule ids,
	// which analyzePackage only prints (as a block) when there is an error.
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: await scanner.buildScanConfig(),
	});
	const files = glob.sync(patterns, { cwd: dir, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
	const results = await eslint.lintFiles(files);
	let errors = 0;
	let warnings = 0;
	for (const result of results) {
		for (const m of result.messages) {
			const severity = m.severity === 2 || m.fatal ? 'error' : 'warning';
			if (severity === 'error') errors++;
			else warnings++;
			const where = `${path.relative(dir, result.filePath)}:${m.line ?? 0}:${m.column ?? 0}`;
			console.log(`  ${where}  ${severity}  ${m.message}  [${m.ruleId ?? 'parse'}]`);
		}
	}
	console.log(`  ${files.length} files, ${errors} error(s), ${warnings} warning(s)`);

	// The scanner's own verdict decides; if it disagrees with the listing above, show its output.
	const verdict = await scanner.analyzePackage(dir, patterns);
	if (!verdict.passed && errors === 0) console.log(verdict.details ?? verdict.message);
	if (!verdict.passed || errors > 0) fail(`scanner found errors in the ${label}`);
}

async function main() {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'appdirect-lint-'));
	try {
		nodeCliLint();
		toolingLint();
		const { stage, packageDir } = buildAndPack(work);

		const scannerPath = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs');
		// The scanner makes a temp dir when imported; let tmp remove it at exit.
		createRequire(scannerPath)('tmp').setGracefulCleanup();
		const scanner = { path: scannerPath, ...(await import(pathToFileURL(scannerPath).href)) };

		// Source leg: the files n8n lints from the release's git commit.
		await scan('source', stage, scanner.SOURCE_FILE_PATTERNS, scanner);
		if (packageDir) {
			checkTarballContents(packageDir);
			// Tarball leg: exactly the patterns n8n uses on the published package.
			await scan('packed tarball', packageDir, ['**/*.js', 'package.json'], scanner);
		} else {
			fail('tarball not scanned (no package was built)');
		}
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}

	step('summary');
	if (failures.length) {
		for (const f of failures) console.log(`  FAIL  ${f}`);
		process.exitCode = 1;
	} else {
		console.log('  all lint checks passed');
	}
}

await main();
