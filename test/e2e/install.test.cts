// The package installed, updated and uninstalled the way users do it: through n8n's Community Nodes
// installer (the REST calls behind Settings > Community Nodes), which runs npm against the public
// registry's address. Here that address is answered by a local registry stand-in behind the test
// proxy (scripts/vendors/registry.mjs), and every other host is refused: nothing leaves the machine.
import { execFile } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { importScript, loadInstanceModule, packPackage, type N8nInstance } from '../helpers/runtime.cjs';
import { ACTION_TYPE } from './action-workflows.cjs';
import { buildWorkflow, TRIGGER_TYPE, WEBHOOK_PATH, webhookId, type TriggerWorkflow } from './workflows.cjs';

jest.setTimeout(240_000);

const NAME = 'n8n-nodes-appdirect';
const SPEC: TriggerWorkflow = { key: 'installed', parameters: { authentication: 'none' }, outputs: ['All Events'] };
const notification = JSON.parse(readFileSync(join(__dirname, '..', '..', 'samples', 'notifications', 'company.json'), 'utf8'));

// Hosts n8n 2.41 calls on its own while installing: api.n8n.io/api/package, the "is this package
// banned" check (community-packages.service.js checkNpmPackageStatus). Refused, n8n treats the
// package as allowed and goes on.
const N8N_OWN_HOSTS = ['api.n8n.io:443'];

let n8n: N8nInstance;
let setup: any;
let versions: { versionA: string; tarballA: string; versionB: string; tarballB: string };
const folder = mkdtempSync(join(tmpdir(), 'install-e2e-'));

beforeAll(async () => {
	const registryModule = await importScript('scripts/vendors/registry.mjs');
	versions = registryModule.packedWithNextPatch(packPackage(), folder);
	setup = await registryModule.startRegistryBehindProxy({ tarballs: [versions.tarballA] });
	const { startN8n } = await loadInstanceModule();
	n8n = await startN8n({ env: setup.env });
});

afterAll(async () => {
	await n8n?.stop();
	await setup?.stop();
	rmSync(folder, { recursive: true, force: true });
});

const packageFolder = () => join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', NAME);
const send = () =>
	fetch(n8n.productionWebhookUrl(webhookId(SPEC.key), WEBHOOK_PATH), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(notification),
		signal: AbortSignal.timeout(30_000),
	}).then(async (response) => ({ status: response.status, text: await response.text(), at: Date.now() }));

