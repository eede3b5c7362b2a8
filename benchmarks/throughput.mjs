#!/usr/bin/env node
// End-to-end cost of the AppDirect Trigger inside a real n8n, next to n8n's own Webhook node,
// in one run on one instance (SQLite, regular mode, loopback only).
// Usage: npm run build && node benchmarks/throughput.mjs [--requests N] [--concurrency C]
//        [--rounds R] [--warmup W] [--large N] [--large-concurrency C] [--webhook-v1]
//        [--appdirect-auth token|none] [--webhook-auth none|header] [--expression-engine vm|legacy]
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

const require = createRequire(import.meta.url);
const { sampleNotification, largeSubscription } = require('../samples/index.js');

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values: opts } = parseArgs({
	options: {
		requests: { type: 'string', default: '600' },
		concurrency: { type: 'string', default: '8' },
		rounds: { type: 'string', default: '4' },
		warmup: { type: 'string', default: '30' },
		large: { type: 'string', default: '24' },
		'large-concurrency': { type: 'string', default: '2' },
		'expression-engine': { type: 'string' },
		'webhook-v1': { type: 'boolean', default: false },
		'appdirect-auth': { type: 'string', default: 'token' },
		'webhook-auth': { type: 'string', default: 'none' },
		help: { type: 'boolean', short: 'h', default: false },
	},
});
if (opts.help) {
	console.log(`Usage: npm run build && node benchmarks/throughput.mjs [options]

  --requests N            measured requests per small-body scenario (default 600)
  --concurrency C         requests in flight for small bodies (default 8)
  --rounds R              batches per scenario; which side goes first rotates (default 4)
  --warmup W              unmeasured requests per workflow before measuring (default 30)
  --large N               measured ~1 MB requests per large-body scenario; 0 skips them (default 24)
  --large-concurrency C   requests in flight for ~1 MB bodies (default 2)
  --webhook-v1            adds a third small-body side: the Webhook node at typeVersion 1, which
                          n8n 2.41 handles on the same code path as any non-Webhook trigger
  --appdirect-auth A      the AppDirect Trigger's authentication, token (default) or none:
                          none shows what the credential lookup costs
  --webhook-auth A        the Webhook nodes' authentication, none (default) or header (Header Auth
                          credential checking the same x-appdirect-webhook-token header)
  --expression-engine E   sets N8N_EXPRESSION_ENGINE (vm or legacy) for a diagnostic run;
                          default: n8n's own default (vm in n8n 2.41)`);
	process.exit(0);
}
const positive = (name, min = 1) => {
	const value = Number(opts[name]);
	if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}`);
	return value;
};
const REQUESTS = positive('requests');
const CONCURRENCY = positive('concurrency');
const ROUNDS = positive('rounds');
const WARMUP = positive('warmup', 0);
const LARGE = positive('large', 0);
const LARGE_CONCURRENCY = positive('large-concurrency');
const WEBHOOK_V1 = opts['webhook-v1'];
const oneOf = (name, allowed) => {
	if (opts[name] !== undefined && !allowed.includes(opts[name])) throw new Error(`--${name} must be ${allowed.join(' or ')}`);
	return opts[name];
};
const AUTH = oneOf('appdirect-auth', ['token', 'none']);
const WEBHOOK_AUTH = oneOf('webhook-auth', ['none', 'header']);
const ENGINE = oneOf('expression-engine', ['vm', 'legacy']);

const TOKEN = randomBytes(16).toString('hex');
const CREDENTIAL = { id: 'benchAppDirTok01', name: 'AppDirect webhook token (benchmark)' };
// Public API credential ids are at most 16 characters.
const HEADER_CREDENTIAL = { id: 'benchHeaderAuth1', name: 'Header auth (benchmark)' };
const EVENTS = ['subscription.added', 'subscription.removed', 'user.added', 'company.changed'];
const hookAuth = WEBHOOK_AUTH === 'header' ? 'header auth' : 'no auth';
// One workflow per scenario, so that each one's executions can be counted on their own.
const WORKFLOWS = {
	baseSmall: { id: 'benchBaseSmall00', kind: 'webhook', label: `Webhook node (${hookAuth}) → NoOp`, body: '~1–2 KB' },
	appSmall: { id: 'benchAppDSmall00', kind: 'appdirect', label: `AppDirect Trigger (${AUTH}, 4 outputs) → NoOp`, body: '~1–2 KB' },
	v1Small: { id: 'benchHookV1Small', kind: 'webhookV1', label: `Webhook node v1 (${hookAuth}, control) → NoOp`, body: '~1–2 KB' },
	baseLarge: { id: 'benchBaseLarge00', kind: 'webhook', label: `Webhook node (${hookAuth}) → NoOp`, body: '~1 MB' },
	appLarge: { id: 'benchAppDLarge00', kind: 'appdirect', label: `AppDirect Trigger (${AUTH}, 4 outputs) → NoOp`, body: '~1 MB' },
};

const T0 = performance.now();
const log = (message) => process.stderr.write(`[bench +${((performance.now() - T0) / 1000).toFixed(1)}s] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------- workflows ----------

