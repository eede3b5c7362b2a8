#!/usr/bin/env node
// `npm run cluster`: the product on n8n's queue mode, from a fresh clone. A throw-away PostgreSQL
// and Redis, one main n8n (editor, API; no production webhooks), several webhook processes and
// several workers, each with the packed package installed as a community package, and the
// CRM-sync example published. Sends the demo story through the webhook processes in turn (as a
// load balancer would), prints the Data Tables, and runs until Ctrl-C (or stops with --once).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { CREDENTIAL, CRM_SYNC, TABLES, WEBHOOK_PATH, crmSyncWorkflow, tableColumns } from '../demo/examples.mjs';
import { demoStory } from '../demo/notifications.mjs';
import { VIEWS, formatTable, readRows } from '../demo/tables.mjs';
import { startCluster } from '../n8n/cluster.mjs';
import { isAlive } from '../services/processes.mjs';
import { ensureRuntime, readRuntime, versions } from '../n8n/provision.mjs';
import { createDelivery } from '../send/delivery.mjs';
import { ensurePostgres } from '../services/postgres.mjs';
import { ensureRedis } from '../services/redis.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const USAGE = `Usage: npm run cluster -- [--webhooks N] [--workers N] [--port P] [--webhook-port P] [--once]

Starts n8n ${versions.n8n} in queue mode on this machine: a throw-away PostgreSQL and Redis, one
main process (editor on --port), N webhook processes (on --webhook-port, --webhook-port + 1, …)
and N workers, with the AppDirect Trigger and the example workflow examples/${CRM_SYNC.file}.

  --webhooks N        webhook processes [2]
  --workers N         worker processes [2]
  --port P            the main process (editor, API) [5678]
  --webhook-port P    the first webhook process; the next ones count up [5681]
  --once              stop everything after printing the tables (for tests and CI)
  --no-build          use the existing dist/ instead of running npm run build

Needs PostgreSQL and Redis from Debian packages (postgresql, redis-server); installed when missing
if run as root, otherwise: sudo apt-get install postgresql redis-server. See docs/scaling.md.`;

const OWNER = { email: 'demo@example.com', password: 'AppDirectDemo1', firstName: 'Demo', lastName: 'Owner' };

const started = Date.now();
const seconds = (since = started) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
const say = (line = '') => process.stdout.write(`${line}\n`);

class UsageError extends Error {}

function options() {
	let parsed;
	try {
		parsed = parseArgs({
			options: {
				webhooks: { type: 'string', default: '2' },
				workers: { type: 'string', default: '2' },
				port: { type: 'string', default: '5678' },
				'webhook-port': { type: 'string', default: '5681' },
				once: { type: 'boolean', default: false },
				'no-build': { type: 'boolean', default: false },
				help: { type: 'boolean', short: 'h', default: false },
			},
		}).values;
	} catch (error) {
		throw new UsageError(`${error.message}\n\n${USAGE}`);
	}
	if (parsed.help) {
		say(USAGE);
		process.exit(0);
	}
	const number = (name, min, max) => {
		const value = Number(parsed[name]);
		if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${parsed[name]}"`);
		return value;
	};
	return {
		webhooks: number('webhooks', 1, 8),
		workers: number('workers', 1, 8),
		port: number('port', 1, 65535),
		webhookPort: number('webhook-port', 1, 65535),
		once: parsed.once,
		build: !parsed['no-build'],
	};
}

/** Fails early, before minutes of building and starting, when a port is taken. */
async function checkPortsFree(ports) {
	for (const port of ports) {
		await new Promise((resolve, reject) => {
			const server = net.createServer();
			server.once('error', (error) =>
				reject(new UsageError(`Port ${port} is not free (${error.code}). Pick others: --port and --webhook-port.`)),
			);
			server.listen(port, '127.0.0.1', () => server.close(resolve));
		});
	}
}

