// Queue mode with the package installed the way users install it: the owner installs it on the main
// process through n8n's Community Nodes installer (the REST call behind Settings > Community Nodes),
// which records it in PostgreSQL; a webhook process and a worker started afterwards with empty nodes
// folders and N8N_REINSTALL_MISSING_PACKAGES=true install it themselves from the registry at start
// (n8n's checkForMissingPackages), then serve a published workflow with the trigger.
// registry.npmjs.org is answered by the local registry stand-in behind the test proxy
// (scripts/vendors/registry.mjs); every other host is refused, so nothing leaves the machine.
import { randomUUID } from 'crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { importScript, packPackage } from '../helpers/runtime.cjs';
import { buildWorkflow, TRIGGER_TYPE, WEBHOOK_PATH, webhookId, type TriggerWorkflow } from '../e2e/workflows.cjs';
import { ACTION_TYPE } from '../e2e/action-workflows.cjs';

jest.setTimeout(300_000);

const NAME = 'n8n-nodes-appdirect';
const NOTIFICATIONS = 4;
const SPEC: TriggerWorkflow = { key: 'reinstall', parameters: { authentication: 'none' }, outputs: ['All Events'] };
const HOOK = { webhookId: webhookId(SPEC.key), path: WEBHOOK_PATH, method: 'POST' };
// Hosts n8n calls on its own: api.n8n.io/api/package (the banned-package check at install) and
// api.n8n.io/api/community-nodes (vetted checksums, asked before a reinstall). Refused, n8n goes on.
const N8N_OWN_HOSTS = ['api.n8n.io:443'];

type Any = any;
let setup: Any;
let cluster: Any;
let client: Any;
let pgExecutions: Any;
let version: string;
let tarballGets: () => number;
const caches: string[] = [];
const seconds: Record<string, number> = {};

/** An npm cache of its own per process, as on separate hosts: each one fetches the tarball itself. */
function ownNpmCache() {
	const cache = mkdtempSync(join(tmpdir(), 'reinstall-npm-cache-'));
	caches.push(cache);
	return { npm_config_cache: cache };
}

const nodesFolder = (process: Any) => join(process.n8nFolder, 'nodes', 'node_modules', NAME);

beforeAll(async () => {
	const started = Date.now();
	const registryModule = await importScript('scripts/vendors/registry.mjs');
	pgExecutions = await importScript('scripts/n8n/executions-pg.mjs');
	const tarball = packPackage();
	version = registryModule.readPackedManifest(readFileSync(tarball)).version;
	setup = await registryModule.startRegistryBehindProxy({ tarballs: [tarball] });
	tarballGets = () =>
		setup.registry.calls.filter((call: Any) => call.method === 'GET' && call.path === `/${NAME}/-/${NAME}-${version}.tgz` && call.status === 200).length;
	const { startCluster } = await importScript('scripts/n8n/cluster.mjs');
	// Main only, with no package; the webhook process and the worker come after the install.
	cluster = await startCluster({
		webhookProcesses: 0,
		workers: 0,
		webhooks: [HOOK],
		env: { ...setup.env, N8N_REINSTALL_MISSING_PACKAGES: 'true' },
		mainEnv: ownNpmCache(),
		webhookEnv: ownNpmCache,
		workerEnv: ownNpmCache,
	});
	client = await pgExecutions.connect(cluster.postgres);
	seconds.main = Math.round((Date.now() - started) / 1000);
}, 300_000);

afterAll(async () => {
	const started = Date.now();
	await client?.end().catch(() => {});
	await cluster?.stop();
	await setup?.stop();
	for (const cache of caches) rmSync(cache, { recursive: true, force: true });
	seconds.stop = Math.round((Date.now() - started) / 1000);
	console.log(`queue reinstall: seconds from start ${JSON.stringify(seconds)}`);
}, 120_000);

