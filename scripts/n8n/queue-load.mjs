// Load through a queue-mode cluster, shared by the queue-mode tests and the scaling benchmark:
// a routing workflow (every catalog event on its own output), AppDirect-like delivery spread
// round robin over the webhook processes, and the accounting of what n8n then recorded in
// PostgreSQL. Needs `npm run build` (the catalog comes from dist/).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { accountDeliveries } from '../send/accounting.mjs';
import { createDelivery } from '../send/delivery.mjs';
import { mixedTraffic } from '../send/traffic.mjs';
import { readExecutions, statusCounts } from './executions-pg.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const TRIGGER_NAME = 'AppDirect Trigger';
export const WEBHOOK_PATH = 'appdirect';
export const CREDENTIAL = { id: 'queueAppDirTok01', name: 'AppDirect webhook token (queue mode)', type: 'appDirectWebhookTokenApi' };

/** Every event of the catalog, in catalog order: output i of the routing workflow is EVENT_NAMES[i]. */
export function catalogEvents() {
	return require(path.join(root, 'dist/nodes/AppDirect/shared/catalog.js')).EVENTS.map((event) => ({
		name: event.name,
		displayName: event.displayName,
	}));
}

/**
 * The workflow the load runs through: the AppDirect Trigger with token authentication, every
 * catalog event selected (one output per event) and one No Operation node per output, so that the
 * execution shows which branch ran. `respond`: 'immediately' or 'whenFinished'.
 */
export function routingWorkflow({ key, respond = 'immediately' }) {
	const events = catalogEvents();
	const id = `queue${key}`.replace(/[^A-Za-z0-9]/g, '').slice(0, 16).padEnd(16, '0');
	const branch = (index) => `Out ${index}: ${events[index].displayName}`;
	return {
		id,
		name: `AppDirect queue mode: ${key}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: `trigger-${key}`,
				name: TRIGGER_NAME,
				type: 'n8n-nodes-appdirect.appDirectTrigger',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `appdirect-queue-${key}`,
				parameters: { events: events.map((event) => event.name), respond },
				credentials: { [CREDENTIAL.type]: { id: CREDENTIAL.id, name: CREDENTIAL.name } },
			},
			...events.map((_, index) => ({
				id: `branch-${index}`,
				name: branch(index),
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [400, index * 120],
				parameters: {},
			})),
		],
		connections: {
			[TRIGGER_NAME]: { main: events.map((_, index) => [{ node: branch(index), type: 'main', index: 0 }]) },
		},
	};
}

export const webhookOf = (workflow) => ({ webhookId: workflow.nodes[0].webhookId, path: WEBHOOK_PATH, method: 'POST' });

/** Creates the token credential the routing workflows use (through main's public API). */
export async function createTokenCredential(cluster, token) {
	await cluster.main.api('POST', '/credentials', { ...CREDENTIAL, data: { token } });
}

/** `count` fresh notifications cycling through every catalog event. */
export function mixedNotifications(count) {
	return mixedTraffic(
		catalogEvents().map((event) => event.name),
		count,
	);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until every acknowledged notification has a successful execution and nothing is still
 * running, or until nothing changed for `settleMs` (a lost notification never arrives), at most `timeoutMs`.
 */
export async function waitForExecutions(client, { workflowIds, afterId, expected, settleMs = 15_000, timeoutMs = 300_000 }) {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	let lastChange = Date.now();
	for (;;) {
		let counts;
		try {
			counts = await statusCounts(client, { workflowIds, afterId });
		} catch (error) {
			// PostgreSQL is down (an outage test): ask again.
			if (Date.now() > deadline) throw error;
			await sleep(500);
			continue;
		}
		const unfinished = (counts.new ?? 0) + (counts.running ?? 0) + (counts.waiting ?? 0);
		if ((counts.success ?? 0) >= expected && unfinished === 0) return counts;
		const key = JSON.stringify(counts);
		if (key !== last) {
			last = key;
			lastChange = Date.now();
		} else if (Date.now() - lastChange > settleMs) return counts;
		if (Date.now() > deadline) return counts;
		await sleep(500);
	}
}

/**
 * Delivers `notifications` like AppDirect over `urls` (round robin), optionally running
 * `during(delivery)` alongside (a fault), then waits for n8n and accounts for every notification.
 * Returns { delivery summary, wallMs, executions, report, counts }.
 */
export async function deliverAndAccount({
	client,
	urls,
	token,
	notifications,
	workflowIds,
	afterId,
	concurrency = 32,
	timeScale = 0.001,
	timeoutMs,
	during,
	settleMs,
}) {
	const delivery = createDelivery({ urls, token, concurrency, timeScale, ...(timeoutMs && { timeoutMs }) });
	const started = performance.now();
	try {
		const [records] = await Promise.all([delivery.deliverAll(notifications), during?.(delivery)]);
		const wallMs = performance.now() - started;
		const acknowledged = records.filter((record) => record.delivered).length;
		const counts = await waitForExecutions(client, { workflowIds, afterId, expected: acknowledged, settleMs });
		const drainedMs = performance.now() - started;
		const executions = await readExecutions(client, { workflowIds, afterId, triggerName: TRIGGER_NAME });
		return {
			summary: delivery.summary(),
			records,
			attempts: delivery.attempts,
			wallMs,
			drainedMs,
			counts,
			executions,
			report: accountDeliveries(records, executions),
		};
	} finally {
		delivery.close();
	}
}