function noOp(name, index) {
	return { id: `noop-${index}`, name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [300, index * 120], parameters: {} };
}

function webhookWorkflow(key) {
	const { id, kind } = WORKFLOWS[key];
	return {
		id,
		name: `Benchmark ${key}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'trigger',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				// 2.1 is what the editor adds today; 1 is the control (see --webhook-v1).
				typeVersion: kind === 'webhookV1' ? 1 : 2.1,
				position: [0, 0],
				// import:workflow assigns no webhook id; a fixed one gives a known URL.
				webhookId: `bench-${key}`,
				// The Webhook node's path is the whole URL path (no webhook id in it): keep it unique.
				parameters: {
					httpMethod: 'POST',
					path: `bench-${key}`,
					responseMode: 'onReceived',
					...(WEBHOOK_AUTH === 'header' ? { authentication: 'headerAuth' } : {}),
					options: {},
				},
				...(WEBHOOK_AUTH === 'header' ? { credentials: { httpHeaderAuth: HEADER_CREDENTIAL } } : {}),
			},
			noOp('NoOp', 0),
		],
		connections: { Webhook: { main: [[{ node: 'NoOp', type: 'main', index: 0 }]] } },
	};
}

function appDirectWorkflow(key) {
	const { id } = WORKFLOWS[key];
	const outs = EVENTS.map((event, index) => `Out ${index}: ${event}`);
	return {
		id,
		name: `Benchmark ${key}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'trigger',
				name: 'AppDirect Trigger',
				type: 'n8n-nodes-appdirect.appDirectTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: `bench-${key}`,
				parameters: { authentication: AUTH, events: EVENTS, splitBy: 'event', unmatched: 'ignore', respond: 'immediately' },
				...(AUTH === 'token' ? { credentials: { appDirectWebhookTokenApi: CREDENTIAL } } : {}),
			},
			...outs.map(noOp),
		],
		connections: {
			'AppDirect Trigger': { main: outs.map((node) => [{ node, type: 'main', index: 0 }]) },
		},
	};
}

/** Webhook spec as startN8n's waitForWebhook wants it: URL = /webhook/<webhookId>[/<path>]. */
function webhookOf(key) {
	return WORKFLOWS[key].kind !== 'appdirect'
		? { webhookId: `bench-${key}`, path: '', method: 'POST' }
		: { webhookId: `bench-${key}`, path: 'appdirect', method: 'POST' };
}

function urlOf(n8n, key) {
	const { webhookId, path: webhookPath } = webhookOf(key);
	return n8n.productionWebhookUrl(webhookId, webhookPath);
}

// ---------- /proc: RSS and CPU of the n8n process tree ----------

const CLK_TCK = 100; // getconf CLK_TCK on Linux x86-64

function processTable() {
	const table = new Map();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			// comm may contain spaces and parentheses: fields start after the last ')'.
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			table.set(Number(entry), { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) });
		} catch {
			// the process ended while we were reading
		}
	}
	return table;
}

