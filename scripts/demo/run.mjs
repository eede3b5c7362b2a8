#!/usr/bin/env node
// `npm run demo`: the product in a real n8n, from a fresh clone. Builds and packs the node,
// installs it into a pinned n8n as a community package, creates the owner, the token
// credential and the Data Tables that play the CRM, imports and publishes
// examples/appdirect-crm-sync.json (with the upsert it calls), imports the marketplace's existing
// customers with examples/appdirect-crm-import.json, sends realistic AppDirect notifications to it and prints
// what the tables now hold. n8n then keeps running until Ctrl-C.
//
// Every run starts from a fresh, temporary n8n user folder (deleted on exit unless --keep),
// so a re-run never trips over the previous one.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { startAppDirectApi } from '../appdirect-api/server.mjs';
import { API_CREDENTIAL, CREDENTIAL, CRM_IMPORT, CRM_SYNC, CRM_UPSERT, RECONCILE_RUNS_TABLE, TABLES, tableColumns, WEBHOOK_PATH, examplesDir } from './examples.mjs';
import { demoStory } from './notifications.mjs';
import { formatTable, readRows, VIEWS } from './tables.mjs';
import { ensureRuntime, readRuntime, versions } from '../n8n/provision.mjs';
import { startN8n } from '../n8n/instance.mjs';
import { isAlive } from '../services/processes.mjs';
import { sendNotification } from '../send/run.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const USAGE = `Usage: npm run demo -- [--port <port>] [--once] [--keep]