describe('queue mode: webhook processes and workers install the package themselves at start', () => {
	it('main installs the package through the Community Nodes REST call, and PostgreSQL records it', async () => {
		const started = Date.now();
		expect(existsSync(nodesFolder(cluster.main))).toBe(false);
		const installed = await cluster.main.rest('POST', '/community-packages', { name: NAME });
		expect(installed).toMatchObject({ packageName: NAME, installedVersion: version });
		expect(tarballGets()).toBe(1);
		// The record the other processes read at start (n8n's installed_packages and installed_nodes).
		const { rows: packages } = await client.query('SELECT "packageName", "installedVersion" FROM installed_packages');
		expect(packages).toEqual([{ packageName: NAME, installedVersion: version }]);
		const { rows: nodes } = await client.query('SELECT type FROM installed_nodes ORDER BY type');
		expect(nodes.map((row: Any) => row.type).sort()).toEqual([ACTION_TYPE, TRIGGER_TYPE].sort());
		seconds.install = Math.round((Date.now() - started) / 1000);
	});

	it('a workflow with the installed trigger is published on main', async () => {
		const { name, nodes, connections, settings } = buildWorkflow(SPEC) as Any;
		const created = await cluster.main.api('POST', '/workflows', { name, nodes, connections, settings });
		(SPEC as Any).id = created.id;
		await cluster.main.publishWorkflow(created.id);
		await cluster.main.waitForPublished(created.id);
	});

	it('a webhook process and a worker started now, with empty nodes folders, install it from the registry', async () => {
		const started = Date.now();
		// Both wait until ready; the webhook process also until it serves the workflow's webhook.
		const [webhook, worker] = await Promise.all([cluster.addWebhookProcess(), cluster.addWorker()]);
		seconds.webhookAndWorker = Math.round((Date.now() - started) / 1000);
		for (const process of [webhook, worker]) {
			// startN8n gave each an empty nodes folder (no packages); the package is there now, as n8n lays it out.
			const kept = JSON.parse(readFileSync(join(nodesFolder(process), 'package.json'), 'utf8'));
			expect({ name: kept.name, version: kept.version, peerDependencies: kept.peerDependencies }).toEqual({
				name: NAME,
				version,
				peerDependencies: undefined,
			});
			const ledger = JSON.parse(readFileSync(join(process.n8nFolder, 'nodes', 'package.json'), 'utf8'));
			expect(ledger.dependencies).toEqual({ [NAME]: version });
			// What n8n logged at start: the package was missing, then installed.
			const log = process.readLog();
			expect(log).toContain('Attempting to reinstall missing packages');
			expect(log).toContain(`Community package installed: ${NAME}`);
			expect(log).toContain('Packages reinstalled successfully');
			expect(log).not.toContain('Failed to reinstall community package');
		}
		// Each fetched the tarball from the registry's address (each has an npm cache of its own).
		expect(tarballGets()).toBe(3);
	});

	it(`the webhook process takes ${NOTIFICATIONS} notifications and the worker runs them, all successful`, async () => {
		const [webhook] = cluster.webhookProcesses;
		const [worker] = cluster.workers;
		const afterId = await pgExecutions.lastExecutionId(client);
		const notification = JSON.parse(readFileSync(join(__dirname, '..', '..', 'samples', 'notifications', 'company.json'), 'utf8'));
		const ids = Array.from({ length: NOTIFICATIONS }, () => randomUUID());
		for (const uuid of ids) {
			const answer = await fetch(webhook.productionWebhookUrl(HOOK.webhookId, HOOK.path), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ ...notification, uuid }),
				signal: AbortSignal.timeout(30_000),
			});
			expect(answer.status).toBe(200);
		}
		let executions: Any[] = [];
		const deadline = Date.now() + 60_000;
		while (Date.now() < deadline) {
			executions = await pgExecutions.readExecutions(client, { workflowIds: [(SPEC as Any).id], afterId });
			if (executions.length >= NOTIFICATIONS && executions.every((execution) => execution.finished || execution.status !== 'running')) break;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		expect(executions.map((execution) => ({ status: execution.status, mode: execution.mode }))).toEqual(
			Array.from({ length: NOTIFICATIONS }, () => ({ status: 'success', mode: 'webhook' })),
		);
		expect(executions.map((execution) => execution.notificationId).sort()).toEqual([...ids].sort());
		// Run by the worker (its log names each execution), not by main.
		const ranOn = pgExecutions.executionsByWorker([worker]);
		expect(executions.map((execution) => ranOn.get(execution.id))).toEqual(executions.map(() => [worker.name]));
	});

	it('sent nothing outside the machine: the proxy refused only the hosts n8n calls on its own', () => {
		const refused = setup.proxy.refused.map((entry: Any) => entry.target ?? entry.host);
		console.log(`queue reinstall: refused ${JSON.stringify([...new Set(refused)])}`);
		expect(refused.filter((target: string) => !N8N_OWN_HOSTS.includes(target))).toEqual([]);
	});
});
