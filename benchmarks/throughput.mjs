#!/usr/bin/env node
// What one AppDirect notification costs inside a real n8n (SQLite, regular mode, loopback only),
// side by side with what a user would build instead, in one run:
//   (a) Webhook node, no auth → NoOp                      the floor inside n8n
//   (b) Webhook node + Header Auth → Switch (4 rules) → 4 NoOps: what a user builds without us
//   (c) AppDirect Trigger v2, token, one output per event (4) → NoOps
//   (d) AppDirect Trigger v2, no auth
// each under n8n's defaults and under expression-engine settings an operator may choose, one
// n8n per setting; (b) and (c) in both answer modes; then a long run of (c) for memory.
// Usage: npm run bench:n8n            (npm run build && node benchmarks/throughput.mjs)//        node benchmarks/throughput.mjs --help
// What is measured: throughput/scenarios.mjs; how: throughput/measure.mjs; the report: throughput/report.mjs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { startN8n } from '../scripts/n8n/instance.mjs';
import { summarizeProfiles } from './profile.mjs';
import { rssMiB, rssPartsMiB, treeRssMiB } from './proc.mjs';
import {
	batch,
	drain,
	engineCounters,
	forgetExecutionIds,
	largeBodies,
	log,
	mainPid,
	newResult,
	sendAll,
	smallBodies,
	split,
	T0,
} from './throughput/measure.mjs';
import { f0, machineFacts, mismatches, report, soakSummary } from './throughput/report.mjs';
import {
	ALL_SMALL,
	BEARER,
	CONFIGS,
	CREDENTIAL,
	HEADER_CREDENTIAL,
	OAUTH2_CLIENT,
	OAUTH2_CREDENTIAL,
	PLAN_DEFAULT,
	SCENARIOS,
	TOKEN,
	tokenUrlOf,
	urlOf,
	webhookOf,
	workflowOf,
} from './throughput/scenarios.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values: opts } = parseArgs({
	options: {
		plan: { type: 'string', default: PLAN_DEFAULT },
		requests: { type: 'string', default: '150' },
		concurrency: { type: 'string', default: '8' },
		rounds: { type: 'string', default: '3' },
		warmup: { type: 'string', default: '20' },
		large: { type: 'string', default: '16' },
		'large-concurrency': { type: 'string', default: '2' },
		soak: { type: 'string', default: '20000' },
		'soak-config': { type: 'string', default: 'tuned' },
		'soak-scenario': { type: 'string', default: 'c' },
		'soak-batch': { type: 'string', default: '1000' },
		'soak-node-options': { type: 'string' },
		profile: { type: 'boolean', default: false },
		out: { type: 'string' },
		package: { type: 'string' },
		help: { type: 'boolean', short: 'h', default: false },
	},
});
if (opts.help) {
	console.log(`Usage: npm run build && node benchmarks/throughput.mjs [options]

  --plan P               which n8n settings and scenarios, "config:scenario,…;config:…"
                         (default ${PLAN_DEFAULT})
                         configs: ${Object.keys(CONFIGS).join(', ')}
                         scenarios: ${Object.keys(SCENARIOS).join(', ')}
  --requests N           measured requests per small-body scenario (default 150)
  --concurrency C        requests in flight for small bodies (default 8)
  --rounds R             batches per scenario; the order of the scenarios rotates (default 3)
  --warmup W             unmeasured requests per workflow before measuring (default 20; 4 for ~1 MB)
  --large N              measured ~1 MB requests per large-body scenario (default 16)
  --large-concurrency C  requests in flight for ~1 MB bodies (default 2)
  --soak N               notifications of (c) in the memory run; 0 skips it (default 20000)
  --soak-config C        the settings of the memory run (default tuned)
  --soak-scenario S      what the memory run sends (default c; a is the control)
  --soak-batch N         notifications per batch in the memory run (default 1000)
  --soak-node-options O  NODE_OPTIONS for n8n in the memory run, e.g. "--max-old-space-size=512"
  --profile              n8n runs with --cpu-prof; prints where its CPU went (slower: not for figures);
                         the profiles stay in benchmarks/results/profiles-<time>/
  --out FILE             raw results as JSON (default benchmarks/results/throughput-<time>.json)
  --package FILE         an n8n-nodes-appdirect tarball to test instead of packing this tree`);
	process.exit(0);
}
const integer = (name, min = 1) => {
	const value = Number(opts[name]);
	if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}`);
	return value;
};
const REQUESTS = integer('requests');
const CONCURRENCY = integer('concurrency');
const ROUNDS = integer('rounds');
const WARMUP = integer('warmup', 0);
const LARGE = integer('large', 0);
const LARGE_CONCURRENCY = integer('large-concurrency');
const SOAK = integer('soak', 0);
const SOAK_BATCH = integer('soak-batch');
const SOAK_CONFIG = opts['soak-config'];
if (!CONFIGS[SOAK_CONFIG]) throw new Error(`--soak-config must be one of ${Object.keys(CONFIGS).join(', ')}`);
const SOAK_SCENARIO = opts['soak-scenario'];
if (!SCENARIOS[SOAK_SCENARIO] || SCENARIOS[SOAK_SCENARIO].large) throw new Error('--soak-scenario must be a small-body scenario');

/** [{ config, scenarios }] in the order given. */
const PLAN = opts.plan.split(';').filter(Boolean).map((part) => {
	const [config, list = ALL_SMALL.join(',')] = part.split(':');
	if (!CONFIGS[config]) throw new Error(`unknown config "${config}" in --plan`);
	const scenarios = list.split(',').filter(Boolean).filter((key) => LARGE > 0 || !SCENARIOS[key]?.large);
	for (const key of scenarios) if (!SCENARIOS[key]) throw new Error(`unknown scenario "${key}" in --plan`);
	return { config, scenarios };
});

// ---------- one n8n per setting ----------

let current;
let packDir;
async function stopCurrent() {
	const instance = current;
	current = undefined;
	if (instance) {
		log('stopping n8n');
		await instance.stop().catch((error) => log(`stop failed: ${error.message}`));
	}
}

async function withN8n(config, keys, tarball, profileDir, run, extraEnv = {}) {
	log(`starting n8n with ${CONFIGS[config].label}`);
	const env = {
		...CONFIGS[config].env,
		// Only to read the expression engine's counters; n8n counts them whether or not this is on.
		N8N_METRICS: 'true',
		N8N_METRICS_INCLUDE_DEFAULT_METRICS: 'false',
		...extraEnv,
		N8N_METRICS_INCLUDE_WORKFLOW_EXECUTION_DURATION: 'false',
		...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
	};
	// Default log level: startN8n waits for an info line ("Editor is now accessible").
	current = await startN8n({ packages: [tarball], workflows: keys.map(workflowOf), publish: false, env });
	// A new database: execution ids start again.
	forgetExecutionIds();
	const n8n = current;
	log(`n8n ready on ${n8n.baseUrl} (pid ${n8n.pid})`);
	// Published after the credentials exist, like a user would (and like the e2e tests do).
	await n8n.api('POST', '/credentials', { ...CREDENTIAL, type: 'appDirectWebhookTokenApi', data: { token: TOKEN } });
	// Checks the same header the AppDirect Trigger checks, so both sides authenticate alike.
	await n8n.api('POST', '/credentials', { ...HEADER_CREDENTIAL, type: 'httpHeaderAuth', data: { name: 'x-appdirect-webhook-token', value: TOKEN } });
	await n8n.api('POST', '/credentials', { ...OAUTH2_CREDENTIAL, data: OAUTH2_CLIENT });
	for (const key of keys) {
		await n8n.api('POST', `/workflows/${SCENARIOS[key].id}/publish`, {});
		await n8n.waitForPublished(SCENARIOS[key].id);
		await n8n.waitForWebhook(webhookOf(key));
	}
	BEARER.token = '';
	const oauth2 = keys.find((key) => SCENARIOS[key].auth === 'oauth2');
	if (oauth2) BEARER.token = await fetchBearer(tokenUrlOf(n8n, oauth2));
	try {
		return await run(n8n);
	} finally {
		await stopCurrent();
	}
}

/** One token from the scenario's token endpoint, reused for every request (valid one hour). */
async function fetchBearer(tokenUrl) {
	const basic = Buffer.from(`${OAUTH2_CLIENT.clientId}:${OAUTH2_CLIENT.clientSecret}`).toString('base64');
	const res = await fetch(tokenUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
		body: 'grant_type=client_credentials',
	});
	const answer = await res.json();
	if (res.status !== 200 || typeof answer.access_token !== 'string') throw new Error(`no token from ${tokenUrl}: ${res.status}`);
	return answer.access_token;
}

/** Exactly one branch ran after the trigger (and the Switch): the routing really happened. */
async function checkRouting(n8n, key) {
	const newest = await n8n.api('GET', `/executions?workflowId=${SCENARIOS[key].id}&limit=1&includeData=true`);
	const ran = Object.keys(newest.data?.[0]?.data?.resultData?.runData ?? {});
	const branches = ran.filter((name) => name.startsWith('Out ') || name === 'NoOp');
	return { key, ran, ok: branches.length === 1 };
}

async function measureConfig(config, keys, tarball, profileDir) {
	return await withN8n(config, keys, tarball, profileDir, async (n8n) => {
		const idle = treeRssMiB(n8n.pid);
		// Warm-up: JIT, SQLite pages, node loading; counted in the totals, not in the figures.
		const warm = {};
		for (const key of keys) {
			warm[key] = SCENARIOS[key].large ? largeBodies(Math.min(WARMUP, 4)) : smallBodies(WARMUP);
			if (warm[key].length === 0) continue;
			log(`${config}: warm-up, ${warm[key].length} requests to ${key}`);
			const sent = await sendAll(urlOf(n8n, key), warm[key], SCENARIOS[key].large ? LARGE_CONCURRENCY : CONCURRENCY);
			const executions = await drain(n8n, SCENARIOS[key].id, warm[key].length);
			if (sent.failures.length || executions.length !== warm[key].length) {
				log(`!!! warm-up ${key}: ${warm[key].length} requests, ${sent.failures.length} failed, ${executions.length} executions`);
			}
			warm[key].failures = sent.failures.length;
		}
		const results = Object.fromEntries(keys.map((key) => [key, newResult(config, key)]));
		// Every scenario gets the same bodies in a round, and the order rotates each round so that
		// drift (heap growth, database size) does not always favour the same one.
		const groups = [keys.filter((key) => !SCENARIOS[key].large), keys.filter((key) => SCENARIOS[key].large)];
		for (const group of groups) {
			if (group.length === 0) continue;
			const large = SCENARIOS[group[0]].large;
			const sizes = split(large ? LARGE : REQUESTS, Math.min(ROUNDS, large ? LARGE : REQUESTS));
			for (const [round, size] of sizes.entries()) {
				const bodies = large ? largeBodies(size) : smallBodies(size, round);
				for (let i = 0; i < group.length; i++) {
					const key = group[(i + round) % group.length];
					log(`${config}: round ${round + 1}/${sizes.length}, ${size} requests to ${key}`);
					await batch(n8n, results[key], bodies, large ? LARGE_CONCURRENCY : CONCURRENCY);
				}
			}
		}
		const totals = [];
		for (const key of keys) {
			const all = await n8n.getExecutions({ workflowId: SCENARIOS[key].id, includeData: false });
			const sent = warm[key].length + results[key].requests;
			totals.push({ key, sent, recorded: all.length, success: all.filter((execution) => execution.status === 'success').length, warmFailures: warm[key].failures ?? 0 });
		}
		const routing = [];
		for (const key of keys) routing.push(await checkRouting(n8n, key));
		return { config, label: CONFIGS[config].label, idleRssMiB: idle, endRssMiB: treeRssMiB(n8n.pid), results: keys.map((key) => results[key]), totals, routing };
	});
}

/**
 * A long run of one scenario: does n8n's memory settle? RSS sampled every 500 ms, V8's heap
 * (n8n's own Prometheus metrics, on for this instance only) every 2 s.
 */
async function soak(tarball) {
	const key = SOAK_SCENARIO;
	const env = { N8N_METRICS_INCLUDE_DEFAULT_METRICS: 'true', ...(opts['soak-node-options'] && { NODE_OPTIONS: opts['soak-node-options'] }) };
	return await withN8n(SOAK_CONFIG, [key], tarball, undefined, async (n8n) => {
		const main = mainPid(n8n.pid);
		const samples = [];
		const heap = [];
		const t0 = performance.now();
		let sent = 0;
		const sample = () => samples.push({ t: (performance.now() - t0) / 1000, sent, treeMiB: treeRssMiB(n8n.pid), mainMiB: rssMiB(main) });
		const rss = setInterval(sample, 500);
		// With the heap figures, the main process's RSS at the same moment, split by the kernel:
		// what of RSS is not V8's main heap is native memory (isolated-vm's isolates, SQLite, buffers).
		const heapTimer = setInterval(async () => {
			const at = { t: (performance.now() - t0) / 1000, sent };
			const { heapUsedMiB, heapTotalMiB, externalMiB, isolates } = await engineCounters(n8n);
			heap.push({ ...at, heapUsedMiB, heapTotalMiB, externalMiB, isolates, ...rssPartsMiB(main) });
		}, 2000);
		sample();
		const result = newResult(SOAK_CONFIG, key);
		while (sent < SOAK) {
			const size = Math.min(SOAK_BATCH, SOAK - sent);
			log(`memory run: ${sent}/${SOAK}`);
			await batch(n8n, result, smallBodies(size, sent), CONCURRENCY);
			sent += size;
		}
		clearInterval(rss);
		clearInterval(heapTimer);
		sample();
		const recorded = (await n8n.getExecutions({ workflowId: SCENARIOS[key].id, includeData: false })).length;
		return { config: SOAK_CONFIG, label: CONFIGS[SOAK_CONFIG].label, scenario: key, result, samples, heap, recorded, mainPid: main };
	}, env);
}

// ---------- main ----------

for (const signal of ['SIGINT', 'SIGTERM']) {
	process.once(signal, () => {
		log(`${signal}: stopping`);
		stopCurrent()
			.finally(() => packDir && fs.rmSync(packDir, { recursive: true, force: true }))
			.finally(() => process.exit(130));
	});
}

async function main() {
	const load = [os.loadavg()[0]];
	let tarball = opts.package && path.resolve(opts.package);
	if (!tarball) {
		log('packing the package (npm pack --ignore-scripts)');
		packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'appdirect-bench-pack-'));
		execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: repoRoot, stdio: 'ignore' });
		tarball = path.join(packDir, fs.readdirSync(packDir).find((file) => file.endsWith('.tgz')));
	}
	// Kept next to the raw results (git-ignored), for a closer look in Chrome's DevTools.
	const profileRoot = opts.profile ? path.join(repoRoot, 'benchmarks', 'results', `profiles-${new Date().toISOString().replace(/[:.]/g, '-')}`) : undefined;
	if (profileRoot) fs.mkdirSync(profileRoot, { recursive: true });

	const runs = [];
	const profileSummaries = [];
	for (const { config, scenarios } of PLAN) {
		const profileDir = profileRoot && path.join(profileRoot, config);
		if (profileDir) fs.mkdirSync(profileDir);
		const run = await measureConfig(config, scenarios, tarball, profileDir);
		runs.push(run);
		if (profileDir) profileSummaries.push(`#### ${CONFIGS[config].label}\n\n${summarizeProfiles(profileDir, { requests: run.results.reduce((sum, r) => sum + r.requests, 0) })}`);
	}
	const soakRun = SOAK > 0 ? await soak(tarball) : undefined;
	if (profileRoot) log(`CPU profiles: ${path.relative(process.cwd(), profileRoot)}`);
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });

	const { ensureRuntime } = await import('../scripts/n8n/provision.mjs');
	const facts = machineFacts(await ensureRuntime());
	load.push(os.loadavg()[0]);
	const all = [...runs.flatMap((run) => run.results), ...(soakRun ? [soakRun.result] : [])];
	const cpu = all.reduce((sum, r) => ({ busy: sum.busy + r.cpu.busy, n8n: sum.n8n + r.cpu.n8n, self: sum.self + r.cpu.self, wall: sum.wall + r.cpu.wall }), { busy: 0, n8n: 0, self: 0, wall: 0 });
	const wallS = (performance.now() - T0) / 1000;
	const options = {
		plan: opts.plan,
		requests: REQUESTS,
		concurrency: CONCURRENCY,
		rounds: ROUNDS,
		warmup: WARMUP,
		large: LARGE,
		largeConcurrency: LARGE_CONCURRENCY,
		soak: SOAK,
		soakConfig: SOAK_CONFIG,
		soakNodeOptions: opts['soak-node-options'],
		profile: opts.profile,
		package: opts.package ?? '(this tree, packed)',
	};
	const markdown = report({ facts, options, runs, soakRun, load, wallS, cpu, profiles: profileSummaries.join('\n\n') || undefined });
	const problems = mismatches(runs, soakRun);

	const outFile = path.resolve(opts.out ?? path.join(repoRoot, 'benchmarks', 'results', `throughput-${facts.date.replace(/[:.]/g, '-')}.json`));
	fs.mkdirSync(path.dirname(outFile), { recursive: true });
	fs.writeFileSync(outFile, JSON.stringify({ facts, options, configs: CONFIGS, scenarios: SCENARIOS, runs, soak: soakRun && { ...soakRun, summary: soakSummary(soakRun) }, problems, markdown }, null, 1));

	console.log(markdown);
	if (problems.length) {
		console.log(`\n**MISMATCH: the executions n8n recorded do not match the requests sent. The numbers are not trustworthy.**\n\n- ${problems.join('\n- ')}`);
	}
	log(`raw results: ${path.relative(process.cwd(), outFile)}`);
	log(`done in ${f0(wallS)} s`);
	if (problems.length) {
		console.error('\n!!!!!!!! MISMATCH between requests and n8n executions — see above !!!!!!!!');
		process.exitCode = 1;
	}
}

main().catch(async (error) => {
	console.error(error.stack ?? error.message);
	await stopCurrent();
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
	process.exit(1);
});
