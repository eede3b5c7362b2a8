#!/usr/bin/env node
// Throughput of the AppDirect Trigger on n8n's queue mode, on this machine: the same load through
// 1 webhook process + 1 worker and through 2 + 2 (same run, same machine), in both answer modes.
// Per run: notifications per second (first request to last execution finished), CPU per
// notification (n8n processes by role, PostgreSQL, Redis), and memory per process.
// Every notification is accounted for in PostgreSQL: a lost or duplicated one prints MISMATCH.
//
//   npm run bench:queue                       # defaults, about 10 minutes on a quiet 2-core machine
//   npm run bench:queue -- --notifications 300 --topologies 1x1
//
// Markdown on stdout, progress on stderr; --json <file> writes the figures too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';

import { startCluster } from '../scripts/n8n/cluster.mjs';
import { connect, executionsByWorker, lastExecutionId } from '../scripts/n8n/executions-pg.mjs';
import { versions } from '../scripts/n8n/provision.mjs';
import {
	createTokenCredential,
	deliverAndAccount,
	mixedNotifications,
	routingWorkflow,
	webhookOf,
} from '../scripts/n8n/queue-load.mjs';
import { describeAccount } from '../scripts/send/accounting.mjs';
import { machineBusySeconds, processTable, treeCpuSeconds, treeRssMiB } from './proc.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
	options: {
		notifications: { type: 'string', default: '1000' },
		warmup: { type: 'string', default: '60' },
		concurrency: { type: 'string', default: '32' },
		topologies: { type: 'string', default: '1x1,2x2' },
		modes: { type: 'string', default: 'immediately,whenFinished' },
		// n8n's default (0) removes a finished job from Redis at once; see docs/scaling.md.
		'keep-completed': { type: 'string', default: '1000' },
		json: { type: 'string' },
		help: { type: 'boolean', default: false },
	},
});
if (opts.help) {
	process.stdout.write(`Usage: npm run bench:queue -- [--notifications N] [--warmup W] [--concurrency C]
  [--topologies 1x1,2x2] [--modes immediately,whenFinished] [--keep-completed N] [--json file]
  topology WxK: W webhook processes and K workers (plus one main, PostgreSQL and Redis)
  --keep-completed: N8N_EXECUTIONS_QUEUE_KEEP_LAST_COMPLETED (0 is n8n's default)\n`);
	process.exit(0);
}
const N = Number(opts.notifications);
const WARMUP = Number(opts.warmup);
const CONCURRENCY = Number(opts.concurrency);
const MODES = opts.modes.split(',');
const TOPOLOGIES = opts.topologies.split(',').map((t) => t.split('x').map(Number));
const KEEP = opts['keep-completed'];
const TOKEN = `bench-${Date.now().toString(36)}-token-0123456789`;
const log = (line) => process.stderr.write(`[bench:queue] ${line}\n`);
const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function packPackage() {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'appdirect-bench-pack-'));
	execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', folder], { cwd: root, stdio: 'ignore' });
	return { folder, tarball: path.join(folder, fs.readdirSync(folder).find((file) => file.endsWith('.tgz'))) };
}

/** Every process tree of the cluster, by name: main, webhook-1…, worker-1…, postgres, redis. */
function trees(cluster) {
	return [
		{ name: 'main', role: 'main', pid: cluster.main.pid },
		...cluster.webhookProcesses.map((p) => ({ name: p.name, role: 'webhook', pid: p.pid })),
		...cluster.workers.map((p) => ({ name: p.name, role: 'worker', pid: p.pid })),
		{ name: 'postgres', role: 'postgres', pid: cluster.postgres.pid },
		{ name: 'redis', role: 'redis', pid: cluster.redis.pid },
	];
}

function cpuOf(list) {
	const table = processTable();
	return Object.fromEntries(list.map((tree) => [tree.name, treeCpuSeconds(tree.pid, table)]));
}

