// Starts a real, throw-away n8n (the pinned runtime from provision.mjs) for
// end-to-end tests and the demo. Plain ESM so it runs under the host Node
// (jest on Node 20) while n8n itself runs on the runtime's Node 24.
//
//   import { startN8n } from './scripts/n8n/instance.mjs';
//   const n8n = await startN8n({ packages: ['n8n-nodes-appdirect-0.1.0.tgz'], workflows: ['wf.json'] });
//   ...
//   await n8n.stop();

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ensureRuntime, run, runtimePath } from './provision.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const HOST = '127.0.0.1';

// Instances still running in this process, killed on exit as a last resort.
const running = new Set();
process.once('exit', () => {
	for (const inst of running) inst.killNow();
});

// Ports handed out by this process: n8n binds them only later, so the OS could
// otherwise give the same free port to two instances started together.
const handedOut = new Set();

export async function freePort() {
	for (let attempt = 0; attempt < 50; attempt++) {
		const port = await new Promise((resolve, reject) => {
			const srv = net.createServer();
			srv.unref();
			srv.on('error', reject);
			srv.listen(0, HOST, () => {
				const { port: p } = srv.address();
				srv.close(() => resolve(p));
			});
		});
		if (!handedOut.has(port)) {
			handedOut.add(port);
			return port;
		}
	}
	throw new Error('no free port found');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, { timeoutMs, intervalMs = 250, onTick } = {}) {
	const deadline = Date.now() + timeoutMs;
	let lastError;
	for (;;) {
		onTick?.();
		try {
			const value = await fn();
			if (value) return value;
		} catch (err) {
			if (err.fatal) throw err;
			lastError = err;
		}
		if (Date.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
		}
		await sleep(intervalMs);
	}
}

function randomId(length = 16) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const bytes = crypto.randomBytes(length);
	return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

// Installs an `npm pack` tarball the way n8n's community-package install lays
// it out: <n8nFolder>/nodes/node_modules/<name>/ plus nodes/package.json.
async function installTarball(nodesDir, tarball) {
	const staging = fs.mkdtempSync(path.join(nodesDir, '.unpack-'));
	await runCommand('tar', ['-xzf', path.resolve(tarball), '-C', staging]);
	// npm pack puts everything under package/.
	const pkgRoot = path.join(staging, 'package');
	const pkg = JSON.parse(fs.readFileSync(path.join(pkgRoot, 'package.json'), 'utf8'));
	const target = path.join(nodesDir, 'node_modules', ...pkg.name.split('/'));
	fs.mkdirSync(path.dirname(target), { recursive: true });
	fs.rmSync(target, { recursive: true, force: true });
	fs.renameSync(pkgRoot, target);
	fs.rmSync(staging, { recursive: true, force: true });
	return { name: pkg.name, version: pkg.version, dir: target };
}

function runCommand(cmd, args, { env, cwd, logFd, label } = {}) {
	if (logFd !== undefined && label) fs.writeSync(logFd, `\n===== ${label} =====\n`);
	const stdio = logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd];
	return run(cmd, args, { env, cwd, stdio, label });
}

/** Whether any process of the group led by `pgid` is still running. */
export function isAlive(pgid) {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch (err) {
		return err.code === 'EPERM';
	}
}

/**
 * Resident memory of every process in the group led by `pgid` (n8n, its task runner, the
 * supervisor), in MiB, from /proc; 0 where /proc is not available.
 */
export function groupRssMiB(pgid) {
	let kib = 0;
	let entries = [];
	try {
		entries = fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
	} catch {
		return 0;
	}
	for (const pid of entries) {
		try {
			// The command name may hold spaces and parentheses: the fields start after the last ')'.
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			const [, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(pgrp) !== pgid) continue;
			const rss = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
			if (rss) kib += Number(rss[1]);
		} catch {
			// the process ended while we were reading
		}
	}
	return kib / 1024;
}

/**
 * Reads the items each output of a node emitted in an execution (with data).
 * Returns one array of `json` objects per output, e.g. [[{...}], []].
 */