Starts n8n ${versions.n8n} on http://localhost:5678 with the AppDirect Trigger and the example
workflow examples/${CRM_SYNC.file}, sends sample AppDirect notifications and shows the result.

  --port <port>  listen on this port instead of 5678
  --once         stop n8n after printing the tables (for tests and CI)
  --keep         keep n8n's user folder (database, log) after stopping
  --no-build     use the existing dist/ instead of running npm run build`;

// The owner is created from the environment (no sign-up screen). n8n only listens on
// 127.0.0.1, so a fixed, printed password is acceptable for a local demo.
const OWNER = { email: 'demo@example.com', password: 'AppDirectDemo1', firstName: 'Demo', lastName: 'Owner' };

const started = Date.now();
const seconds = (since = started) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
const say = (line = '') => process.stdout.write(`${line}\n`);

class DemoError extends Error {}

function options() {
	let parsed;
	try {
		parsed = parseArgs({
			options: {
				port: { type: 'string', default: '5678' },
				once: { type: 'boolean', default: false },
				keep: { type: 'boolean', default: false },
				'no-build': { type: 'boolean', default: false },
				help: { type: 'boolean', short: 'h', default: false },
			},
		}).values;
	} catch (error) {
		throw new DemoError(`${error.message}\n\n${USAGE}`);
	}
	if (parsed.help) {
		say(USAGE);
		process.exit(0);
	}
	const port = Number(parsed.port);
	if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DemoError(`--port must be a port number, got "${parsed.port}"`);
	return { ...parsed, port };
}

/** Fails early, before minutes of building and installing, when the port is taken. */
function checkPortFree(port) {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', (error) => {
			if (error.code === 'EADDRINUSE') {
				reject(
					new DemoError(
						`Port ${port} is already in use (another n8n?). Stop what is using it, or pick another port: npm run demo -- --port ${port + 1}`,
					),
				);
			} else if (error.code === 'EACCES') {
				reject(new DemoError(`Not allowed to listen on port ${port}. Pick another one: npm run demo -- --port 5678`));
			} else reject(error);
		});
		server.listen(port, '127.0.0.1', () => server.close(resolve));
	});
}

/** Runs a command quietly; on failure shows its output. */
function run(command, args, label) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (d) => (output += d));
		child.stderr.on('data', (d) => (output += d));
		child.on('error', (error) => reject(new DemoError(`${label} could not start: ${error.message}`)));
		child.on('exit', (code, signal) => {
			if (code === 0) resolve(output);
			else reject(new DemoError(`${label} failed (${signal ?? `exit code ${code}`}):\n${output.trim()}`));
		});
	});
}

async function buildAndPack({ build }) {
	if (build) {
		const t0 = Date.now();
		process.stdout.write('Building the node (npm run build)… ');
		await run('npm', ['run', 'build'], 'npm run build');
		say(`done in ${seconds(t0)}`);
	} else if (!fs.existsSync(path.join(root, 'dist'))) {
		throw new DemoError('dist/ is missing: run without --no-build (or npm run build first)');
	}
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'appdirect-demo-pack-'));
	const out = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', folder], 'npm pack');
	const [{ filename }] = JSON.parse(out.slice(out.indexOf('[')));
	say(`Packed the node as ${filename}`);
	return { tarball: path.join(folder, filename), folder };
}

async function prepareRuntime() {
	if (readRuntime()) return;
	say(`Installing n8n ${versions.n8n} into .n8n-runtime/ (first run only: about 3 GB, a few minutes)…`);
	const t0 = Date.now();
	await ensureRuntime();
	say(`n8n installed in ${seconds(t0)}`);
}

/** The Data Tables that play the CRM, created through n8n's public API. */
async function createTables(n8n) {
	const tables = {};
	for (const [key, table] of Object.entries(TABLES)) {
		tables[key] = await n8n.api('POST', '/data-tables', { name: table.name, columns: tableColumns(table) });
	}
	return tables;
}

/** The demo marketplace's existing customers, made up by the API stand-in: imported before any notification. */
const EXISTING = { companies: 3 };

/** Runs examples/appdirect-crm-import.json as its "Execute workflow" button does, and says what it wrote. */
async function importExisting(n8n, tables) {
	await n8n.api('POST', '/data-tables', { name: RECONCILE_RUNS_TABLE.name, columns: tableColumns(RECONCILE_RUNS_TABLE) });
	const t0 = Date.now();
	process.stdout.write(`Importing the marketplace's existing customers (${CRM_IMPORT.file})… `);
	const { executionId } = await n8n.rest('POST', `/workflows/${CRM_IMPORT.id}/run`, { triggerToStartFrom: { name: 'Start the import' } });
	for (;;) {
		const { status } = await n8n.api('GET', `/executions/${executionId}`);
		if (status === 'success') break;
		if (['error', 'crashed', 'canceled'].includes(status)) {
			const error = (await n8n.api('GET', `/executions/${executionId}?includeData=true`)).data?.resultData?.error;
			throw new DemoError(`the import ended ${status}: ${error?.node?.name ?? ''} ${error?.message ?? ''}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	const counts = [];
	for (const [key, table] of Object.entries(tables)) counts.push(`${(await readRows(n8n, table.id)).length} ${key}`);
	say(`done in ${seconds(t0)}: ${counts.join(', ')}`);
}

/**
 * Sends the story. Before each event the stand-in API takes the resource's new state (as
 * AppDirect's API would show it from then on); `late` notifications are sent after all others,
 * as AppDirect's retries would bring them in.
 */
async function sendStory(url, token, api) {
	const story = demoStory(Date.now(), { stale: true }).map((entry) => ({ ...entry, notification: api.localise(entry.notification) }));
	say(`Sending ${story.length} notifications as AppDirect would (POST, JSON, x-appdirect-webhook-token header):`);
	const late = [];
	let failures = 0;
	for (const entry of story) {
		const { resource, resourceAction } = entry.notification;
		if (resourceAction === 'REMOVED') api.removeResource(resource.url);
		else api.setResource(resource.url, resource.content);
		if (entry.late) late.push(entry);
		else failures += await send(url, token, [entry]);
	}
	failures += await send(url, token, late.map((entry) => ({ ...entry, label: `${entry.label} (late: a stale notification, retried by AppDirect)` })));
	return { failures, stale: late };
}

async function send(url, token, entries) {
	let failures = 0;
	for (const { label, notification } of entries) {
		const event = `${notification.resource.type.toLowerCase()}.${notification.resourceAction.toLowerCase()}`;
		let status;
		let answer = '';
		try {
			({ status, text: answer } = await sendNotification(url, notification, { token }));
		} catch (error) {
			status = 'failed';
			answer = error.message;
		}
		const ok = typeof status === 'number' && status >= 200 && status < 300;
		if (!ok) failures++;
		say(`  ${event.padEnd(21)} ${String(status).padEnd(4)} ${label}${ok ? '' : `  <- ${answer.slice(0, 300)}`}`);
	}
	return failures;
}

/** Says in plain words what the stale notification did to the subscription's row. */
async function explainStale(n8n, tables, stale, api) {
	for (const { notification } of stale) {
		const url = notification.resource.url;
		const current = api.resource(url);
		const row = (await readRows(n8n, tables.subscriptions.id)).find((r) => r.appdirectId === notification.resource.uuid);
		const said = notification.resource.content.maxUsers;
		const now = current?.maxUsers;
		say(`The stale notification (${said} seats) arrived last. AppDirect's API says ${now} seats now; the CRM row holds ${row?.seats} seats:`);
		say(
			row?.seats === now && now !== said
				? '  the current state, not the stale one: "Get current subscription" read AppDirect\'s API, and "Update … if newer" refused the older notification.'
				: '  NOT the current state: the stale notification overwrote newer data.',
		);
	}
}

async function printTables(n8n, tables) {
	say('What the CRM (n8n Data Tables) now holds:');
	for (const [key, table] of Object.entries(tables)) {
		const rows = await readRows(n8n, table.id);
		say();
		say(`${table.name} (${rows.length} row${rows.length === 1 ? '' : 's'})`);
		for (const line of formatTable(rows, VIEWS[key])) say(line);
	}
}

async function main() {
	const opts = options();
	let n8n;
	let api;
	let packFolder;
	let stopping = false;
	const cleanUp = async () => {
		if (n8n) await n8n.stop();
		if (api) await api.close();
		if (packFolder) fs.rmSync(packFolder, { recursive: true, force: true });
	};
	const onSignal = (signal) => {
		if (stopping) return;
		stopping = true;
		say();
		say(n8n ? 'Stopping n8n…' : 'Stopped.');
		cleanUp().then(
			() => {
				if (n8n) say(opts.keep ? `Stopped. n8n's user folder is kept in ${n8n.userFolder}` : 'Stopped.');
				process.exit(signal === 'SIGINT' ? 0 : 143);
			},
			() => process.exit(1),
		);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	try {
		say('AppDirect Trigger demo');
		await checkPortFree(opts.port);
		const packed = await buildAndPack({ build: !opts['no-build'] });
		packFolder = packed.folder;
		await prepareRuntime();

		// The marketplace's API, played by a local stand-in (not AppDirect): the example's "Get current …" steps read it.
		const apiClient = { clientId: 'n8n-demo', clientSecret: randomBytes(16).toString('hex') };
		// No sample resources: the story sets each one before its notification; the existing customers are made up.
		api = await startAppDirectApi({ clients: [apiClient], seed: false, marketplace: EXISTING });
		say(`AppDirect API stand-in (not AppDirect, see scripts/appdirect-api/README.md): ${api.url}`);

		const t0 = Date.now();
		say(`Starting n8n ${versions.n8n} with the example workflow ${CRM_SYNC.file}…`);
		const base = `http://localhost:${opts.port}`;
		n8n = await startN8n({
			packages: [packed.tarball],
			// The sync and the import write through the upsert sub-workflow, imported beside them.
			workflows: [CRM_UPSERT, CRM_SYNC, CRM_IMPORT].map((example) => path.join(examplesDir, example.file)),
			publish: [CRM_UPSERT.id, CRM_SYNC.id],
			webhooks: [{ webhookId: CRM_SYNC.webhookId, path: WEBHOOK_PATH, method: 'POST' }],
			owner: OWNER,
			keepUserFolder: opts.keep,
			env: {
				N8N_PORT: opts.port,
				// What n8n shows as the editor and webhook addresses (it still listens on 127.0.0.1 only).
				N8N_HOST: 'localhost',
				N8N_EDITOR_BASE_URL: `${base}/`,
				N8N_WEBHOOK_URL: `${base}/`,
			},
		});
		if (stopping) return;
		say(`n8n is ready (${seconds(t0)})`);

		// The credential gets the id the example workflow refers to, so the file imports unchanged.
		// Hex: never starts with a dash, which command-line parsers would take for an option.
		const token = randomBytes(16).toString('hex');
		await n8n.api('POST', '/credentials', { id: CREDENTIAL.id, name: CREDENTIAL.name, type: CREDENTIAL.type, data: { token } });
		await n8n.api('POST', '/credentials', {
			...API_CREDENTIAL,
			data: { baseUrl: api.url, ...apiClient, scope: 'ROLE_PARTNER_READ' },
		});
		const tables = await createTables(n8n);
		await importExisting(n8n, tables);
		const webhookUrl = `${base}/webhook/${CRM_SYNC.webhookId}/${WEBHOOK_PATH}`;

		say();
		say(`n8n is running: ${base}`);
		say(`Log in with email ${OWNER.email} and password ${OWNER.password}`);
		say(`Workflow: ${base}/workflow/${CRM_SYNC.id} (published)`);
		say(`Data Tables: ${base}/home/datatables`);
		say(`Webhook URL: ${webhookUrl}`);
		say(`Token: ${token}`);
		say();

		const { failures, stale } = await sendStory(webhookUrl, token, api);
		say();
		await printTables(n8n, tables);
		say();
		await explainStale(n8n, tables, stale, api);
		say();
		if (failures > 0) {
			say(`${failures} notification(s) were not accepted; n8n's log: ${n8n.logFile}`);
			say(n8n.logTail(30));
		}

		if (opts.once) {
			say(`Done in ${seconds()}. Stopping n8n (--once).`);
			stopping = true;
			await cleanUp();
			if (opts.keep) say(`n8n's user folder is kept in ${n8n.userFolder}`);
			process.exit(failures > 0 ? 1 : 0);
		}
		say('Send more notifications yourself, for example:');
		say(`  npm run send -- --url ${webhookUrl} --token ${token} --marketplace ${api.url} --fresh subscription.removed company.changed`);
		say(`Ready in ${seconds()}. Press Ctrl-C to stop n8n${opts.keep ? '' : ' (this demo n8n and its data are temporary)'}.`);
		// Say so if n8n dies on its own instead of waiting forever.
		const watch = setInterval(() => {
			if (!stopping && !isAlive(n8n.pid)) {
				clearInterval(watch);
				console.error(`n8n stopped unexpectedly. Last lines of its log (${n8n.logFile}):\n${n8n.logTail(30)}`);
				process.exit(1);
			}
		}, 2000);
	} catch (error) {
		if (stopping) return;
		stopping = true;
		console.error(`\nThe demo failed: ${error instanceof DemoError ? error.message : error.stack ?? error}`);
		await cleanUp().catch(() => {});
		process.exit(1);
	}
}

main();
