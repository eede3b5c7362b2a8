// n8n in queue mode on one machine, from real parts: a throw-away PostgreSQL and Redis
// (scripts/services/), one main process (`n8n start`, editor and API, no production webhooks),
// N webhook processes (`n8n webhook`) and N workers (`n8n worker`), all on the pinned runtime.
// Each n8n process gets its own user folder with the packed package installed, as on separate
// hosts, and all share one encryption key. Every process is started with startN8n (instance.mjs).
//
//   const cluster = await startCluster({ packages: [tgz], workflows: [wf], webhooks: [{ webhookId, path }] });
//   cluster.webhookUrls(webhookId, path)   // one production URL per webhook process
//   await cluster.stop();
import crypto from 'node:crypto';

import { ensureRuntime } from './provision.mjs';
import { startN8n } from './instance.mjs';
import { startPostgres } from '../services/postgres.mjs';
import { startRedis } from '../services/redis.mjs';

/** Settings every n8n process of the cluster gets: what makes them one installation. */
export function queueEnv({ postgres, redis, encryptionKey }) {
	return {
		EXECUTIONS_MODE: 'queue',
		...postgres.env,
		...redis.env,
		N8N_ENCRYPTION_KEY: encryptionKey,
	};
}

/**
 * options:
 *   packages, workflows, publish, owner   as for startN8n, for main (packages go on every process)
 *   webhooks            [{ webhookId, path, method }] to wait for on every webhook process
 *   webhookProcesses    how many `n8n webhook` processes [2]
 *   workers             how many `n8n worker` processes [2]
 *   workerConcurrency   executions one worker runs at once [10, n8n's default]
 *   env                 extra environment for every n8n process
 *   mainEnv, webhookEnv(index), workerEnv(index)   extra environment per role
 *   logLevel, quiet, keepUserFolder
 */
export async function startCluster(options = {}) {
	const {
		packages = [],
		workflows = [],
		publish = true,
		owner,
		webhooks = [],
		webhookProcesses: webhookCount = 2,
		workers: workerCount = 2,
		workerConcurrency = 10,
		env: extraEnv = {},
		mainEnv = {},
		webhookEnv = () => ({}),
		workerEnv = () => ({}),
		logLevel = 'info',
		quiet = true,
		keepUserFolder = false,
	} = options;
	const t0 = Date.now();
	const say = (msg) => {
		if (!quiet) process.stderr.write(`[cluster +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
	};

	await ensureRuntime();
	const cluster = { main: undefined, webhookProcesses: [], workers: [], postgres: undefined, redis: undefined };
	let stopped = false;

	async function stop() {
		if (stopped) return;
		stopped = true;
		// Front to back: stop taking notifications, let workers finish, then main, then the stores.
		await Promise.allSettled(cluster.webhookProcesses.map((p) => p.stop()));
		await Promise.allSettled(cluster.workers.map((p) => p.stop()));
		await cluster.main?.stop().catch(() => {});
		await Promise.allSettled([cluster.redis?.stop(), cluster.postgres?.stop()]);
	}

	try {
		say('starting PostgreSQL and Redis');
		[cluster.postgres, cluster.redis] = await Promise.all([startPostgres(), startRedis()]);
		const encryptionKey = crypto.randomBytes(24).toString('hex');
		const shared = { ...queueEnv({ postgres: cluster.postgres, redis: cluster.redis, encryptionKey }), ...extraEnv };
		const common = { packages, logLevel, quiet, keepUserFolder };

		say('starting main (migrations, import, publish)');
		cluster.main = await startN8n({
			...common,
			command: 'start',
			workflows,
			publish,
			owner,
			env: { ...shared, N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true', ...mainEnv },
		});

		let webhookIndex = 0;
		let workerIndex = 0;
		/** Starts one more webhook process (also to replace one that died). */
		async function addWebhookProcess() {
			const index = webhookIndex++;
			const process = await startN8n({ ...common, command: 'webhook', env: { ...shared, ...webhookEnv(index) } });
			process.role = 'webhook';
			process.name = `webhook-${index + 1}`;
			for (const webhook of webhooks) await process.waitForWebhook(webhook, { timeoutMs: 60_000 });
			cluster.webhookProcesses.push(process);
			return process;
		}
		/** Starts one more worker (also to replace one that died). */
		async function addWorker() {
			const index = workerIndex++;
			const process = await startN8n({
				...common,
				command: 'worker',
				env: {
					...shared,
					N8N_CONCURRENCY_PRODUCTION_LIMIT: String(workerConcurrency),
					// The health server gives the worker a readiness URL (and a load balancer or orchestrator a probe).
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					...workerEnv(index),
				},
			});
			process.role = 'worker';
			process.name = `worker-${index + 1}`;
			cluster.workers.push(process);
			return process;
		}
		/** Forgets a process (after it was killed or stopped), so that stop() and webhookUrls() skip it. */
		function remove(process) {
			for (const list of [cluster.webhookProcesses, cluster.workers]) {
				const at = list.indexOf(process);
				if (at >= 0) list.splice(at, 1);
			}
		}

		say(`starting ${webhookCount} webhook process(es) and ${workerCount} worker(s)`);
		await Promise.all([
			...Array.from({ length: webhookCount }, () => addWebhookProcess()),
			...Array.from({ length: workerCount }, () => addWorker()),
		]);
		cluster.webhookProcesses.sort((a, b) => a.name.localeCompare(b.name));
		cluster.workers.sort((a, b) => a.name.localeCompare(b.name));
		say('cluster ready');

		return Object.assign(cluster, {
			encryptionKey,
			env: shared,
			/** Production URL of a webhook on each webhook process, in order: what a load balancer spreads over. */
			webhookUrls: (webhookId, path) => cluster.webhookProcesses.map((p) => p.productionWebhookUrl(webhookId, path)),
			processes: () => [cluster.main, ...cluster.webhookProcesses, ...cluster.workers].filter(Boolean),
			addWebhookProcess,
			addWorker,
			remove,
			stop,
		});
	} catch (error) {
		await stop();
		throw error;
	}
}