function treePids(rootPid, table = processTable()) {
	const pids = [rootPid];
	for (let i = 0; i < pids.length; i++) {
		for (const [pid, info] of table) if (info.ppid === pids[i]) pids.push(pid);
	}
	return pids.filter((pid) => table.has(pid));
}

function rssKiB(pid) {
	try {
		const match = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
		return match ? Number(match[1]) : 0;
	} catch {
		return 0;
	}
}

function treeRssMiB(rootPid) {
	return treePids(rootPid).reduce((sum, pid) => sum + rssKiB(pid), 0) / 1024;
}

function treeBreakdown(rootPid) {
	return treePids(rootPid).map((pid) => {
		let cmd = '';
		try {
			cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).map((part) => path.basename(part)).join(' ');
		} catch {
			cmd = '?';
		}
		return { pid, cmd: cmd.slice(0, 70), rssMiB: rssKiB(pid) / 1024 };
	});
}

/** CPU seconds so far: the whole machine (busy), the n8n tree and this client. */
function cpuSnapshot(rootPid) {
	const cpuLine = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
	// user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
	const busy = cpuLine.slice(0, 8).reduce((a, b) => a + b, 0) - cpuLine[3] - cpuLine[4];
	const table = processTable();
	const n8n = treePids(rootPid, table).reduce((sum, pid) => sum + table.get(pid).cpuTicks, 0);
	const usage = process.cpuUsage();
	return { busy: busy / CLK_TCK, n8n: n8n / CLK_TCK, self: (usage.user + usage.system) / 1e6, wall: performance.now() / 1000 };
}

function cpuDelta(a, b) {
	return { busy: b.busy - a.busy, n8n: b.n8n - a.n8n, self: b.self - a.self, wall: b.wall - a.wall };
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

/** Sends every body once with `concurrency` requests in flight; bounded by bodies.length. */
async function sendAll(url, bodies, concurrency) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	// The same headers for every side: the Webhook node ignores the token unless --webhook-auth header.
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

// ---------- statistics ----------

function percentile(sorted, p) {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function newScenario(label, body) {
	return {
		label,
		body,
		requests: 0,
		latencies: [],
		failures: [],
		wallMs: 0,
		completeMs: 0,
		executions: 0,
		notSuccess: 0,
		cpu: { busy: 0, n8n: 0, self: 0, wall: 0 },
		rssBefore: undefined,
		rssAfter: undefined,
		rssPeak: 0,
	};
}

/** One measured batch: send, wait for the executions, account everything to `scenario`. */
async function batch(n8n, scenario, workflowKey, bodies, concurrency) {
	const { id } = WORKFLOWS[workflowKey];
	const url = urlOf(n8n, workflowKey);
	const rssStart = treeRssMiB(n8n.pid);
	scenario.rssBefore ??= rssStart;
	let peak = rssStart;
	const sampler = setInterval(() => (peak = Math.max(peak, treeRssMiB(n8n.pid))), 200);
	const cpuStart = cpuSnapshot(n8n.pid);
	const startEpoch = Date.now();
	const sent = await sendAll(url, bodies, concurrency);
	// Failed requests start no execution: do not wait the full deadline for them.
	const executions = await drain(n8n, id, bodies.length, sent.failures.length ? 10_000 : 120_000);
	const cpuEnd = cpuSnapshot(n8n.pid);
	clearInterval(sampler);
	const rssEnd = treeRssMiB(n8n.pid);
	scenario.rssAfter = rssEnd;
	scenario.rssPeak = Math.max(scenario.rssPeak, peak, rssEnd);
	scenario.requests += bodies.length;
	scenario.latencies.push(...sent.latencies);
	scenario.failures.push(...sent.failures);
	scenario.wallMs += sent.wallMs;
	// From the first request to the last execution n8n marked as stopped (same machine clock).
	const lastStop = Math.max(...executions.map((execution) => Date.parse(execution.stoppedAt)).filter(Number.isFinite));
	scenario.completeMs += Number.isFinite(lastStop) ? Math.max(lastStop - startEpoch, sent.wallMs) : NaN;
	scenario.executions += executions.length;
	scenario.notSuccess += executions.filter((execution) => execution.status !== 'success').length;
	const delta = cpuDelta(cpuStart, cpuEnd);
	for (const key of Object.keys(delta)) scenario.cpu[key] += delta[key];
	if (executions.length !== bodies.length) {
		log(`!!! ${scenario.label}: ${bodies.length} requests but ${executions.length} new executions`);
	}
}

// ---------- bodies ----------

function smallBodies(count) {
	return Array.from({ length: count }, (_, i) => Buffer.from(JSON.stringify(sampleNotification(EVENTS[i % EVENTS.length], { fresh: true }))));
}

function largeBodies(count) {
	const template = largeSubscription(5000);
	return Array.from({ length: count }, () => Buffer.from(JSON.stringify({ ...template, uuid: randomUUID() })));
}

/** Splits `total` into `parts` nearly equal batch sizes. */
function split(total, parts) {
	return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0)).filter((n) => n > 0);
}

