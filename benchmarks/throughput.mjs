#!/usr/bin/env node
// What one AppDirect notification costs inside a real n8n (SQLite, regular mode, loopback only),
// side by side with what a user would build instead, in one run:
//   (a) Webhook node, no auth → NoOp                      the floor inside n8n
//   (b) Webhook node + Header Auth → Switch (4 rules) → 4 NoOps: what a user builds without us
//   (c) AppDirect Trigger v2, token, one output per event (4) → NoOps
//   (d) AppDirect Trigger v2, no auth
// each under n8n's defaults and under expression-engine settings an operator may choose, one
// n8n per setting; (b) and (c) in both answer modes; then a long run of (c) for memory.
// Usage: npm run bench:n8n            (npm run build && node benchmarks/throughput.mjs)
//        node benchmarks/throughput.mjs --help
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes, randomUUID } from 'node:crypto';

import { startN8n } from '../scripts/n8n/instance.mjs';
import { summarizeProfiles } from './profile.mjs';
import { commandOf, machineBusySeconds, rssMiB, rssPartsMiB, treeCpuSeconds, treePids, treeRssMiB } from './proc.mjs';

const require = createRequire(import.meta.url);
const { sampleNotification, largeSubscription } = require('../samples/index.js');

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---------- what can be measured ----------