async function measure(cluster, client, workflow, notifications) {
	const list = trees(cluster);
	const peak = Object.fromEntries(list.map((tree) => [tree.name, 0]));
	const sample = () => {
		const table = processTable();
		for (const tree of list) peak[tree.name] = Math.max(peak[tree.name], treeRssMiB(tree.pid, table));
	};
	sample();
	const timer = setInterval(sample, 500);
	const cpuBefore = cpuOf(list);
	const busyBefore = machineBusySeconds();
	const selfBefore = process.cpuUsage();
	const hook = webhookOf(workflow);
	const result = await deliverAndAccount({
		client,
		urls: cluster.webhookUrls(hook.webhookId, hook.path),
		token: TOKEN,
		notifications,
		workflowIds: [workflow.id],
		afterId: await lastExecutionId(client),
		concurrency: CONCURRENCY,
		timeScale: 0.001,
		settleMs: 10_000,
	});
	clearInterval(timer);
	sample();
	const cpuAfter = cpuOf(list);
	const self = process.cpuUsage(selfBefore);
	const cpu = Object.fromEntries(list.map((tree) => [tree.name, cpuAfter[tree.name] - cpuBefore[tree.name]]));
	return {
		result,
		cpu,
		busy: machineBusySeconds() - busyBefore,
		client: (self.user + self.system) / 1e6,
		rss: Object.fromEntries(list.map((tree) => [tree.name, treeRssMiB(tree.pid)])),
		peak,
		roles: Object.fromEntries(list.map((tree) => [tree.name, tree.role])),
	};
}

async function runTopology([webhookProcesses, workers], pack) {
	log(`starting 1 main + ${webhookProcesses} webhook process(es) + ${workers} worker(s), PostgreSQL, Redis`);
	const workflows = Object.fromEntries(MODES.map((mode) => [mode, routingWorkflow({ key: `b${mode}`, respond: mode })]));
	const started = Date.now();
	const cluster = await startCluster({
		packages: [pack.tarball],
		workflows: Object.values(workflows),
		webhooks: Object.values(workflows).map(webhookOf),
		webhookProcesses,
		workers,
		env: { N8N_EXECUTIONS_QUEUE_KEEP_LAST_COMPLETED: KEEP, N8N_EXECUTIONS_QUEUE_KEEP_LAST_FAILED: KEEP },
	});
	const startSeconds = (Date.now() - started) / 1000;
	const client = await connect(cluster.postgres);
	const rows = [];
	try {
		await createTokenCredential(cluster, TOKEN);
		const idle = Object.fromEntries(trees(cluster).map((tree) => [tree.name, treeRssMiB(tree.pid)]));
		for (const mode of MODES) {
			if (WARMUP > 0) {
				log(`${webhookProcesses}x${workers} ${mode}: warm-up, ${WARMUP} notifications`);
				await measure(cluster, client, workflows[mode], mixedNotifications(WARMUP));
			}
			log(`${webhookProcesses}x${workers} ${mode}: ${N} notifications at concurrency ${CONCURRENCY}`);
			const m = await measure(cluster, client, workflows[mode], mixedNotifications(N));
			const { result } = m;
			const perWorker = {};
			const ranOn = executionsByWorker(cluster.workers);
			for (const execution of result.executions) {
				for (const name of ranOn.get(execution.id) ?? ['?']) perWorker[name] = (perWorker[name] ?? 0) + 1;
			}
			const byRole = {};
			for (const [name, seconds] of Object.entries(m.cpu)) byRole[m.roles[name]] = (byRole[m.roles[name]] ?? 0) + seconds;
			const ok = result.report.lost === 0 && result.report.duplicated === 0 && result.summary.delivered === N;
			rows.push({
				topology: `${webhookProcesses} webhook + ${workers} worker${workers > 1 ? 's' : ''}`,
				mode,
				notifications: N,
				perSecond: round(N / (result.drainedMs / 1000)),
				p50Ms: round(result.summary.p50Ms, 0),
				p99Ms: round(result.summary.p99Ms, 0),
				cpuMsPerNotification: Object.fromEntries(Object.entries(byRole).map(([role, s]) => [role, round((s * 1000) / N)])),
				cpuMsTotal: round((Object.values(m.cpu).reduce((a, b) => a + b, 0) * 1000) / N),
				machineBusySeconds: round(m.busy),
				clientCpuSeconds: round(m.client),
				rssMiB: Object.fromEntries(Object.entries(m.rss).map(([name, v]) => [name, round(v, 0)])),
				peakRssMiB: Object.fromEntries(Object.entries(m.peak).map(([name, v]) => [name, round(v, 0)])),
				idleRssMiB: Object.fromEntries(Object.entries(idle).map(([name, v]) => [name, round(v, 0)])),
				perWorker,
				account: describeAccount(result.report),
				timeouts: result.summary.byOutcome.timeout,
				ok,
			});
			log(`  ${rows.at(-1).perSecond}/s, ${rows.at(-1).cpuMsTotal} ms CPU per notification, ${rows.at(-1).account}${ok ? '' : '  MISMATCH'}`);
		}
	} finally {
		await client.end();
		await cluster.stop();
	}
	return { startSeconds: round(startSeconds), rows };
}

