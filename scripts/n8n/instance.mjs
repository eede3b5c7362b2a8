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
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { HOST, groupRssMiB, isAlive, releasePorts, sleep, waitFor } from '../services/processes.mjs';
import { n8nClient, setUpOwner } from './client.mjs';
import { n8nEnvironment, ownerOf, pickPorts, portEnv, portsOf, randomId } from './environment.mjs';
import { ensureRuntime, run } from './provision.mjs';

const supervisor = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'services', 'supervise.mjs');

// Instances still running in this process, killed on exit as a last resort.
const running = new Set();
process.once('exit', () => {
	for (const inst of running) inst.killNow();
});

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

/** n8n before 2.x activates workflows (`update:workflow --active=true`) instead of publishing them. */
export function legacyActivation(runtime) {
	return Number(runtime.n8nVersion.split('.')[0]) < 2;
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
		const owner = ownerOf(ownerOption);

		// --- ports and environment ---
		let ports = await pickPorts(extraEnv);
		const env = n8nEnvironment({ runtime, userFolder, n8nFolder, owner, ports, logLevel, extraEnv });
		const encryptionKey = env.N8N_ENCRYPTION_KEY;
		const baseUrl = () => ports.baseUrl;

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
			say(`starting n8n on ${baseUrl()} (log: ${logFile})`);
			const child = spawn(
				runtime.nodeBin,
				[
					supervisor,
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
		ports = await pickPorts(extraEnv, ports);
		Object.assign(env, portEnv(ports, extraEnv));
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

		const client = n8nClient({ baseUrl, owner });
		const { waitForPublished, waitForWebhook } = client;

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
			releasePorts(...portsOf(ports));
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
			baseUrl: baseUrl(),
			port: ports.port,
			brokerPort: ports.brokerPort,
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
			readLog,
			logTail,
			...client,
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
				ports = await pickPorts(extraEnv, ports);
				Object.assign(env, portEnv(ports, extraEnv));
				Object.assign(instance, { baseUrl: baseUrl(), port: ports.port, brokerPort: ports.brokerPort });
				launch();
			}
		}
		say('n8n started; waiting for readiness and published workflows');
		await waitFor('/healthz/readiness', async () => (await fetch(`${readinessUrl(command, env)}/healthz/readiness`)).ok, {
			timeoutMs: 30_000,
		});
		if (command === 'start') await setUpOwner(baseUrl(), owner);
		for (const id of toPublish) await waitForPublished(id);
		for (const webhook of webhooks) await waitForWebhook(webhook);
		say(`n8n ready on ${baseUrl()}`);
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