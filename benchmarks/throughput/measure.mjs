// Sending notifications to one n8n and accounting for what that cost: requests with a fixed
// number in flight, the executions n8n recorded for them, CPU and memory of n8n's process tree
// (from /proc) and its expression engine's counters (from /metrics).
import http from 'node:http';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';

import { commandOf, machineBusySeconds, treeCpuSeconds, treePids, treeRssMiB } from '../proc.mjs';
import { BEARER, EVENTS, SCENARIOS, TOKEN, urlOf } from './scenarios.mjs';

const require = createRequire(import.meta.url);
const { sampleNotification, largeSubscription } = require('../../samples/index.js');

export const T0 = performance.now();
export const log = (message) => process.stderr.write(`[bench +${((performance.now() - T0) / 1000).toFixed(1)}s] ${message}\n`);
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------- /proc: RSS and CPU of the n8n process tree ----------

/** The `n8n start` process itself (not the supervisor, not the task runner). */
export function mainPid(rootPid) {
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
export async function engineCounters(n8n) {
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
export async function sendAll(url, bodies, concurrency) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	// The same headers everywhere; (a) and (d) ignore the token.
	const headers = {
		'content-type': 'application/json; charset=utf-8',
		'x-appdirect-webhook-token': TOKEN,
		...(BEARER.token ? { authorization: `Bearer ${BEARER.token}` } : {}),
	};
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

/** A new n8n has a new database: its execution ids start again. */
export function forgetExecutionIds() {
	lastId.clear();
}

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
export async function drain(n8n, workflowId, count, timeoutMs = 120_000) {
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

export function smallBodies(count, offset = 0) {
	return Array.from({ length: count }, (_, i) => Buffer.from(JSON.stringify(sampleNotification(EVENTS[(i + offset) % EVENTS.length], { fresh: true }))));
}

let largeTemplate;
export function largeBodies(count) {
	largeTemplate ??= largeSubscription(5000);
	return Array.from({ length: count }, () => Buffer.from(JSON.stringify({ ...largeTemplate, uuid: randomUUID() })));
}

/** Splits `total` into `parts` nearly equal batch sizes. */
export function split(total, parts) {
	return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0)).filter((n) => n > 0);
}

export function newResult(config, key) {
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
export async function batch(n8n, result, bodies, concurrency) {
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