const TUNED_POOL_SIZE = '2';
/** One n8n instance each. `env` is added to n8n's environment; nothing else differs. */
const CONFIGS = {
	defaults: { label: "n8n's defaults", env: {} },
	compile: { label: 'COMPILE_CACHE=true', env: { N8N_EXPRESSION_ENGINE_COMPILE_CACHE: 'true' } },
	pool: { label: `POOL_SIZE=${TUNED_POOL_SIZE}`, env: { N8N_EXPRESSION_ENGINE_POOL_SIZE: TUNED_POOL_SIZE } },
	lazy: { label: 'LAZY_ACQUIRE=true', env: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' } },
	tuned: {
		label: `LAZY_ACQUIRE=true, COMPILE_CACHE=true, POOL_SIZE=${TUNED_POOL_SIZE}`,
		env: {
			N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true',
			N8N_EXPRESSION_ENGINE_COMPILE_CACHE: 'true',
			N8N_EXPRESSION_ENGINE_POOL_SIZE: TUNED_POOL_SIZE,
		},
	},
	legacy: { label: 'ENGINE=legacy (diagnostic only)', env: { N8N_EXPRESSION_ENGINE: 'legacy' } },
};

const EVENTS = ['subscription.added', 'subscription.removed', 'user.added', 'company.changed'];
const OUTPUTS = EVENTS.map((event, index) => `Out ${index}: ${event}`);

/** One workflow each, so that each one's executions can be counted on their own. */
const SCENARIOS = {
	a: { id: 'benchA0000000000', kind: 'webhook', auth: false, route: false, answer: 'immediately', label: '(a) Webhook, no auth → NoOp' },
	b: { id: 'benchB0000000000', kind: 'webhook', auth: true, route: true, answer: 'immediately', label: '(b) Webhook + Header Auth → Switch → NoOps' },
	bLast: { id: 'benchBLast000000', kind: 'webhook', auth: true, route: true, answer: 'whenFinished', label: '(b) same, answer when finished' },
	c: { id: 'benchC0000000000', kind: 'appdirect', version: 2, auth: true, answer: 'immediately', label: '(c) AppDirect Trigger v2, token → NoOps' },
	cLast: { id: 'benchCLast000000', kind: 'appdirect', version: 2, auth: true, answer: 'whenFinished', label: '(c) same, answer when finished' },
	d: { id: 'benchD0000000000', kind: 'appdirect', version: 2, auth: false, answer: 'immediately', label: '(d) AppDirect Trigger v2, no auth → NoOps' },
	c1: { id: 'benchC1000000000', kind: 'appdirect', version: 1, auth: true, answer: 'immediately', label: 'AppDirect Trigger v1, token → NoOps (control: before v2)' },
	aLarge: { id: 'benchALarge00000', kind: 'webhook', auth: false, route: false, answer: 'immediately', large: true, label: '(a) Webhook, no auth, ~1 MB body' },
	cLarge: { id: 'benchCLarge00000', kind: 'appdirect', version: 2, auth: true, answer: 'immediately', large: true, label: '(c) AppDirect Trigger v2, token, ~1 MB body' },
};
const ALL_SMALL = ['a', 'b', 'bLast', 'c', 'cLast', 'd', 'c1'];
const PLAN_DEFAULT = 'defaults:a,b,bLast,c,cLast,d,c1,aLarge,cLarge;compile:a,b,c;pool:a,c;lazy:a,b,c;tuned:a,b,bLast,c,cLast,d,c1';

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

const TOKEN = randomBytes(16).toString('hex');
// Public API credential ids are at most 16 characters.
const CREDENTIAL = { id: 'benchAppDirTok01', name: 'AppDirect webhook token (benchmark)' };
const HEADER_CREDENTIAL = { id: 'benchHeaderAuth1', name: 'Header auth (benchmark)' };

const T0 = performance.now();
const log = (message) => process.stderr.write(`[bench +${((performance.now() - T0) / 1000).toFixed(1)}s] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------- workflows ----------

function noOp(name, index) {
	return { id: `noop-${index}`, name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [600, index * 120], parameters: {} };
}

const RESOURCE_OF = (event) => event.split('.')[0].toUpperCase();
const ACTION_OF = (event) => event.split('.')[1].toUpperCase();

/** Switch v3.4 in rules mode: one rule per event on resource.type AND resourceAction, as a user would set it up. */
function switchNode() {
	const condition = (id, field, value) => ({
		id,
		leftValue: `={{ $json.body.${field} }}`,
		rightValue: value,
		operator: { type: 'string', operation: 'equals' },
	});
	return {
		id: 'switch',
		name: 'Switch',
		type: 'n8n-nodes-base.switch',
		typeVersion: 3.4,
		position: [300, 0],
		parameters: {
			mode: 'rules',
			rules: {
				values: EVENTS.map((event, index) => ({
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 3 },
						conditions: [condition(`type-${index}`, 'resource.type', RESOURCE_OF(event)), condition(`action-${index}`, 'resourceAction', ACTION_OF(event))],
						combinator: 'and',
					},
					renameOutput: true,
					outputKey: event,
				})),
			},
			options: {},
		},
	};
}

function webhookWorkflow(key) {
	const scenario = SCENARIOS[key];
	const branches = scenario.route ? OUTPUTS : ['NoOp'];
	const webhook = {
		id: 'trigger',
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		position: [0, 0],
		// import:workflow assigns no webhook id; a fixed one gives a known URL.
		webhookId: `bench-${key}`,
		// The Webhook node's path is the whole URL path (no webhook id in it): keep it unique.
		parameters: {
			httpMethod: 'POST',
			path: `bench-${key}`,
			responseMode: scenario.answer === 'whenFinished' ? 'lastNode' : 'onReceived',
			...(scenario.answer === 'whenFinished' ? { responseData: 'noData' } : {}),
			...(scenario.auth ? { authentication: 'headerAuth' } : {}),
			options: {},
		},
		...(scenario.auth ? { credentials: { httpHeaderAuth: HEADER_CREDENTIAL } } : {}),
	};
	const connect = (targets) => targets.map((node) => [{ node, type: 'main', index: 0 }]);
	return {
		id: scenario.id,
		name: `Benchmark ${key}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [webhook, ...(scenario.route ? [switchNode()] : []), ...branches.map(noOp)],
		connections: scenario.route
			? { Webhook: { main: connect(['Switch']) }, Switch: { main: connect(OUTPUTS) } }
			: { Webhook: { main: connect(['NoOp']) } },
	};
}