describe("n8n's Community Nodes installer, against a local registry", () => {
	it('installs the package by name: both nodes are known to n8n', async () => {
		const installed = await n8n.rest('POST', '/community-packages', { name: NAME });
		expect(installed.packageName).toBe(NAME);
		expect(installed.installedVersion).toBe(versions.versionA);
		expect(installed.installedNodes.map((node: { type: string }) => node.type).sort()).toEqual([ACTION_TYPE, TRIGGER_TYPE].sort());

		const types = await n8n.rest('POST', '/node-types', {
			nodeInfos: [
				{ name: TRIGGER_TYPE, version: 2 },
				{ name: ACTION_TYPE, version: 1 },
			],
		});
		// The descriptions the editor's node panel is built from (names without the package prefix).
		expect(types.map((type: { displayName: string }) => type.displayName).sort()).toEqual(['AppDirect', 'AppDirect Trigger']);

		// n8n fetched the package from the registry's address, through the proxy.
		const paths = setup.registry.calls.map((call: { method: string; path: string; host: string }) => `${call.method} ${call.host} ${call.path}`);
		expect(paths).toContain(`GET registry.npmjs.org /${NAME}/-/${NAME}-${versions.versionA}.tgz`);
		// What n8n keeps: the package without its peer and development dependencies, and no second n8n-workflow.
		const kept = JSON.parse(readFileSync(join(packageFolder(), 'package.json'), 'utf8'));
		expect(kept.version).toBe(versions.versionA);
		expect(kept.peerDependencies).toBeUndefined();
		expect(kept.devDependencies).toBeUndefined();
		expect(existsSync(join(packageFolder(), 'node_modules'))).toBe(false);
		expect(existsSync(join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-workflow'))).toBe(false);
	});

	it('a published workflow with the installed trigger receives a notification and runs', async () => {
		const { name, nodes, connections, settings } = buildWorkflow(SPEC) as any;
		await n8n.api('POST', '/workflows', { name, nodes, connections, settings });
		const created = (await n8n.api('GET', '/workflows')).data.find((workflow: { name: string }) => workflow.name === name);
		(SPEC as any).id = created.id;
		await (n8n as any).publishWorkflow(created.id);
		await (n8n as any).waitForPublished(created.id);
		await (n8n as any).waitForWebhook({ webhookId: webhookId(SPEC.key), path: WEBHOOK_PATH, method: 'POST' });
		const answer = await send();
		expect(answer.status).toBe(200);
		const executions = await n8n.waitForExecutions({ workflowId: created.id, count: 1, includeData: false });
		expect(executions.map((execution) => execution.status)).toEqual(['success']);
	});

	it('offers the newer version once the registry has it, and updates to it while the webhook keeps answering', async () => {
		setup.registry.publish(versions.tarballB);
		const listed = await n8n.rest('GET', '/community-packages');
		expect(listed).toHaveLength(1);
		expect(listed[0]).toMatchObject({ packageName: NAME, installedVersion: versions.versionA, updateAvailable: versions.versionB });

		const answers: Array<{ status: number; text: string; at: number }> = [];
		let updating = true;
		const sending = (async () => {
			while (updating) answers.push(await send());
		})();
		const started = Date.now();
		const updated = await n8n.rest('PATCH', '/community-packages', { name: NAME });
		const finished = Date.now();
		// A few more after the update, then stop.
		const after = answers.length;
		while (answers.length < after + 5) await new Promise((resolve) => setTimeout(resolve, 50));
		updating = false;
		await sending;

		expect(updated.installedVersion).toBe(versions.versionB);
		expect(JSON.parse(readFileSync(join(packageFolder(), 'package.json'), 'utf8')).version).toBe(versions.versionB);
		const during = answers.filter((answer) => answer.at >= started && answer.at <= finished);
		const failed = answers.filter((answer) => answer.status !== 200);
		// Printed for the record: how many answers fell inside the update, and any that were not 200.
		console.log(
			`update took ${finished - started} ms; ${answers.length} notifications sent, ${during.length} answered during the update; ` +
				`not 200: ${JSON.stringify(failed.map(({ status, text, at }) => ({ status, text: text.slice(0, 120), msAfterStart: at - started })))}`,
		);
		expect(failed).toEqual([]);
		expect(answers.slice(-5).every((answer) => answer.status === 200)).toBe(true);
		const executions = await n8n.waitForExecutions({ workflowId: (SPEC as any).id, count: 1 + answers.length, includeData: false });
		expect(executions.filter((execution) => execution.status === 'success')).toHaveLength(1 + answers.length);
	});

	it('uninstalls the package; the workflow that uses it stays, and what n8n then does is known', async () => {
		await n8n.rest('DELETE', `/community-packages?name=${NAME}`);
		expect(await n8n.rest('GET', '/community-packages')).toEqual([]);
		expect(existsSync(packageFolder())).toBe(false);

		const id = (SPEC as any).id;
		const workflow = await n8n.rest('GET', `/workflows/${id}`);
		expect(workflow.nodes.map((node: { type: string }) => node.type)).toContain(TRIGGER_TYPE);
		// The editor asks for the node's description and gets this, which it shows as a node that is not installed.
		await expect(n8n.rest('POST', '/node-types', { nodeInfos: [{ name: TRIGGER_TYPE, version: 2 }] })).rejects.toThrow(
			`400: {"code":0,"message":"Unrecognized node type: ${TRIGGER_TYPE}"}`,
		);
		const answer = await send();
		console.log(
			`after uninstall: workflow active=${workflow.active} activeVersionId=${workflow.activeVersionId ?? null}; ` +
				`webhook answered ${answer.status} ${answer.text.slice(0, 200)}`,
		);
		// n8n 2.41 keeps the workflow published and its webhook registered, and answers 400 naming the missing node.
		expect(workflow.active).toBe(true);
		expect(answer.status).toBe(400);
		expect(JSON.parse(answer.text).message).toBe(`Unrecognized node type: ${TRIGGER_TYPE}`);
	});

	/** `npm install <args>` in `cwd` as a user runs it (with the proxy and the registry's address): exit code, what npm asked the registry for, what is in node_modules. */
	const npmInstall = async (cwd: string, args: string[]) => {
		const before = setup.registry.calls.length;
		// Not jest's own npm settings (npm run sets npm_config_* for the test process).
		const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
		const code = await new Promise<number>((resolve) =>
			execFile('npm', ['install', ...args, '--no-audit', '--no-fund', '--fetch-retries=0'], { cwd, env: { ...env, ...setup.env } }, (error) =>
				resolve(error ? Number((error as { code?: number }).code ?? 1) : 0),
			),
		);
		const asked = setup.registry.calls.slice(before).map((call: { path: string }) => call.path);
		const installed = existsSync(join(cwd, 'node_modules')) ? readdirSync(join(cwd, 'node_modules')).filter((entry) => !entry.startsWith('.')) : [];
		return { code, asked, installed };
	};

	it('the command line without --legacy-peer-deps: npm also asks for n8n-workflow, the peer dependency', async () => {
		// npm 7 and later install peer dependencies. This registry holds only the package, so the install
		// fails here; against the public registry it puts a second n8n-workflow (and its own dependencies)
		// beside the package (docs/install.md). n8n's installer removes peerDependencies before it installs.
		const plain = await npmInstall(mkdtempSync(join(folder, 'cli-')), [NAME]);
		expect(plain.asked).toContain('/n8n-workflow');
		expect(plain.code).not.toBe(0);
	});

	it('the command line as docs/install.md says: npm install --legacy-peer-deps in the nodes folder, update with @latest, restart: the nodes load and the workflow runs again', async () => {
		const nodesFolder = join(n8n.userFolder, '.n8n', 'nodes');
		const started = Date.now();
		const first = await npmInstall(nodesFolder, [`${NAME}@${versions.versionA}`, '--legacy-peer-deps']);
		expect(first).toMatchObject({ code: 0, installed: [NAME] });
		expect(JSON.parse(readFileSync(join(packageFolder(), 'package.json'), 'utf8')).version).toBe(versions.versionA);
		// The update: the same command for the newest version.
		const update = await npmInstall(nodesFolder, [`${NAME}@latest`, '--legacy-peer-deps']);
		expect(update).toMatchObject({ code: 0, installed: [NAME] });
		expect(JSON.parse(readFileSync(join(packageFolder(), 'package.json'), 'utf8')).version).toBe(versions.versionB);
		expect([...first.asked, ...update.asked]).not.toContain('/n8n-workflow');

		// n8n reads the nodes folder when it starts: stop it and start it again.
		const id = (SPEC as any).id;
		const installed = Date.now();
		await (n8n as any).crash();
		await (n8n as any).restart({ workflowIds: [id], webhooks: [{ webhookId: webhookId(SPEC.key), path: WEBHOOK_PATH, method: 'POST' }] });
		console.log(`command line: both npm installs took ${installed - started} ms, n8n's restart ${Date.now() - installed} ms`);
		const types = await n8n.rest('POST', '/node-types', { nodeInfos: [{ name: TRIGGER_TYPE, version: 2 }, { name: ACTION_TYPE, version: 1 }] });
		expect(types.map((type: { displayName: string }) => type.displayName).sort()).toEqual(['AppDirect', 'AppDirect Trigger']);
		const before = (await n8n.getExecutions({ workflowId: id, includeData: false })).length;
		const answer = await send();
		expect(answer.status).toBe(200);
		const executions = await n8n.waitForExecutions({ workflowId: id, count: before + 1, includeData: false });
		expect(executions.slice(before).map((execution) => execution.status)).toEqual(['success']);
		// Settings > Community Nodes lists what n8n's installer recorded in its database: not this package.
		expect(await n8n.rest('GET', '/community-packages')).toEqual([]);
	});

	it('sent nothing outside the machine: the proxy refused only the hosts n8n calls on its own', () => {
		const refused = setup.proxy.refused.map((entry: { target?: string; host?: string }) => entry.target ?? entry.host);
		console.log(`refused: ${JSON.stringify([...new Set(refused)])}`);
		expect(refused.filter((target: string) => !N8N_OWN_HOSTS.includes(target))).toEqual([]);
	});
});