function markdown(runs, meta) {
	const lines = [];
	lines.push(`n8n ${versions.n8n}, ${meta.cpus}, ${meta.memory}; ${N} notifications per row (after ${WARMUP} warm-up), concurrency ${CONCURRENCY}, token authentication, every catalog event; N8N_EXECUTIONS_QUEUE_KEEP_LAST_COMPLETED=${KEEP}. Load average before: ${meta.loadBefore}. Wall time ${meta.wallSeconds} s.`);
	lines.push('');
	lines.push('| topology | answer mode | notifications/s | p50 ms | p99 ms | CPU ms per notification: total (main / webhook / worker / PostgreSQL / Redis) | machine busy CPU-s | accounted |');
	lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
	for (const run of runs) {
		for (const row of run.rows) {
			const c = row.cpuMsPerNotification;
			lines.push(
				`| ${row.topology} | ${row.mode} | ${row.perSecond} | ${row.p50Ms} | ${row.p99Ms} | ${row.cpuMsTotal} (${c.main} / ${c.webhook} / ${c.worker} / ${c.postgres} / ${c.redis}) | ${row.machineBusySeconds} | ${row.account}${row.ok ? '' : ' **MISMATCH**'} |`,
			);
		}
	}
	lines.push('');
	lines.push('Memory (RSS of each process tree, MiB: idle after start → end of the run, peak during the runs):');
	lines.push('');
	for (const run of runs) {
		const last = run.rows.at(-1);
		lines.push(`- ${last.topology} (started in ${run.startSeconds} s): ${Object.keys(last.rssMiB).map((name) => `${name} ${last.idleRssMiB[name]} → ${last.rssMiB[name]} (peak ${Math.max(...run.rows.map((r) => r.peakRssMiB[name]))})`).join(', ')}`);
	}
	lines.push('');
	lines.push(`Executions per worker: ${runs.map((run) => run.rows.map((row) => `${row.topology} ${row.mode}: ${Object.entries(row.perWorker).map(([w, n]) => `${w} ${n}`).join(', ')}`).join('; ')).join('; ')}.`);
	return lines.join('\n');
}

const started = Date.now();
const meta = {
	cpus: `${os.availableParallelism()} × ${os.cpus()[0]?.model ?? '?'}`,
	memory: `${round(os.totalmem() / 2 ** 30)} GiB`,
	loadBefore: os.loadavg().map((v) => v.toFixed(2)).join(' '),
};
const pack = packPackage();
try {
	const runs = [];
	for (const topology of TOPOLOGIES) runs.push(await runTopology(topology, pack));
	meta.wallSeconds = Math.round((Date.now() - started) / 1000);
	process.stdout.write(`${markdown(runs, meta)}\n`);
	if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify({ meta, runs }, null, 2)}\n`);
	process.exitCode = runs.every((run) => run.rows.every((row) => row.ok)) ? 0 : 1;
} finally {
	fs.rmSync(pack.folder, { recursive: true, force: true });
}