function appDirectWorkflow(key) {
	const scenario = SCENARIOS[key];
	return {
		id: scenario.id,
		name: `Benchmark ${key}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'trigger',
				name: 'AppDirect Trigger',
				type: 'n8n-nodes-appdirect.appDirectTrigger',
				typeVersion: scenario.version,
				position: [0, 0],
				webhookId: `bench-${key}`,
				parameters: {
					authentication: scenario.auth ? 'token' : 'none',
					events: EVENTS,
					splitBy: 'event',
					unmatched: 'ignore',
					respond: scenario.answer,
				},
				...(scenario.auth ? { credentials: { appDirectWebhookTokenApi: CREDENTIAL } } : {}),
			},
			...OUTPUTS.map(noOp),
		],
		connections: { 'AppDirect Trigger': { main: OUTPUTS.map((node) => [{ node, type: 'main', index: 0 }]) } },
	};
}

const workflowOf = (key) => (SCENARIOS[key].kind === 'appdirect' ? appDirectWorkflow(key) : webhookWorkflow(key));

/** Webhook spec as startN8n's waitForWebhook wants it: URL = /webhook/<webhookId>[/<path>]. */
function webhookOf(key) {
	return SCENARIOS[key].kind === 'appdirect'
		? { webhookId: `bench-${key}`, path: 'appdirect', method: 'POST' }
		: { webhookId: `bench-${key}`, path: '', method: 'POST' };
}

function urlOf(n8n, key) {
	if (SCENARIOS[key].kind === 'webhook') return `${n8n.baseUrl}/webhook/bench-${key}`;
	const { webhookId, path: webhookPath } = webhookOf(key);
	return n8n.productionWebhookUrl(webhookId, webhookPath);
}

// ---------- /proc: RSS and CPU of the n8n process tree ----------

/** The `n8n start` process itself (not the supervisor, not the task runner). */
function mainPid(rootPid) {
	return treePids(rootPid).find((pid) => / n8n start$|\bn8n start\b/.test(commandOf(pid)) && !/supervise/.test(commandOf(pid))) ?? rootPid;
}

/** CPU seconds so far: the whole machine (busy), the n8n tree and this client. */
function cpuSnapshot(rootPid) {
	const usage = process.cpuUsage();
	return { busy: machineBusySeconds(), n8n: treeCpuSeconds(rootPid), self: (usage.user + usage.system) / 1e6, wall: performance.now() / 1000 };
}

const cpuDelta = (a, b) => ({ busy: b.busy - a.busy, n8n: b.n8n - a.n8n, self: b.self - a.self, wall: b.wall - a.wall });

// ---------- n8n's expression-engine counters (/metrics) ----------

/** Bridges (isolates) handed out and expressions evaluated so far, from n8n's Prometheus endpoint. */
async function engineCounters(n8n) {
	try {
		const text = await (await fetch(`${n8n.baseUrl}/metrics`)).text();
		const value = (name) => {
			const line = text.split('\n').find((row) => row.startsWith(`${name} `) || row.startsWith(`${name}{`));
			return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
		};
		return {
			isolates: value('n8n_expression_pool_acquired_total'),
			evaluations: value('n8n_expression_evaluation_duration_seconds_count'),
			// Only with N8N_METRICS_INCLUDE_DEFAULT_METRICS (the memory run).
			heapUsedMiB: value('n8n_nodejs_heap_size_used_bytes') / 2 ** 20,
			heapTotalMiB: value('n8n_nodejs_heap_size_total_bytes') / 2 ** 20,
			externalMiB: value('n8n_nodejs_external_memory_bytes') / 2 ** 20,
		};
	} catch {
		return { isolates: NaN, evaluations: NaN, heapUsedMiB: NaN, heapTotalMiB: NaN, externalMiB: NaN };
	}
}

// ---------- HTTP client ----------

function post(agent, url, body, headers) {
	return new Promise((resolve) => {
		const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': body.length }, timeout: 30_000 }, (res) => {
			const chunks = [];
			res.on('data', (chunk) => chunks.push(chunk));
			res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
			res.on('error', (error) => resolve({ status: 0, text: error.message }));
		});
		req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
		req.on('error', (error) => resolve({ status: 0, text: error.message }));
		req.end(body);
	});
}

/** Sends every body once with `concurrency` requests in flight. */
async function sendAll(url, bodies, concurrency) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	// The same headers everywhere; (a) and (d) ignore the token.
	const headers = { 'content-type': 'application/json; charset=utf-8', 'x-appdirect-webhook-token': TOKEN };
	const latencies = new Array(bodies.length);
	const failures = [];
	let next = 0;
	const start = performance.now();
	await Promise.all(
		Array.from({ length: Math.min(concurrency, bodies.length) }, async () => {
			for (let i = next++; i < bodies.length; i = next++) {
				const t = performance.now();
				const { status, text } = await post(agent, url, bodies[i], headers);
				latencies[i] = performance.now() - t;
				// An AppDirect answer with "ignored" starts no execution: count it as a failure too.
				if (status !== 200 || text.includes('"ignored"')) failures.push(`${status} ${text.slice(0, 120)}`);
			}
		}),
	);
	const wallMs = performance.now() - start;
	agent.destroy();
	return { latencies, failures, wallMs };
}

// ---------- executions ----------

/** Highest execution id seen per workflow: executions above it are new. */
const lastId = new Map();

async function newExecutions(n8n, workflowId) {
	const floor = lastId.get(workflowId) ?? 0;
	const found = [];
	let cursor;
	// Newest first: stop paging once the ids reach what we had already seen.
	for (;;) {
		const params = new URLSearchParams({ workflowId, includeData: 'false', limit: '250', ...(cursor && { cursor }) });
		const page = await n8n.api('GET', `/executions?${params}`);
		const data = page.data ?? [];
		found.push(...data.filter((execution) => Number(execution.id) > floor));
		cursor = page.nextCursor;
		if (!cursor || data.some((execution) => Number(execution.id) <= floor)) break;
	}
	return found;
}

/** Waits until `count` new executions of the workflow have finished; returns them. */
async function drain(n8n, workflowId, count, timeoutMs = 120_000) {
	const deadline = Date.now() + timeoutMs;
	let executions = [];
	for (;;) {
		executions = await newExecutions(n8n, workflowId);
		const finished = executions.filter((execution) => execution.stoppedAt);
		if (finished.length >= count && finished.length === executions.length) break;
		if (Date.now() > deadline) break;
		await sleep(250);
	}
	for (const execution of executions) lastId.set(workflowId, Math.max(lastId.get(workflowId) ?? 0, Number(execution.id)));
	return executions;
}

// ---------- bodies ----------

function smallBodies(count, offset = 0) {
	return Array.from({ length: count }, (_, i) => Buffer.from(JSON.stringify(sampleNotification(EVENTS[(i + offset) % EVENTS.length], { fresh: true }))));
}

let largeTemplate;
function largeBodies(count) {
	largeTemplate ??= largeSubscription(5000);
	return Array.from({ length: count }, () => Buffer.from(JSON.stringify({ ...largeTemplate, uuid: randomUUID() })));
}

/** Splits `total` into `parts` nearly equal batch sizes. */
function split(total, parts) {
	return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0)).filter((n) => n > 0);
}

// ---------- statistics ----------

function percentile(sorted, p) {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function newResult(config, key) {
	return {
		config,
		scenario: key,
		label: SCENARIOS[key].label,
		body: SCENARIOS[key].large ? '~1 MB' : '~1–2 KB',
		requests: 0,
		latencies: [],
		failures: [],
		wallMs: 0,
		executions: 0,
		notSuccess: 0,
		cpu: { busy: 0, n8n: 0, self: 0, wall: 0 },
		engine: { isolates: 0, evaluations: 0 },
		rssPeak: 0,
		batches: [],
	};
}

/** One measured batch: send, wait for the executions, account everything to `result`. */
async function batch(n8n, result, bodies, concurrency) {
	const { id } = SCENARIOS[result.scenario];
	const url = urlOf(n8n, result.scenario);
	let peak = treeRssMiB(n8n.pid);
	const sampler = setInterval(() => (peak = Math.max(peak, treeRssMiB(n8n.pid))), 200);
	const engineStart = await engineCounters(n8n);
	const cpuStart = cpuSnapshot(n8n.pid);
	const sent = await sendAll(url, bodies, concurrency);
	// Failed requests start no execution: do not wait the full deadline for them.
	const executions = await drain(n8n, id, bodies.length, sent.failures.length ? 10_000 : 120_000);
	const cpuEnd = cpuSnapshot(n8n.pid);
	const engineEnd = await engineCounters(n8n);
	clearInterval(sampler);
	const rssEnd = treeRssMiB(n8n.pid);
	const delta = cpuDelta(cpuStart, cpuEnd);
	result.rssPeak = Math.max(result.rssPeak, peak, rssEnd);
	result.requests += bodies.length;
	result.latencies.push(...sent.latencies);
	result.failures.push(...sent.failures);
	result.wallMs += sent.wallMs;
	result.executions += executions.length;
	result.notSuccess += executions.filter((execution) => execution.status !== 'success').length;
	for (const key of Object.keys(delta)) result.cpu[key] += delta[key];
	result.engine.isolates += engineEnd.isolates - engineStart.isolates;
	result.engine.evaluations += engineEnd.evaluations - engineStart.evaluations;
	result.batches.push({
		requests: bodies.length,
		wallMs: sent.wallMs,
		n8nCpuS: delta.n8n,
		busyCpuS: delta.busy,
		executions: executions.length,
		rssEndMiB: rssEnd,
		isolates: engineEnd.isolates - engineStart.isolates,
		evaluations: engineEnd.evaluations - engineStart.evaluations,
	});
	if (executions.length !== bodies.length) log(`!!! ${result.config}/${result.scenario}: ${bodies.length} requests but ${executions.length} new executions`);
}

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
	lastId.clear();
	const n8n = current;
	log(`n8n ready on ${n8n.baseUrl} (pid ${n8n.pid})`);
	// Published after the credentials exist, like a user would (and like the e2e tests do).
	await n8n.api('POST', '/credentials', { ...CREDENTIAL, type: 'appDirectWebhookTokenApi', data: { token: TOKEN } });
	// Checks the same header the AppDirect Trigger checks, so both sides authenticate alike.
	await n8n.api('POST', '/credentials', { ...HEADER_CREDENTIAL, type: 'httpHeaderAuth', data: { name: 'x-appdirect-webhook-token', value: TOKEN } });
	for (const key of keys) {
		await n8n.api('POST', `/workflows/${SCENARIOS[key].id}/publish`, {});
		await n8n.waitForPublished(SCENARIOS[key].id);
		await n8n.waitForWebhook(webhookOf(key));
	}
	try {
		return await run(n8n);
	} finally {
		await stopCurrent();
	}
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

function soakSummary(soakRun) {
	const { samples, heap } = soakRun;
	const total = soakRun.result.requests;
	const half = total / 2;
	const lastHalf = samples.filter((s) => s.sent >= half);
	const at = (sent) => samples.find((s) => s.sent >= sent) ?? samples[samples.length - 1];
	const stats = (field) => {
		const values = lastHalf.map((s) => s[field]);
		const min = Math.min(...values);
		const max = Math.max(...values);
		return { atHalf: at(half)[field], atEnd: samples[samples.length - 1][field], min, max, spread: (max - min) / min, growth: samples[samples.length - 1][field] / at(half)[field] - 1 };
	};
	// The heap after garbage collection is the floor of its saw-tooth: the lowest sample of each tenth.
	const tenths = Array.from({ length: 10 }, (_, i) => {
		const inside = heap.filter((h) => h.sent >= (i * total) / 10 && h.sent < ((i + 1) * total) / 10 && Number.isFinite(h.heapUsedMiB));
		return inside.length ? Math.min(...inside.map((h) => h.heapUsedMiB)) : NaN;
	});
	const floors = tenths.slice(5).filter(Number.isFinite);
	const heapFloor = { tenths, lastHalfSpread: floors.length ? (Math.max(...floors) - Math.min(...floors)) / Math.min(...floors) : NaN };
	return { main: stats('mainMiB'), tree: stats('treeMiB'), first: samples[0], heapFloor, parts: memoryParts(heap.filter((h) => h.sent >= half)) };
}

/**
 * Where the main process's RSS goes up and down in the last half: each part's range (MiB) over
 * the same samples, and how closely it moves with RSS (correlation). The part that swings with
 * RSS is what sets the limit.
 */
function memoryParts(samples) {
	const rows = samples
		.filter((h) => Number.isFinite(h.heapTotalMiB) && h.heapTotalMiB > 0 && h.rssMiB > 0)
		.map((h) => ({ ...h, nativeMiB: h.rssMiB - h.heapTotalMiB - h.externalMiB }));
	if (rows.length < 3) return undefined;
	const correlation = (field) => {
		const mean = (f) => rows.reduce((sum, r) => sum + r[f], 0) / rows.length;
		const [mx, my] = [mean(field), mean('rssMiB')];
		const cov = rows.reduce((sum, r) => sum + (r[field] - mx) * (r.rssMiB - my), 0);
		const vx = rows.reduce((sum, r) => sum + (r[field] - mx) ** 2, 0);
		const vy = rows.reduce((sum, r) => sum + (r.rssMiB - my) ** 2, 0);
		return vx && vy ? cov / Math.sqrt(vx * vy) : NaN;
	};
	const part = (field) => {
		const values = rows.map((r) => r[field]);
		return { min: Math.min(...values), max: Math.max(...values), correlation: field === 'rssMiB' ? 1 : correlation(field) };
	};
	const fields = ['rssMiB', 'anonMiB', 'fileMiB', 'heapTotalMiB', 'heapUsedMiB', 'externalMiB', 'nativeMiB'];
	return { samples: rows.length, ...Object.fromEntries(fields.map((field) => [field, part(field)])) };
}

// ---------- report ----------

const f0 = (n) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const pct = (n) => (Number.isFinite(n) ? `${(n * 100).toFixed(1)} %` : 'n/a');

const cpuPerRequest = (r) => (r.cpu.n8n * 1000) / r.requests;

function table(header, rows) {
	return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function resultRow(r, base) {
	const sorted = [...r.latencies].sort((a, b) => a - b);
	const mismatch = r.executions !== r.requests;
	return [
		r.label,
		r.body,
		r.requests,
		`**${f1(cpuPerRequest(r))}**`,
		base ? `${f2(cpuPerRequest(r) / base)}×` : '',
		f1((r.requests / r.wallMs) * 1000),
		f0(percentile(sorted, 50)),
		f0(percentile(sorted, 99)),
		f0(r.rssPeak),
		`${f2(r.engine.isolates / r.requests)} / ${f2(r.engine.evaluations / r.requests)}`,
		`${r.executions}${mismatch ? ' **MISMATCH**' : ''}${r.notSuccess ? ` (${r.notSuccess} not success)` : ''}${r.failures.length ? `, ${r.failures.length} failed` : ''}`,
	];
}

function machineFacts(runtime) {
	const n8nVersion = JSON.parse(fs.readFileSync(path.join(runtime.nodeModules, 'n8n', 'package.json'), 'utf8')).version;
	const runtimeNode = execFileSync(runtime.nodeBin, ['--version'], { encoding: 'utf8' }).trim();
	return {
		date: new Date().toISOString(),
		host: os.hostname(),
		cpus: `${os.availableParallelism()} × ${os.cpus()[0]?.model ?? '?'}`,
		memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
		client: `node ${process.version}`,
		n8n: `n8n ${n8nVersion} on node ${runtimeNode}, SQLite, regular mode`,
	};
}

function report({ facts, runs, soakRun, load, wallS, cpu, profiles }) {
	const out = [];
	out.push(`## Cost per notification in a real n8n — ${facts.date}`, '');
	out.push(`- machine: ${facts.cpus}, ${facts.memory}; client ${facts.client}; ${facts.n8n}`);
	out.push(
		`- ${REQUESTS} measured requests per small-body scenario in ${ROUNDS} rounds (order rotating), concurrency ${CONCURRENCY}; ` +
			`${LARGE} ~1 MB requests (concurrency ${LARGE_CONCURRENCY}); warm-up ${WARMUP} per workflow, not counted; one n8n per setting`,
	);
	out.push(`- load average (1 min) at start ${f2(load[0])}, at end ${f2(load[1])}; wall time ${f0(wallS)} s`);
	out.push(
		`- CPU during measured batches: machine busy ${f1(cpu.busy)} s of ${f1(cpu.wall * os.availableParallelism())} core-s; ` +
			`n8n ${f1(cpu.n8n)} s, this client ${f1(cpu.self)} s, other processes ~${f1(Math.max(0, cpu.busy - cpu.n8n - cpu.self))} s`,
	);
	out.push('');
	out.push(...goals(runs, soakRun), '');
	const header = ['scenario', 'body', 'requests', 'n8n CPU ms / notification', 'vs (a)', 'req/s', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'isolates / evaluations per request', 'executions'];
	for (const run of runs) {
		out.push(`### ${run.label}`, '');
		const base = run.results.find((r) => r.scenario === 'a');
		const baseLarge = run.results.find((r) => r.scenario === 'aLarge');
		out.push(table(header, run.results.map((r) => resultRow(r, r.body === '~1 MB' ? baseLarge && cpuPerRequest(baseLarge) : base && cpuPerRequest(base)))));
		out.push('');
		const ratio = (x, y) => {
			const rx = run.results.find((r) => r.scenario === x);
			const ry = run.results.find((r) => r.scenario === y);
			return rx && ry ? `${x} / ${y} = ${f2(cpuPerRequest(rx) / cpuPerRequest(ry))}` : undefined;
		};
		const ratios = [ratio('c', 'b'), ratio('cLast', 'bLast'), ratio('c', 'a'), ratio('d', 'a'), ratio('c1', 'c')].filter(Boolean);
		if (ratios.length) out.push(`CPU ratios: ${ratios.join('; ')}`, '');
		out.push(`n8n RSS: ${f0(run.idleRssMiB)} MiB idle with the workflows published, ${f0(run.endRssMiB)} MiB at the end.`);
		const badRouting = run.routing.filter((r) => !r.ok);
		out.push(`Routing check (newest execution of each workflow ran exactly one branch): ${badRouting.length ? `**FAILED** ${JSON.stringify(badRouting)}` : 'ok'}.`, '');
	}
	if (soakRun) {
		const s = soakSummary(soakRun);
		const r = soakRun.result;
		out.push(`### Memory: ${r.requests} notifications of ${SCENARIOS[soakRun.scenario].label} under ${soakRun.label}${opts['soak-node-options'] ? `, NODE_OPTIONS=${opts['soak-node-options']}` : ''}`, '');
		out.push(
			table(
				['process', 'RSS at start MiB', 'at half-way', 'at the end', 'last half min–max', 'spread in the last half', 'end vs half-way'],
				[
					['n8n main process', f0(s.first.mainMiB), f0(s.main.atHalf), f0(s.main.atEnd), `${f0(s.main.min)}–${f0(s.main.max)}`, pct(s.main.spread), pct(s.main.growth)],
					['n8n process tree', f0(s.first.treeMiB), f0(s.tree.atHalf), f0(s.tree.atEnd), `${f0(s.tree.min)}–${f0(s.tree.max)}`, pct(s.tree.spread), pct(s.tree.growth)],
				],
			),
		);
		out.push('');
		out.push(
			`V8 heap used after garbage collection (lowest sample in each tenth of the run, MiB): ${s.heapFloor.tenths.map(f0).join(', ')}; ` +
				`spread over the last half ${pct(s.heapFloor.lastHalfSpread)}.`,
			'',
		);
		if (s.parts) {
			const names = {
				rssMiB: 'RSS of the main process',
				anonMiB: 'of it anonymous (heaps)',
				fileMiB: 'of it file-backed (code, mapped files)',
				heapTotalMiB: "V8's main heap, reserved",
				heapUsedMiB: "V8's main heap, used",
				externalMiB: "V8's external memory (buffers)",
				nativeMiB: 'the rest: native memory outside the main heap (RSS − reserved heap − external)',
			};
			out.push(
				`Where the main process's memory swings, last half (${s.parts.samples} samples, every 2 s):`,
				'',
				table(
					['part', 'min MiB', 'max MiB', 'range MiB', 'moves with RSS (correlation)'],
					Object.entries(names).map(([field, name]) => {
						const p = s.parts[field];
						return [name, f0(p.min), f0(p.max), f0(p.max - p.min), f2(p.correlation)];
					}),
				),
				'',
			);
		}
		out.push(
			`${f1(cpuPerRequest(r))} ms n8n CPU per notification, ${f1((r.requests / r.wallMs) * 1000)} req/s; executions recorded ${r.executions} of ${r.requests} ` +
				`(${soakRun.recorded} in n8n with the warm-up)${r.notSuccess ? `, ${r.notSuccess} not success` : ''}${r.failures.length ? `, ${r.failures.length} failed requests` : ''}.`,
			'',
		);
	}
	if (profiles) out.push('### CPU profile of n8n (with --cpu-prof: slower, for where the time goes only)', '', profiles, '');
	return out.join('\n');
}

/** The issue's goals, as measured in this run. */
function goals(runs, soakRun) {
	const cpu = (run, key) => {
		const r = run?.results.find((x) => x.scenario === key);
		return r ? cpuPerRequest(r) : NaN;
	};
	const mark = (ok) => (ok ? 'met' : '**missed**');
	const lines = ['Goals:'];
	const defaults = runs.find((run) => run.config === 'defaults');
	// A goal whose anchors are not in --plan is left out rather than reported as missed.
	if (defaults && Number.isFinite(cpu(defaults, 'c') / cpu(defaults, 'b'))) {
		const ratio = cpu(defaults, 'c') / cpu(defaults, 'b');
		const last = cpu(defaults, 'cLast') / cpu(defaults, 'bLast');
		const lastText = Number.isFinite(last) ? ` (answer when finished: ${f2(last)}×)` : '';
		lines.push(`- n8n's defaults, (c) ≤ 1.0× (b): ${f2(ratio)}×${lastText} — ${mark(ratio <= 1 && !(last > 1))}`);
	}
	const tuned = runs
		.filter((run) => run.config !== 'defaults' && run.config !== 'legacy')
		.map((run) => ({ run, ratio: cpu(run, 'c') / cpu(run, 'a') }))
		.filter((x) => Number.isFinite(x.ratio))
		.sort((x, y) => x.ratio - y.ratio);
	if (tuned.length) {
		const all = tuned.map((x) => `${x.run.label} ${f2(x.ratio)}×`).join('; ');
		lines.push(`- best settings, (c) ≤ 1.1× (a): ${all} — ${mark(tuned[0].ratio <= 1.1)}`);
	}
	if (soakRun) {
		const s = soakSummary(soakRun);
		// The goal is about (c); another scenario's memory run is a control, reported without a verdict.
		const verdict = soakRun.scenario === 'c' ? ` — ${mark(s.main.spread <= 0.05)}` : ` (control: ${SCENARIOS[soakRun.scenario].label})`;
		lines.push(
			`- memory, RSS of n8n within 5 % over the last half of ${soakRun.result.requests} notifications: main process ${pct(s.main.spread)}, ` +
				`tree ${pct(s.tree.spread)}; heap after garbage collection ${pct(s.heapFloor.lastHalfSpread)}${verdict}`,
		);
	}
	return lines;
}

function mismatches(runs, soakRun) {
	const problems = [];
	for (const run of runs) {
		for (const r of run.results) {
			if (r.executions !== r.requests || r.notSuccess || r.failures.length) problems.push(`${run.config}/${r.scenario}: ${r.requests} requests, ${r.executions} executions, ${r.notSuccess} not success, ${r.failures.length} failed`);
		}
		for (const t of run.totals) if (t.recorded !== t.sent || t.success !== t.sent || t.warmFailures) problems.push(`${run.config}/${t.key}: ${t.sent} sent in all, ${t.recorded} recorded, ${t.success} success`);
		for (const r of run.routing) if (!r.ok) problems.push(`${run.config}/${r.key}: routing ran ${r.ran.join(', ')}`);
	}
	if (soakRun) {
		const r = soakRun.result;
		if (r.executions !== r.requests || r.notSuccess || r.failures.length) problems.push(`soak: ${r.requests} requests, ${r.executions} executions`);
		// The memory run has no warm-up: what n8n holds must be exactly what was sent.
		if (soakRun.recorded !== r.requests) problems.push(`soak: ${r.requests} sent, ${soakRun.recorded} recorded by n8n`);
	}
	return problems;
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
	const markdown = report({ facts, runs, soakRun, load, wallS, cpu, profiles: profileSummaries.join('\n\n') || undefined });
	const problems = mismatches(runs, soakRun);

	const outFile = path.resolve(opts.out ?? path.join(repoRoot, 'benchmarks', 'results', `throughput-${facts.date.replace(/[:.]/g, '-')}.json`));
	fs.mkdirSync(path.dirname(outFile), { recursive: true });
	const options = { plan: opts.plan, requests: REQUESTS, concurrency: CONCURRENCY, rounds: ROUNDS, warmup: WARMUP, large: LARGE, soak: SOAK, soakConfig: SOAK_CONFIG, profile: opts.profile, package: opts.package ?? '(this tree, packed)' };
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