export function nodeOutputs(execution, nodeName, runIndex = 0) {
	const runs = execution?.data?.resultData?.runData?.[nodeName];
	if (!runs) return undefined;
	const main = runs[runIndex]?.data?.main ?? [];
	return main.map((items) => (items ?? []).map((item) => item.json));
}

/** n8n before 2.x activates workflows (`update:workflow --active=true`) instead of publishing them. */
export function legacyActivation(runtime) {
	return Number(runtime.n8nVersion.split('.')[0]) < 2;
}

// n8n before the owner-from-environment settings (N8N_INSTANCE_OWNER_*, ignored there) starts
// with the set-up screen: create the same owner through it.
async function setUpOwner(baseUrl, owner) {
	const res = await fetch(`${baseUrl}/rest/settings`);
	const settings = (await res.json().catch(() => ({})))?.data ?? {};
	if (settings.userManagement?.showSetupOnFirstLoad !== true) return;
	const setup = await fetch(`${baseUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(owner),
	});
	if (!setup.ok) throw new Error(`owner set-up failed: ${setup.status} ${await setup.text()}`);
}

// What each n8n command logs once it serves requests.
const READY_LINES = {
	start: 'Editor is now accessible via',
	webhook: 'Webhook listener waiting for requests.',
	worker: 'n8n worker is now ready',
};

// A worker has no HTTP server on N8N_PORT; its health server (QUEUE_HEALTH_CHECK_ACTIVE) has readiness.
function readinessUrl(command, env) {
	const port = command === 'worker' ? env.QUEUE_HEALTH_CHECK_PORT : env.N8N_PORT;
	return `http://${HOST}:${port}`;
}

/**
 * Starts n8n with a fresh user folder (SQLite), the given package tarballs
 * installed as community packages and the given workflows imported and published.
 *
 * options:
 *   packages        tarball paths from `npm pack` (installed under .n8n/nodes)
 *   workflows       workflow JSON file paths or objects; an `id` is assigned when missing
 *   publish         true (default: publish every imported workflow), false, or a list of ids
 *   webhooks        [{ webhookId, path, method = 'POST' }] to wait for before returning
 *   env             extra environment for every n8n command (wins over the defaults)
 *   owner           { email, password, firstName, lastName } (defaults generated)
 *   userFolder      use this folder instead of a temporary one (kept on stop)
 *   keepUserFolder  keep the temporary user folder after stop() (demo, debugging)
 *   logFile         where n8n's output goes (default <userFolder>/n8n.log)
 *   logLevel        N8N_LOG_LEVEL (default 'info')
 *   startTimeoutMs  how long to wait for n8n to become ready (default 180000)
 *   quiet           do not print the one-line progress messages (default true)
 *   command         'start' (default), or a queue-mode process: 'webhook' or 'worker' (see READY_LINES)
 */
export async function startN8n(options = {}) {
	const {
		packages = [],
		workflows = [],
		publish = true,
		webhooks = [],
		env: extraEnv = {},
		owner: ownerOption = {},
		keepUserFolder = false,
		logLevel = 'info',
		startTimeoutMs = 180_000,
		command = 'start',
		quiet = true,
	} = options;
	const t0 = Date.now();
	const say = (msg) => {
		if (!quiet) process.stderr.write(`[n8n +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
	};

	const runtime = await ensureRuntime();
	const userFolder = options.userFolder
		? path.resolve(options.userFolder)
		: fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
	const keep = keepUserFolder || Boolean(options.userFolder);
	const n8nFolder = path.join(userFolder, '.n8n');
	fs.mkdirSync(n8nFolder, { recursive: true });
	const logFile = path.resolve(options.logFile ?? path.join(userFolder, 'n8n.log'));
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	const logFd = fs.openSync(logFile, 'a');

	let instance;
	try {
		// --- community packages ---
		const nodesDir = path.join(n8nFolder, 'nodes');
		fs.mkdirSync(path.join(nodesDir, 'node_modules'), { recursive: true });
		const installed = [];
		for (const tarball of packages) installed.push(await installTarball(nodesDir, tarball));
		const nodesPkgFile = path.join(nodesDir, 'package.json');
		const nodesPkg = fs.existsSync(nodesPkgFile)
			? JSON.parse(fs.readFileSync(nodesPkgFile, 'utf8'))
			: { name: 'installed-nodes', private: true, dependencies: {} };
		for (const p of installed) nodesPkg.dependencies[p.name] = p.version;
		fs.writeFileSync(nodesPkgFile, JSON.stringify(nodesPkg, null, 2) + '\n');

		// --- owner, managed by env so no sign-up screen is involved ---
		const owner = {
			email: ownerOption.email ?? 'owner@e2e.test',
			password: ownerOption.password ?? `E2e-${randomId(12)}-1a`,
			firstName: ownerOption.firstName ?? 'E2E',
			lastName: ownerOption.lastName ?? 'Owner',
		};
		// bcryptjs from the runtime: the package under test has no such dependency.
		const bcrypt = createRequire(path.join(runtime.nodeModules, 'noop.js'))('bcryptjs');
		const passwordHash = bcrypt.hashSync(owner.password, 10);

		// --- ports and environment ---
		// Ports are picked here and bound by n8n later; another process may take
		// one in between, so a start that hits "already in use" picks new ones.
		let port, brokerPort, runnerHealthPort, workerHealthPort, baseUrl;
		const pickPorts = async () => {
			for (const p of [port, brokerPort, runnerHealthPort, workerHealthPort]) handedOut.delete(p);
			port = extraEnv.N8N_PORT ? Number(extraEnv.N8N_PORT) : await freePort();
			brokerPort = extraEnv.N8N_RUNNERS_BROKER_PORT ? Number(extraEnv.N8N_RUNNERS_BROKER_PORT) : await freePort();
			runnerHealthPort = await freePort();
			workerHealthPort = await freePort();
			baseUrl = `http://${HOST}:${port}`;
		};
		await pickPorts();
		// Re-applied whenever ports are picked again; values the caller set in `env` still win.
		const portEnv = () => {
			const ports = {
				N8N_PORT: String(port),
				N8N_EDITOR_BASE_URL: `${baseUrl}/`,
				N8N_WEBHOOK_URL: `${baseUrl}/`,
				N8N_RUNNERS_BROKER_PORT: String(brokerPort),
				N8N_RUNNERS_HEALTH_CHECK_SERVER_PORT: String(runnerHealthPort),
				QUEUE_HEALTH_CHECK_PORT: String(workerHealthPort),
			};
			for (const key of Object.keys(ports)) if (extraEnv[key] !== undefined) ports[key] = String(extraEnv[key]);
			return ports;
		};
		// A reused user folder already holds a key in .n8n/config; n8n refuses to
		// start when the environment names a different one.
		let savedKey;
		try {
			savedKey = JSON.parse(fs.readFileSync(path.join(n8nFolder, 'config'), 'utf8')).encryptionKey;
		} catch {
			savedKey = undefined;
		}
		const encryptionKey = extraEnv.N8N_ENCRYPTION_KEY ?? savedKey ?? crypto.randomBytes(24).toString('hex');

		const inherited = {};
		for (const [k, v] of Object.entries(process.env)) {
			// Keep the host's n8n/DB/queue settings and test-runner variables
			// (NODE_ENV=test changes n8n's behaviour) out of the instance.
			if (/^(N8N_|DB_|QUEUE_|EXECUTIONS_|WEBHOOK_URL$|JEST_|NODE_OPTIONS$|NODE_ENV$|npm_|INIT_CWD$)/.test(k)) continue;
			inherited[k] = v;
		}
		const env = {
			...inherited,
			PATH: runtimePath(runtime.nodeBin),
			NODE_ENV: 'production',
			N8N_USER_FOLDER: userFolder,
			N8N_ENCRYPTION_KEY: encryptionKey,
			N8N_LISTEN_ADDRESS: HOST,
			N8N_HOST: HOST,
			...portEnv(),
			N8N_PROTOCOL: 'http',
			N8N_SECURE_COOKIE: 'false',
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: HOST,
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: owner.email,
			N8N_INSTANCE_OWNER_PASSWORD_HASH: passwordHash,
			N8N_INSTANCE_OWNER_FIRST_NAME: owner.firstName,
			N8N_INSTANCE_OWNER_LAST_NAME: owner.lastName,
			// No calls to n8n.io services (no internet here, and tests must not depend on it).
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
			N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_DYNAMIC_BANNERS_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_AI_ENABLED: 'false',
			// Its system task polls api.n8n.io for MCP servers and logs a stack trace. Older n8n
			// versions, which do not have it, refuse to start with an unknown module name.
			...(fs.existsSync(path.join(runtime.nodeModules, 'n8n', 'dist', 'modules', 'mcp-registry')) && {
				N8N_DISABLED_MODULES: 'mcp-registry',
			}),
			EXTERNAL_FRONTEND_HOOKS_URLS: '',
			// Explicit values silence n8n's deprecation notices about changing defaults.
			N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
			N8N_RUNNERS_TASK_TIMEOUT: '60',
			N8N_COMPRESSION_NODE_MAX_DECOMPRESSED_SIZE_BYTES: String(256 * 1024 * 1024),
			N8N_COMPRESSION_NODE_MAX_ZIP_ENTRIES: '1000',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_LOG_LEVEL: logLevel,
			N8N_LOG_OUTPUT: 'console',
			// Short shutdown so stop() is quick.
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
			...Object.fromEntries(Object.entries(extraEnv).map(([k, v]) => [k, String(v)])),
		};

		const n8nCli = (args, label) =>
			runCommand(runtime.nodeBin, [runtime.n8nBin, ...args], { env, cwd: userFolder, logFd, label });

		// --- workflows: import, then publish, before n8n starts ---
		const workflowIds = [];
		if (workflows.length) {
			const wfDir = path.join(userFolder, 'workflows');
			// A reused folder may hold files of an earlier run: import only this run's.
			fs.rmSync(wfDir, { recursive: true, force: true });
			fs.mkdirSync(wfDir, { recursive: true });
			for (const wf of workflows) {
				const data = typeof wf === 'string' ? JSON.parse(fs.readFileSync(wf, 'utf8')) : structuredClone(wf);
				// import:workflow would pick a random id; a fixed one lets us publish it.
				data.id ??= randomId();
				// As in n8n's own exports; n8n 2.0's import fails without one (NOT NULL versionId).
				data.versionId ??= crypto.randomUUID();
				workflowIds.push(data.id);
				fs.writeFileSync(path.join(wfDir, `${data.id}.json`), JSON.stringify(data, null, 2));
			}
			say(`importing ${workflowIds.length} workflow(s)`);
			await n8nCli(['import:workflow', '--separate', `--input=${wfDir}`], 'import:workflow');
		}
		const toPublish = publish === true ? workflowIds : publish === false ? [] : publish;
		for (const id of toPublish) {
			say(`publishing workflow ${id}`);
			// n8n 1.x has no publish:workflow: it "activates" workflows.
			const cli = legacyActivation(runtime) ? ['update:workflow', `--id=${id}`, '--active=true'] : ['publish:workflow', `--id=${id}`];
			await n8nCli(cli, cli.join(' '));
		}

		// --- start ---
		let pgid;
		let exited;
		let exitPromise;
		let logOffset = 0;
		const launch = () => {
			fs.writeSync(logFd, '\n===== n8n start =====\n');
			logOffset = fs.fstatSync(logFd).size;
			say(`starting n8n on ${baseUrl} (log: ${logFile})`);
			const child = spawn(
				runtime.nodeBin,
				[
					path.join(here, 'supervise.mjs'),
					...(keep ? [] : [`--cleanup=${userFolder}`]),
					runtime.nodeBin,
					runtime.n8nBin,
					command,
				],
				{ env, cwd: userFolder, detached: true, stdio: ['ignore', logFd, logFd] },
			);
			// A forgotten stop() must not keep the caller alive; the exit hook and
			// the supervisor still take n8n down.
			child.unref();
			pgid = child.pid;
			exited = null;
			exitPromise = new Promise((resolve) => {
				child.on('exit', (code, signal) => {
					exited = { code, signal };
					resolve(exited);
				});
			});
		};
		// Fresh ports right before binding: the CLI steps took seconds.
		await pickPorts();
		Object.assign(env, portEnv());
		launch();

		const readLog = () => fs.readFileSync(logFile, 'utf8');
		const startLog = () => fs.readFileSync(logFile).subarray(logOffset).toString('utf8');
		const logTail = (n = 60) => readLog().split('\n').slice(-n).join('\n');

		let stopped = false;
		// Last resort from the process 'exit' hook: synchronous only.
		const killNow = () => {
			if (stopped) return;
			if (isAlive(pgid)) {
				try {
					process.kill(-pgid, 'SIGKILL');
				} catch {
					// already gone
				}
			}
			if (!keep) fs.rmSync(userFolder, { recursive: true, force: true });
		};

		// --- HTTP helpers ---
		const browserId = crypto.randomUUID();
		let cookie;
		let apiKey;

		async function request(url, { method = 'GET', headers = {}, body } = {}) {
			const res = await fetch(url, {
				method,
				headers: {
					...(body !== undefined && { 'content-type': 'application/json' }),
					...headers,
				},
				body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
			});
			const text = await res.text();
			let json;
			try {
				json = text ? JSON.parse(text) : undefined;
			} catch {
				json = undefined;
			}
			if (!res.ok) {
				const err = new Error(`${method} ${url} -> ${res.status}: ${text.slice(0, 500)}`);
				err.status = res.status;
				throw err;
			}
			return { status: res.status, headers: res.headers, json, text };
		}

		async function login() {
			const res = await fetch(`${baseUrl}/rest/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'browser-id': browserId },
				body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
			});
			if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
			const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
			if (!setCookie) throw new Error('login answered without an n8n-auth cookie');
			cookie = setCookie.split(';')[0];
		}

		/** Internal REST API (/rest/...) as the logged-in owner; returns the `data` field. */
		async function rest(method, urlPath, body) {
			if (!cookie) await login();
			const { json } = await request(`${baseUrl}/rest${urlPath}`, {
				method,
				body,
				headers: { cookie, 'browser-id': browserId },
			});
			return json?.data ?? json;
		}

		/** Public API (/api/v1/...) with an API key created on first use. */
		async function api(method, urlPath, body) {
			if (!apiKey) {
				const scopes = await rest('GET', '/api-keys/scopes');
				const created = await rest('POST', '/api-keys', {
					label: `e2e-${randomId(6)}`,
					expiresAt: null,
					scopes,
				});
				apiKey = created.rawApiKey;
			}
			const { json } = await request(`${baseUrl}/api/v1${urlPath}`, {
				method,
				body,
				headers: { 'X-N8N-API-KEY': apiKey },
			});
			return json;
		}

		async function listPaged(urlPath, query) {
			const items = [];
			let cursor;
			do {
				const params = new URLSearchParams({ ...query, limit: '250', ...(cursor && { cursor }) });
				const page = await api('GET', `${urlPath}?${params}`);
				items.push(...(page.data ?? []));
				cursor = page.nextCursor;
			} while (cursor);
			return items;
		}

		// n8n versions without a size limit on execution data (1.x) refuse its ignoreDataSizeLimit parameter.
		let sizeLimitParam = true;
		async function withSizeLimitParam(call) {
			try {
				return await call(sizeLimitParam);
			} catch (err) {
				if (!(sizeLimitParam && err.status === 400 && /ignoreDataSizeLimit/.test(err.message))) throw err;
				sizeLimitParam = false;
				return call(false);
			}
		}

		/** Executions (newest first) with their full data unless includeData is false. */
		async function getExecutions({ workflowId, status, includeData = true } = {}) {
			return withSizeLimitParam((sizeLimit) =>
				listPaged('/executions', {
					includeData: String(includeData),
					...(includeData && sizeLimit && { ignoreDataSizeLimit: 'true' }),
					...(workflowId && { workflowId }),
					...(status && { status }),
				}),
			);
		}

		async function getExecution(id, { includeData = true } = {}) {
			return withSizeLimitParam((sizeLimit) =>
				api('GET', `/executions/${id}?includeData=${includeData}${includeData && sizeLimit ? '&ignoreDataSizeLimit=true' : ''}`),
			);
		}

		/**
		 * Waits until at least `count` finished executions exist, then returns them (oldest first).
		 * Polls without the execution data, which n8n would otherwise load and send for every
		 * execution of the workflow three times a second; with `includeData: false` the last poll is the answer.
		 */
		async function waitForExecutions({ workflowId, count = 1, timeoutMs = 30_000, includeData = true } = {}) {
			const finished = (all) => all.filter((e) => e.status !== 'running' && e.status !== 'new' && e.stoppedAt).reverse();
			const polled = await waitFor(
				`${count} execution(s)${workflowId ? ` of workflow ${workflowId}` : ''}`,
				async () => {
					const done = finished(await getExecutions({ workflowId, includeData: false }));
					return done.length >= count ? done : undefined;
				},
				{ timeoutMs, intervalMs: 300 },
			);
			return includeData ? finished(await getExecutions({ workflowId, includeData: true })) : polled;
		}

		async function listWorkflows({ active } = {}) {
			return listPaged('/workflows', active === undefined ? {} : { active: String(active) });
		}

		const productionWebhookUrl = (webhookId, webhookPath = '') =>
			`${baseUrl}/webhook/${webhookId}${webhookPath ? `/${webhookPath.replace(/^\//, '')}` : ''}`;
		const testWebhookUrl = (webhookId, webhookPath = '') =>
			`${baseUrl}/webhook-test/${webhookId}${webhookPath ? `/${webhookPath.replace(/^\//, '')}` : ''}`;

		// A CORS preflight lists the methods registered for a production path and
		// starts no execution, so it can be polled safely.
		async function isWebhookRegistered({ webhookId, path: webhookPath, method = 'POST' }) {
			const res = await fetch(productionWebhookUrl(webhookId, webhookPath), {
				method: 'OPTIONS',
				headers: { origin: baseUrl, 'access-control-request-method': method },
			});
			const allowed = (res.headers.get('access-control-allow-methods') ?? '').split(/,\s*/);
			return allowed.includes(method.toUpperCase());
		}

		async function waitForWebhook(webhook, { timeoutMs = 30_000 } = {}) {
			await waitFor(
				`webhook ${webhook.method ?? 'POST'} ${productionWebhookUrl(webhook.webhookId, webhook.path)}`,
				() => isWebhookRegistered(webhook),
				{ timeoutMs },
			);
		}

		// n8n 2.41 activates published workflows asynchronously (publication
		// outbox), so "started" does not mean "triggers registered": ask n8n.
		async function waitForPublished(workflowId, { timeoutMs = 60_000 } = {}) {
			let last;
			await waitFor(
				`workflow ${workflowId} to be published`,
				async () => {
					try {
						last = await rest('GET', `/workflows/${workflowId}/publication-status`);
					} catch (err) {
						// Without the publication service (N8N_USE_WORKFLOW_PUBLICATION_SERVICE=false)
						// activation happened synchronously before "Editor is now accessible".
						if (err.status === 404 && /not available/.test(err.message)) return true;
						// n8n before the publication service (1.x, early 2.x): ask which workflows run.
						if (err.status === 404) return isActivated(workflowId);
						throw err;
					}
					if (last.status === 'failed' || last.status === 'partial') {
						const why = last.triggers
							.filter((t) => t.status === 'failed')
							.map((t) => `node ${t.nodeId}: ${t.errorMessage}`)
							.join('; ');
						throw Object.assign(new Error(`workflow ${workflowId} failed to publish (${last.status}): ${why}`), {
							fatal: true,
						});
					}
					return last.status === 'published';
				},
				{ timeoutMs, intervalMs: 250 },
			).catch((err) => {
				if (!err.fatal && last) err.message += ` (last status: ${JSON.stringify(last)})`;
				throw err;
			});
		}

		// n8n without a publication-status endpoint: a workflow runs when it is listed as active and
		// has no activation error (n8n records one when a trigger fails to start).
		async function isActivated(workflowId) {
			// The activation error is a string, or null when there is none.
			const error = await rest('GET', `/active-workflows/error/${workflowId}`);
			if (typeof error === 'string' && error) {
				throw Object.assign(new Error(`workflow ${workflowId} failed to activate: ${error}`), { fatal: true });
			}
			const active = await rest('GET', '/active-workflows');
			return Array.isArray(active) && active.includes(workflowId);
		}

		/** Publishes (n8n 1.x: activates) an imported workflow through the public API. */
		async function publishWorkflow(workflowId) {
			try {
				return await api('POST', `/workflows/${workflowId}/publish`, {});
			} catch (err) {
				// Before POST /publish (n8n 1.x, early 2.x) the same action was POST /activate; there
				// the path matches GET /workflows/{id}/{versionId} (405) or nothing (404).
				if (err.status !== 404 && err.status !== 405) throw err;
				return api('POST', `/workflows/${workflowId}/activate`, {});
			}
		}

		async function stop() {
			if (stopped) return;
			running.delete(instance);
			if (isAlive(pgid)) {
				try {
					process.kill(-pgid, 'SIGTERM');
				} catch {
					// already gone
				}
				const deadline = Date.now() + 15_000;
				while (isAlive(pgid) && Date.now() < deadline) await sleep(100);
				if (isAlive(pgid)) {
					process.kill(-pgid, 'SIGKILL');
					while (isAlive(pgid)) await sleep(50);
				}
			}
			stopped = true;
			// The group is gone; the exit event follows at once (timer cleared so
			// it does not hold the test runner's event loop open).
			let timer;
			await Promise.race([exitPromise, new Promise((r) => (timer = setTimeout(r, 2000)))]);
			clearTimeout(timer);
			try {
				fs.closeSync(logFd);
			} catch {
				// already closed
			}
			handedOut.delete(port);
			handedOut.delete(brokerPort);
			handedOut.delete(runnerHealthPort);
			handedOut.delete(workerHealthPort);
			if (!keep) fs.rmSync(userFolder, { recursive: true, force: true });
		}

		/** Kills n8n and its task runner with SIGKILL, as a crash or an OOM kill would; the user folder stays. */
		async function crash() {
			if (isAlive(pgid)) {
				try {
					process.kill(-pgid, 'SIGKILL');
				} catch {
					// already gone
				}
			}
			while (isAlive(pgid)) await sleep(50);
		}

		/**
		 * Starts n8n (the same command) again after crash(), on the same user folder, ports and
		 * environment, and waits as startN8n does: readiness, then the published workflows and webhooks
		 * given here (the owner exists already).
		 */
		async function restart({ workflowIds: published = toPublish, webhooks: hooks = webhooks, timeoutMs = startTimeoutMs } = {}) {
			if (isAlive(pgid)) throw new Error('restart(): n8n is still running; call crash() or stop() first');
			launch();
			await waitFor(
				'n8n to start again',
				() => {
					if (exited) throw Object.assign(new Error(`n8n exited early (${exited.signal ?? exited.code})`), { fatal: true });
					return startLog().includes(READY_LINES[command]);
				},
				{ timeoutMs, intervalMs: 200 },
			);
			await waitFor('/healthz/readiness', async () => (await fetch(`${readinessUrl(command, env)}/healthz/readiness`)).ok, {
				timeoutMs: 30_000,
			});
			for (const id of published) await waitForPublished(id);
			for (const webhook of hooks) await waitForWebhook(webhook);
		}

		instance = {
			baseUrl,
			port,
			brokerPort,
			userFolder,
			n8nFolder,
			logFile,
			env,
			encryptionKey,
			owner: { email: owner.email, password: owner.password },
			packages: installed,
			workflowIds,
			runtime,
			get pid() {
				return pgid;
			},
			productionWebhookUrl,
			testWebhookUrl,
			readLog,
			logTail,
			rest,
			api,
			getExecutions,
			getExecution,
			waitForExecutions,
			listWorkflows,
			isWebhookRegistered,
			waitForWebhook,
			waitForPublished,
			publishWorkflow,
			n8nVersion: runtime.n8nVersion,
			stop,
			killNow,
			crash,
			restart,
			rssMiB: () => groupRssMiB(pgid),
		};
		running.add(instance);

		// --- wait until ready ---
		// "Editor is now accessible" is printed after every published workflow
		// went through activation; then health, login and the webhooks.
		for (let attempt = 1; ; attempt++) {
			try {
				await waitFor(
					'n8n to start',
					() => {
						if (exited) {
							throw Object.assign(new Error(`n8n exited early (${exited.signal ?? exited.code})`), {
								fatal: true,
							});
						}
						return startLog().includes(READY_LINES[command]);
					},
					{ timeoutMs: startTimeoutMs, intervalMs: 200 },
				);
				break;
			} catch (err) {
				// n8n says "port N is already in use", a worker's health server "Port N …".
				const portTaken = exited && /port \d+ is already in use/i.test(startLog());
				if (!portTaken || attempt >= 3 || extraEnv.N8N_PORT || extraEnv.N8N_RUNNERS_BROKER_PORT) {
					throw new Error(`${err.message}\n--- n8n log (${logFile}) ---\n${logTail()}`);
				}
				say('a port was taken meanwhile; retrying on new ports');
				await pickPorts();
				Object.assign(env, portEnv());
				Object.assign(instance, { baseUrl, port, brokerPort });
				launch();
			}
		}
		say('n8n started; waiting for readiness and published workflows');
		await waitFor('/healthz/readiness', async () => (await fetch(`${readinessUrl(command, env)}/healthz/readiness`)).ok, {
			timeoutMs: 30_000,
		});
		if (command === 'start') await setUpOwner(baseUrl, owner);
		for (const id of toPublish) await waitForPublished(id);
		for (const webhook of webhooks) await waitForWebhook(webhook);
		say(`n8n ready on ${baseUrl}`);
		return instance;
	} catch (err) {
		if (!err.message.includes('--- n8n log')) {
			const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-60).join('\n') : '';
			err.message += `\n--- n8n log (${logFile}) ---\n${tail}`;
		}
		if (instance) await instance.stop().catch(() => {});
		else {
			try {
				fs.closeSync(logFd);
			} catch {
				// already closed
			}
			if (!keep) fs.rmSync(userFolder, { recursive: true, force: true });
		}
		if (!keep && !options.logFile) {
			err.message += `\n(user folder ${userFolder} removed; pass keepUserFolder: true to keep it)`;
		}
		throw err;
	}
}

// CLI for trying things by hand:
//   node scripts/n8n/instance.mjs --package=x.tgz --workflow=wf.json [--port=5678] [--keep]
// Runs until Ctrl-C, then stops n8n (and removes the user folder unless --keep).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const args = process.argv.slice(2);
	const values = (name) => args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
	const [port] = values('port');
	startN8n({
		packages: values('package'),
		workflows: values('workflow'),
		keepUserFolder: args.includes('--keep'),
		env: port ? { N8N_PORT: port } : {},
		quiet: false,
	}).then(
		(n8n) => {
			console.log(`n8n:       ${n8n.baseUrl}`);
			console.log(`login:     ${n8n.owner.email} / ${n8n.owner.password}`);
			console.log(`workflows: ${n8n.workflowIds.join(', ') || '(none)'}`);
			console.log(`log:       ${n8n.logFile}`);
			console.log('Ctrl-C to stop');
			// The n8n child is unref'ed: keep this process alive until a signal.
			setInterval(() => {}, 60_000);
			const shutdown = () => n8n.stop().then(() => process.exit(0));
			process.once('SIGINT', shutdown);
			process.once('SIGTERM', shutdown);
		},
		(err) => {
			console.error(err.message);
			process.exit(1);
		},
	);
}