function run(command, args) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (d) => (output += d));
		child.stderr.on('data', (d) => (output += d));
		child.on('error', reject);
		child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} failed:\n${output}`))));
	});
}

async function buildAndPack(build) {
	if (build) {
		process.stdout.write('Building the node (npm run build)… ');
		await run('npm', ['run', 'build']);
		say('done');
	}
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'appdirect-cluster-pack-'));
	const out = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', folder]);
	const [{ filename }] = JSON.parse(out.slice(out.indexOf('[')));
	return { tarball: path.join(folder, filename), folder };
}

/** The story, one notification at a time, each through the next webhook process; waits for its execution. */
async function sendStory(cluster, urls, token) {
	const story = demoStory();
	say(`Sending ${story.length} notifications as AppDirect would, each to the next webhook process in turn:`);
	const delivery = createDelivery({ urls, token, concurrency: 1, timeScale: 0.001 });
	let failures = 0;
	try {
		for (const [index, { label, notification }] of story.entries()) {
			const record = await delivery.deliver(notification);
			const last = record.attempts.at(-1);
			if (!record.delivered) failures++;
			const via = cluster.webhookProcesses.find((p) => last.url.startsWith(p.baseUrl))?.name ?? last.url;
			const event = `${notification.resource.type.toLowerCase()}.${notification.resourceAction.toLowerCase()}`;
			say(`  ${event.padEnd(21)} ${String(last.status ?? last.outcome).padEnd(4)} via ${via.padEnd(10)} ${label}`);
			// One after the other, as the story happened: the next one waits for this one's execution.
			await cluster.main.waitForExecutions({ workflowId: CRM_SYNC.id, count: index + 1, timeoutMs: 60_000 });
		}
	} finally {
		delivery.close();
	}
	return failures;
}

async function main() {
	const opts = options();
	let cluster;
	let packFolder;
	let stopping = false;
	const cleanUp = async () => {
		if (cluster) await cluster.stop();
		if (packFolder) fs.rmSync(packFolder, { recursive: true, force: true });
	};
	const onSignal = (signal) => {
		if (stopping) return;
		stopping = true;
		say();
		say('Stopping the webhook processes, the workers, main, Redis and PostgreSQL…');
		cleanUp().then(
			() => {
				say('Stopped.');
				process.exit(signal === 'SIGINT' ? 0 : 143);
			},
			() => process.exit(1),
		);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	try {
		say(`AppDirect Trigger on n8n's queue mode: 1 main, ${opts.webhooks} webhook process(es), ${opts.workers} worker(s)`);
		await checkPortsFree([opts.port, ...Array.from({ length: opts.webhooks }, (_, index) => opts.webhookPort + index)]);
		ensurePostgres({ log: say });
		ensureRedis({ log: say });
		const packed = await buildAndPack(opts.build);
		packFolder = packed.folder;
		if (!readRuntime()) say(`Installing n8n ${versions.n8n} into .n8n-runtime/ (first run only: about 3 GB, a few minutes)…`);
		await ensureRuntime();

		const t0 = Date.now();
		say('Starting PostgreSQL, Redis, main, the webhook processes and the workers…');
		const base = `http://localhost:${opts.port}`;
		const webhookBase = (index) => `http://localhost:${opts.webhookPort + index}`;
		cluster = await startCluster({
			packages: [packed.tarball],
			// Without the API lookups: the cluster has no AppDirect API to read from.
			workflows: [crmSyncWorkflow({ lookup: false })],
			webhooks: [{ webhookId: CRM_SYNC.webhookId, path: WEBHOOK_PATH, method: 'POST' }],
			owner: OWNER,
			webhookProcesses: opts.webhooks,
			workers: opts.workers,
			mainEnv: {
				N8N_PORT: opts.port,
				N8N_HOST: 'localhost',
				N8N_EDITOR_BASE_URL: `${base}/`,
				// The editor shows production URLs with this base: in production, the load balancer's address.
				N8N_WEBHOOK_URL: `${webhookBase(0)}/`,
			},
			webhookEnv: (index) => ({ N8N_PORT: opts.webhookPort + index, N8N_HOST: 'localhost', N8N_WEBHOOK_URL: `${webhookBase(index)}/` }),
		});
		if (stopping) return;
		say(`Ready in ${seconds(t0)}.`);

		const token = randomBytes(16).toString('hex');
		await cluster.main.api('POST', '/credentials', { id: CREDENTIAL.id, name: CREDENTIAL.name, type: CREDENTIAL.type, data: { token } });
		const tables = {};
		for (const [key, table] of Object.entries(TABLES)) {
			tables[key] = await cluster.main.api('POST', '/data-tables', { name: table.name, columns: tableColumns(table) });
		}
		const urls = cluster.webhookUrls(CRM_SYNC.webhookId, WEBHOOK_PATH);

		say();
		say(`Editor (main): ${base}  (production webhooks are off on main)`);
		say(`Log in with email ${OWNER.email} and password ${OWNER.password}`);
		say(`Workflow: ${base}/workflow/${CRM_SYNC.id} (published)`);
		cluster.webhookProcesses.forEach((p, index) => say(`Webhook URL (${p.name}): ${urls[index]}`));
		say(`Token: ${token}`);
		say(`Workers: ${cluster.workers.map((w) => w.name).join(', ')}; PostgreSQL on 127.0.0.1:${cluster.postgres.port}, Redis on 127.0.0.1:${cluster.redis.port}`);
		say();

		const failures = await sendStory(cluster, urls, token);
		const ranOn = new Map();
		for (const worker of cluster.workers) {
			for (const match of worker.readLog().matchAll(/Worker started execution (\d+)/g)) ranOn.set(match[1], worker.name);
		}
		say(`Executions by worker: ${cluster.workers.map((w) => `${w.name} ${[...ranOn.values()].filter((n) => n === w.name).length}`).join(', ')}`);
		say();
		say('What the CRM (n8n Data Tables) now holds:');
		for (const [key, table] of Object.entries(tables)) {
			const rows = await readRows(cluster.main, table.id);
			say();
			say(`${table.name} (${rows.length} row${rows.length === 1 ? '' : 's'})`);
			for (const line of formatTable(rows, VIEWS[key])) say(line);
		}
		say();
		if (failures > 0) say(`${failures} notification(s) were not accepted; logs: ${cluster.webhookProcesses.map((p) => p.logFile).join(', ')}`);

		if (opts.once) {
			say(`Done in ${seconds()}. Stopping everything (--once).`);
			stopping = true;
			await cleanUp();
			say('Stopped.');
			process.exit(failures > 0 ? 1 : 0);
		}
		say('Send more notifications yourself, for example:');
		say(`  npm run send -- ${urls.map((url) => `--url ${url}`).join(' ')} --token ${token} --fresh subscription.removed company.changed`);
		say(`Ready in ${seconds()}. Press Ctrl-C to stop everything (all of it is temporary).`);
		const watch = setInterval(() => {
			if (stopping) return;
			const dead = cluster.processes().find((p) => !isAlive(p.pid));
			if (dead) {
				clearInterval(watch);
				console.error(`An n8n process stopped unexpectedly. Last lines of its log (${dead.logFile}):\n${dead.logTail(30)}`);
				onSignal('SIGTERM');
			}
		}, 2000);
	} catch (error) {
		if (stopping) return;
		stopping = true;
		console.error(`\nnpm run cluster failed: ${error instanceof UsageError ? error.message : (error.stack ?? error)}`);
		await cleanUp().catch(() => {});
		process.exit(1);
	}
}

main();