// ---------- output ----------

const f0 = (n) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');

function row(s) {
	const sorted = [...s.latencies].sort((a, b) => a - b);
	const mismatch = s.executions !== s.requests;
	return [
		s.label,
		s.body,
		s.requests,
		f1((s.requests / s.wallMs) * 1000),
		f1((s.requests / s.completeMs) * 1000),
		f1(percentile(sorted, 50)),
		f1(percentile(sorted, 95)),
		f1(sorted[sorted.length - 1]),
		`${s.executions}${mismatch ? ' **MISMATCH**' : ''}${s.notSuccess ? ` (${s.notSuccess} not success)` : ''}`,
		s.failures.length,
		f2((s.cpu.n8n * 1000) / s.requests),
		`${f0(s.rssBefore)} → ${f0(s.rssAfter)} (peak ${f0(s.rssPeak)})`,
	];
}

function table(header, rows) {
	return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function machineFacts(n8n) {
	const n8nVersion = JSON.parse(fs.readFileSync(path.join(n8n.runtime.nodeModules, 'n8n', 'package.json'), 'utf8')).version;
	const runtimeNode = execFileSync(n8n.runtime.nodeBin, ['--version'], { encoding: 'utf8' }).trim();
	return {
		date: new Date().toISOString(),
		cpus: `${os.availableParallelism()} × ${os.cpus()[0]?.model ?? '?'}`,
		memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
		client: `node ${process.version}`,
		n8n: `n8n ${n8nVersion} on node ${runtimeNode}, SQLite, regular mode, expression engine ${ENGINE ?? 'default'}`,
	};
}

// ---------- main ----------

let n8n;
let packDir;
async function cleanup() {
	const instance = n8n;
	n8n = undefined;
	if (instance) {
		log('stopping n8n');
		await instance.stop().catch((error) => log(`stop failed: ${error.message}`));
	}
	if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.once(signal, () => {
		log(`${signal}: stopping`);
		cleanup().finally(() => process.exit(130));
	});
}

async function main() {
	const load1 = os.loadavg()[0];
	log('packing the package (npm pack --ignore-scripts)');
	packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'appdirect-bench-pack-'));
	execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: repoRoot, stdio: 'ignore' });
	const tarball = path.join(packDir, fs.readdirSync(packDir).find((file) => file.endsWith('.tgz')));

	const smallKeys = WEBHOOK_V1 ? ['baseSmall', 'appSmall', 'v1Small'] : ['baseSmall', 'appSmall'];
	const largeKeys = LARGE > 0 ? ['baseLarge', 'appLarge'] : [];
	const keys = [...smallKeys, ...largeKeys];
	const workflows = keys.map((key) => (WORKFLOWS[key].kind === 'appdirect' ? appDirectWorkflow(key) : webhookWorkflow(key)));
	log('starting n8n');
	// Default log level: startN8n waits for an info line ("Editor is now accessible").
	n8n = await startN8n({ packages: [tarball], workflows, publish: false, env: ENGINE ? { N8N_EXPRESSION_ENGINE: ENGINE } : {} });
	log(`n8n ready on ${n8n.baseUrl} (pid ${n8n.pid})`);
	// Published after the credential exists, like a user would (and like the e2e tests do).
	await n8n.api('POST', '/credentials', { ...CREDENTIAL, type: 'appDirectWebhookTokenApi', data: { token: TOKEN } });
	if (WEBHOOK_AUTH === 'header') {
		// Checks the same header the AppDirect Trigger checks, so both sides authenticate alike.
		await n8n.api('POST', '/credentials', { ...HEADER_CREDENTIAL, type: 'httpHeaderAuth', data: { name: 'x-appdirect-webhook-token', value: TOKEN } });
	}
	for (const key of keys) {
		await n8n.api('POST', `/workflows/${WORKFLOWS[key].id}/publish`, {});
		await n8n.waitForPublished(WORKFLOWS[key].id);
		await n8n.waitForWebhook(webhookOf(key));
	}
	const rssTimeline = [['idle, workflows published', treeRssMiB(n8n.pid)]];

	// Warm-up: JIT, SQLite pages, node loading; executions counted in the totals, not in the stats.
	const warm = {};
	for (const key of smallKeys) warm[key] = smallBodies(WARMUP);
	for (const key of largeKeys) warm[key] = largeBodies(Math.min(WARMUP, 4));
	let warmFailures = 0;
	for (const key of keys) {
		if (warm[key].length === 0) continue;
		log(`warm-up: ${warm[key].length} requests to ${key}`);
		const sent = await sendAll(urlOf(n8n, key), warm[key], largeKeys.includes(key) ? LARGE_CONCURRENCY : CONCURRENCY);
		warmFailures += sent.failures.length;
		const executions = await drain(n8n, WORKFLOWS[key].id, warm[key].length);
		if (executions.length !== warm[key].length) log(`!!! warm-up ${key}: ${warm[key].length} requests, ${executions.length} executions`);
	}
	if (warmFailures) log(`!!! ${warmFailures} warm-up requests failed`);
	rssTimeline.push(['after warm-up', treeRssMiB(n8n.pid)]);

	const byKey = Object.fromEntries(keys.map((key) => [key, newScenario(WORKFLOWS[key].label, WORKFLOWS[key].body)]));
	// Every side gets the same bodies in a round, and the order rotates each round (AB, BA, …)
	// so that drift (heap growth, database size) does not always favour the same side.
	async function rounds(sideKeys, total, makeBodies, concurrency, what) {
		const sizes = split(total, Math.min(ROUNDS, total));
		for (const [round, size] of sizes.entries()) {
			const bodies = makeBodies(size);
			const order = sideKeys.map((_, i) => sideKeys[(i + round) % sideKeys.length]);
			for (const key of order) {
				log(`round ${round + 1}/${sizes.length}: ${size} ${what} requests to ${key}`);
				await batch(n8n, byKey[key], key, bodies, concurrency);
			}
		}
		return sizes.length;
	}
	const smallRounds = await rounds(smallKeys, REQUESTS, smallBodies, CONCURRENCY, 'small');
	rssTimeline.push(['after small-body rounds', treeRssMiB(n8n.pid)]);
	if (LARGE > 0) {
		await rounds(largeKeys, LARGE, largeBodies, LARGE_CONCURRENCY, '~1 MB');
		rssTimeline.push(['after ~1 MB rounds', treeRssMiB(n8n.pid)]);
	}
	const scenarios = keys.map((key) => byKey[key]);

	// The totals n8n holds, warm-up included, must match what was sent.
	let mismatches = 0;
	const totals = [];
	for (const key of keys) {
		const all = await n8n.getExecutions({ workflowId: WORKFLOWS[key].id, includeData: false });
		const sentTotal = warm[key].length + byKey[key].requests;
		totals.push([key, sentTotal, all.length, all.filter((execution) => execution.status === 'success').length]);
		if (all.length !== sentTotal) mismatches++;
	}
	for (const s of scenarios) if (s.executions !== s.requests || s.notSuccess || s.failures.length) mismatches++;

	// One execution of the AppDirect workflow, with data: the item must have left on exactly one output.
	const newest = await n8n.api('GET', `/executions?workflowId=${WORKFLOWS.appSmall.id}&limit=1&includeData=true`);
	const sample = newest.data?.[0];
	const ran = Object.keys(sample?.data?.resultData?.runData ?? {});
	const routedOk = ran.length === 2 && ran.includes('AppDirect Trigger');

	const breakdown = treeBreakdown(n8n.pid);
	const facts = machineFacts(n8n);
	const load2 = os.loadavg()[0];
	const cpu = scenarios.reduce((sum, s) => ({ busy: sum.busy + s.cpu.busy, n8n: sum.n8n + s.cpu.n8n, self: sum.self + s.cpu.self, wall: sum.wall + s.cpu.wall }), { busy: 0, n8n: 0, self: 0, wall: 0 });
	await cleanup();

	// ---------- report (stdout, Markdown) ----------
	const out = [];
	out.push(`## Throughput in a real n8n — ${facts.date}`, '');
	out.push(`- machine: ${facts.cpus}, ${facts.memory}; client ${facts.client}; ${facts.n8n}`);
	out.push(
		`- settings: ${REQUESTS} measured small requests per side (${smallRounds} rounds, order rotating, concurrency ${CONCURRENCY}), ` +
			`${LARGE} ~1 MB requests per side (concurrency ${LARGE_CONCURRENCY}), warm-up ${WARMUP} per workflow (excluded)`,
	);
	out.push(`- load average (1 min) at start ${load1.toFixed(2)}, at end ${load2.toFixed(2)}`);
	out.push(
		`- CPU during measured batches: machine busy ${f1(cpu.busy)} s of ${f1(cpu.wall * os.availableParallelism())} core-s; ` +
			`n8n tree ${f1(cpu.n8n)} s, this client ${f1(cpu.self)} s, other processes ~${f1(Math.max(0, cpu.busy - cpu.n8n - cpu.self))} s`,
	);
	out.push('');
	out.push(
		table(
			['scenario', 'body', 'requests', 'HTTP req/s', 'completed exec/s', 'p50 ms', 'p95 ms', 'max ms', 'executions recorded', 'failed requests', 'n8n CPU ms/req', 'n8n RSS MiB before → after (peak)'],
			scenarios.map(row),
		),
	);
	out.push('');
	out.push(table(['workflow', 'requests sent (incl. warm-up)', 'executions in n8n', 'of which success'], totals));
	out.push('');
	out.push(table(['n8n process tree RSS', 'MiB'], rssTimeline.map(([label, mib]) => [label, f0(mib)])));
	out.push('');
	out.push(table(['process at the end', 'RSS MiB'], breakdown.map((p) => [`${p.pid} ${p.cmd}`, f0(p.rssMiB)])));
	out.push('');
	out.push(`- sample AppDirect execution ran: ${ran.join(', ') || '(none)'} → ${routedOk ? 'one output taken, as expected' : '**UNEXPECTED**'}`);
	if (warmFailures) out.push(`- **${warmFailures} warm-up requests failed**`);
	for (const s of scenarios) {
		if (s.failures.length) out.push(`- **${s.label} (${s.body}): ${s.failures.length} failed requests**, e.g. ${s.failures[0]}`);
	}
	if (mismatches || !routedOk) out.push('', `**MISMATCH: executions recorded by n8n do not match the requests sent (see above). The numbers are not trustworthy.**`);
	console.log(out.join('\n'));
	log(`done in ${((performance.now() - T0) / 1000).toFixed(0)} s`);
	if (mismatches || !routedOk) {
		console.error('\n!!!!!!!! MISMATCH between requests and n8n executions — see the tables !!!!!!!!');
		process.exitCode = 1;
	}
}

main().catch(async (error) => {
	console.error(error.stack ?? error.message);
	await cleanup();
	process.exit(1);
});
