// The AppDirect Trigger on n8n's queue mode, from real parts: PostgreSQL, Redis, one main, two
// webhook processes and two workers (scripts/n8n/cluster.mjs), the packed package on every
// process. AppDirect is played by the delivery simulator (30 s timeout, retries on its schedule,
// time-scaled), spread round robin over the webhook processes. Every claim is checked in
// PostgreSQL's execution records, never in the answers alone.
//
// Sizes: QUEUE_NOTIFICATIONS per answer mode [1000], QUEUE_FAULT_NOTIFICATIONS per answer mode in each fault and outage run [60].
// The figures of the run go to test-results/queue-figures.json (docs/scaling.md quotes one run).
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { EVENTS } from '../../nodes/AppDirect/shared/catalog';
import { expectedItem } from '../e2e/harness.cjs';
import { importScript, packPackage, repoRoot } from '../helpers/runtime.cjs';

jest.setTimeout(600_000);

const PER_MODE = Number(process.env.QUEUE_NOTIFICATIONS ?? 1000);
const PER_FAULT = Number(process.env.QUEUE_FAULT_NOTIFICATIONS ?? 60);
const CONCURRENCY = 32;
// AppDirect's waits between retries (5 min, 10 min, 20 min…) become 0.3 s, 0.6 s, 1.2 s…
const TIME_SCALE = 0.001;
const TOKEN = `queue-${require('crypto').randomBytes(16).toString('hex')}`;
const MODES = ['immediately', 'whenFinished'] as const;
type Mode = (typeof MODES)[number];

// The settings the cluster runs with; docs/scaling.md's compose file has the same.
const CLUSTER_ENV = {
	// Keeps finished jobs in Redis for a while: n8n's webhook process waits for a job with Bull's
	// job.finished(), which misses a job that finished and was removed before it started waiting
	// (measured: 2-5 % of "When the Workflow Has Finished" answers never came, see docs/scaling.md).
	N8N_EXECUTIONS_QUEUE_KEEP_LAST_COMPLETED: '1000',
	N8N_EXECUTIONS_QUEUE_KEEP_LAST_FAILED: '1000',
};

type Any = any;
let load: Any;
let pgExecutions: Any;
let accounting: Any;
let processesModule: Any;
let cluster: Any;
let client: Any;
const workflows: Record<Mode, Any> = {} as Any;
// A third workflow with OAuth2 client credentials: its token endpoint is a second webhook.
let oauth2Workflow: Any;
const OAUTH2_CREDENTIAL = {
	id: 'queueOAuthClient',
	name: 'AppDirect OAuth2 (queue)',
	type: 'appDirectWebhookClientOAuth2Api',
	data: { clientId: 'appdirect-queue', clientSecret: `cs_${require('crypto').randomBytes(24).toString('hex')}`, scope: '' },
};
// Every worker that ever ran, with a snapshot of the log of those that were killed.
const workerLogs: Array<{ name: string; readLog(): string }> = [];
const figures: Record<string, unknown> = { startedAt: new Date().toISOString(), perMode: PER_MODE, perFault: PER_FAULT, concurrency: CONCURRENCY };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const urlsOf = (mode: Mode) => {
	const hook = load.webhookOf(workflows[mode]);
	return cluster.webhookUrls(hook.webhookId, hook.path) as string[];
};
const bullJobId = () => Number(cluster.redis.cli('GET', 'bull:jobs:id').stdout.trim() || 0);

beforeAll(async () => {
	load = await importScript('scripts/n8n/queue-load.mjs');
	pgExecutions = await importScript('scripts/n8n/executions-pg.mjs');
	accounting = await importScript('scripts/send/accounting.mjs');
	processesModule = await importScript('scripts/services/processes.mjs');
	const { startCluster } = await importScript('scripts/n8n/cluster.mjs');
	for (const mode of MODES) workflows[mode] = load.routingWorkflow({ key: mode, respond: mode });
	oauth2Workflow = load.routingWorkflow({ key: 'oauth2', respond: 'whenFinished' });
	const oauth2Trigger = oauth2Workflow.nodes[0];
	oauth2Trigger.parameters.authentication = 'oAuth2ClientCredentials';
	oauth2Trigger.credentials = { [OAUTH2_CREDENTIAL.type]: { id: OAUTH2_CREDENTIAL.id, name: OAUTH2_CREDENTIAL.name } };
	const started = Date.now();
	cluster = await startCluster({
		packages: [packPackage()],
		workflows: [...Object.values(workflows), oauth2Workflow],
		webhooks: [...Object.values(workflows), oauth2Workflow].map(load.webhookOf),
		webhookProcesses: 2,
		workers: 2,
		env: CLUSTER_ENV,
	});
	figures.clusterStartSeconds = Math.round((Date.now() - started) / 1000);
	for (const worker of cluster.workers) workerLogs.push(worker);
	client = await pgExecutions.connect(cluster.postgres);
	await load.createTokenCredential(cluster, TOKEN);
	await cluster.main.api('POST', '/credentials', OAUTH2_CREDENTIAL);
}, 600_000);

afterAll(async () => {
	await client?.end().catch(() => {});
	await cluster?.stop();
	figures.finishedAt = new Date().toISOString();
	const folder = join(repoRoot, 'test-results');
	mkdirSync(folder, { recursive: true });
	writeFileSync(join(folder, 'queue-figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
}, 120_000);

/** Delivers notifications to one workflow, with an optional fault alongside, and accounts for them. */
async function run(mode: Mode, notifications: Any[], options: { during?: (delivery: Any) => Promise<void>; concurrency?: number } = {}) {
	const afterId = await pgExecutions.lastExecutionId(client);
	return load.deliverAndAccount({
		client,
		urls: urlsOf(mode),
		token: TOKEN,
		notifications,
		workflowIds: [workflows[mode].id],
		afterId,
		concurrency: options.concurrency ?? CONCURRENCY,
		timeScale: TIME_SCALE,
		during: options.during,
		settleMs: 6_000,
	});
}

/** Resolves once `count` attempts were made (the fault then hits the middle of a burst). */
async function afterAttempts(delivery: Any, count: number) {
	while (delivery.attempts.length < count) await sleep(25);
}

/** What AppDirect saw and what n8n did, for the figures file and the docs. */
function summarise(result: Any) {
	const { report, summary } = result;
	return {
		sent: report.sent,
		acknowledged: report.acknowledged,
		lost: report.lost,
		duplicated: report.duplicated,
		retried: report.retried,
		attempts: report.attempts,
		outcomes: summary.byOutcome,
		statuses: report.statuses,
		seconds: Math.round(result.wallMs / 100) / 10,
		slowestAnswerMs: Math.round(Math.max(0, ...result.attempts.map((attempt: Any) => attempt.ms))),
		line: accounting.describeAccount(report),
	};
}

describe(`${PER_MODE * 2} mixed notifications over 2 webhook processes and 2 workers`, () => {
	const results: Partial<Record<Mode, Any>> = {};
	const sent: Partial<Record<Mode, Any[]>> = {};

	describe.each(MODES)('answer mode %s', (mode) => {
		beforeAll(async () => {
			sent[mode] = load.mixedNotifications(PER_MODE);
			results[mode] = await run(mode, sent[mode]!);
			figures[`load-${mode}`] = {
				...summarise(results[mode]),
				perSecond: Math.round((PER_MODE / (results[mode].drainedMs / 1000)) * 10) / 10,
			};
		}, 600_000);

		it('sends every resource type and action, spread evenly over both webhook processes', () => {
			const events = new Set(sent[mode]!.map((n) => `${n.resource.type.toLowerCase()}.${n.resourceAction.toLowerCase()}`));
			expect([...events].sort()).toEqual(EVENTS.map((event) => event.name).sort());
			const perUrl = new Map<string, number>();
			for (const attempt of results[mode].attempts) perUrl.set(attempt.url, (perUrl.get(attempt.url) ?? 0) + 1);
			expect([...perUrl.keys()].sort()).toEqual([...urlsOf(mode)].sort());
			for (const count of perUrl.values()) expect(count).toBeGreaterThanOrEqual(Math.floor(PER_MODE / 2) - 1);
		});

		it('answers 2xx to every notification, and each has exactly one successful execution: none lost, none duplicated', () => {
			const { report, summary } = results[mode];
			expect(summary.delivered).toBe(PER_MODE);
			expect({ lost: report.ids.lost, duplicated: report.ids.duplicated, unknown: report.ids.unknown }).toEqual({
				lost: [],
				duplicated: [],
				unknown: [],
			});
			expect(report.processed).toBe(PER_MODE);
			expect(report.statuses).toEqual({ success: PER_MODE });
			// n8n never answered with an error or too late (a dropped keep-alive connection may still be retried).
			expect({ failed: summary.byOutcome.failed, refused: summary.byOutcome.refused, timeout: summary.byOutcome.timeout }).toEqual({
				failed: 0,
				refused: 0,
				timeout: 0,
			});
		});

		it('puts each notification on its own event output, with the documented item, and runs only that branch', () => {
			const byId = new Map<string, Any>(results[mode].executions.map((execution: Any) => [execution.notificationId, execution]));
			const wrong: string[] = [];
			for (const notification of sent[mode]!) {
				const execution = byId.get(notification.uuid);
				const event = `${notification.resource.type.toLowerCase()}.${notification.resourceAction.toLowerCase()}`;
				const index = EVENTS.findIndex((e) => e.name === event);
				const branch = `Out ${index}: ${EVENTS[index].displayName}`;
				const landing = execution?.landing;
				const ok =
					execution?.status === 'success' &&
					execution.mode === 'webhook' &&
					landing.outputCount === EVENTS.length &&
					JSON.stringify(landing.filled) === JSON.stringify([{ index, items: 1 }]) &&
					JSON.stringify(landing.ran) === JSON.stringify([branch, 'AppDirect Trigger'].sort()) &&
					JSON.stringify(landing.item) === JSON.stringify(expectedItem(notification));
				if (!ok) wrong.push(`${event} ${notification.uuid}: ${JSON.stringify(landing).slice(0, 300)}`);
			}
			expect(wrong).toEqual([]);
		});

		it('ran the executions on both workers, each on exactly one (from the workers\' logs)', () => {
			const ranOn = pgExecutions.executionsByWorker(workerLogs);
			const perWorker: Record<string, number> = {};
			const unattributed: number[] = [];
			for (const execution of results[mode].executions) {
				const names = ranOn.get(execution.id) ?? [];
				if (names.length !== 1) unattributed.push(execution.id);
				for (const name of names) perWorker[name] = (perWorker[name] ?? 0) + 1;
			}
			figures[`load-${mode}-perWorker`] = perWorker;
			expect(unattributed).toEqual([]);
			expect(Object.keys(perWorker).sort()).toEqual(['worker-1', 'worker-2']);
			for (const count of Object.values(perWorker)) expect(count).toBeGreaterThan(PER_MODE / 10);
		});
	});
});

describe('refused requests against a webhook process enqueue nothing', () => {
	const good = () => load.mixedNotifications(1)[0];
	const post = (body: string, headers: Record<string, string>) =>
		fetch(urlsOf('immediately')[0], { method: 'POST', headers, body }).then(async (res) => ({ status: res.status, text: await res.text() }));
	const json = { 'content-type': 'application/json' };
	const withToken = { ...json, 'x-appdirect-webhook-token': TOKEN };

	it.each([
		['no token', 401, () => post(JSON.stringify(good()), json)],
		['a wrong token', 401, () => post(JSON.stringify(good()), { ...json, 'x-appdirect-webhook-token': `${TOKEN}x` })],
		['an empty JSON object', 400, () => post('{}', withToken)],
		['a JSON array', 400, () => post('[]', withToken)],
		['no resource type', 400, () => post(JSON.stringify({ ...good(), resource: {} }), withToken)],
		['text that is not JSON, as text/plain', 400, () => post('hello', { ...withToken, 'content-type': 'text/plain' })],
		['broken JSON sent as application/json', 422, () => post('{"uuid":', withToken)],
	])('%s: answered %d, no job in Redis and no execution in PostgreSQL', async (_case, status, send) => {
		const jobsBefore = bullJobId();
		const executionsBefore = await pgExecutions.lastExecutionId(client);
		const answer = await send();
		expect(answer.status).toBe(status);
		await sleep(500);
		expect(bullJobId()).toBe(jobsBefore);
		expect(await pgExecutions.lastExecutionId(client)).toBe(executionsBefore);
		// The same counters move for a valid notification, so the check above can fail.
		const accepted = await post(JSON.stringify(good()), withToken);
		expect(accepted.status).toBe(200);
		expect(bullJobId()).toBe(jobsBefore + 1);
		expect(await pgExecutions.lastExecutionId(client)).toBeGreaterThan(executionsBefore);
	});
});

/**
 * Both answer modes at once, PER_FAULT notifications each (two simulated AppDirect webhooks, one
 * per workflow, together at CONCURRENCY); `fault` runs alongside, once a share of the first
 * burst's attempts went out.
 */
async function runBothModes(fault: () => Promise<void>, { startAfter = 0.3, concurrency = CONCURRENCY / 2 } = {}) {
	let faultDone: () => void = () => {};
	const done = new Promise<void>((resolve) => (faultDone = resolve));
	const results = await Promise.all(
		MODES.map((mode, index) =>
			run(mode, load.mixedNotifications(PER_FAULT), {
				concurrency,
				during: async (delivery) => {
					if (index > 0) return done;
					await afterAttempts(delivery, Math.floor(PER_FAULT * startAfter));
					await fault();
					faultDone();
				},
			}),
		),
	);
	return Object.fromEntries(MODES.map((mode, index) => [mode, results[index]])) as Record<Mode, Any>;
}

// Before the faults: they kill one of the two webhook processes.
describe('OAuth2: a token from one webhook process, notifications on the other', () => {
	const OAUTH2_NOTIFICATIONS = Number(process.env.QUEUE_OAUTH2_NOTIFICATIONS ?? 40);
	const hook = () => load.webhookOf(oauth2Workflow);
	const tokenUrls = () => cluster.webhookUrls(hook().webhookId, 'appdirect/token') as string[];
	const notificationUrls = () => cluster.webhookUrls(hook().webhookId, hook().path) as string[];
	const { clientId, clientSecret } = OAUTH2_CREDENTIAL.data;

	it('accepts the other process\'s token, and processes the notification once', async () => {
		const afterId = await pgExecutions.lastExecutionId(client);
		const issued = await fetch(tokenUrls()[0], {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
			body: 'grant_type=client_credentials',
		});
		expect(issued.status).toBe(200);
		const { access_token: token } = (await issued.json()) as { access_token: string };
		const answer = await fetch(notificationUrls()[1], {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
			body: JSON.stringify(load.mixedNotifications(1)[0]),
		});
		expect(answer.status).toBe(200);
		const counts = await load.waitForExecutions(client, { workflowIds: [oauth2Workflow.id], afterId, expected: 1, settleMs: 3_000 });
		// The token request started nothing: one execution, the notification's.
		expect(counts).toEqual({ success: 1 });
	});

	it(`delivers ${OAUTH2_NOTIFICATIONS} notifications over both processes with one token client: none lost, none duplicated`, async () => {
		const { createDelivery } = await importScript('scripts/send/delivery.mjs');
		const afterId = await pgExecutions.lastExecutionId(client);
		const delivery = createDelivery({
			urls: notificationUrls(),
			oauth2: { tokenUrl: tokenUrls()[0], clientId, clientSecret },
			concurrency: 8,
			timeScale: TIME_SCALE,
		});
		const records = await delivery.deliverAll(load.mixedNotifications(OAUTH2_NOTIFICATIONS)).finally(() => delivery.close());
		expect(records.filter((record: Any) => record.delivered)).toHaveLength(OAUTH2_NOTIFICATIONS);
		const executions = await pgExecutions.readExecutions(client, { workflowIds: [oauth2Workflow.id], afterId });
		const ids = executions.map((execution: Any) => execution.notificationId);
		expect(ids.every((id: unknown) => typeof id === 'string')).toBe(true);
		expect(executions).toHaveLength(OAUTH2_NOTIFICATIONS);
		expect(new Set(ids).size).toBe(OAUTH2_NOTIFICATIONS);
		figures.oauth2 = { notifications: OAUTH2_NOTIFICATIONS, executions: executions.length };
	});
});

describe('faults in the middle of a burst, AppDirect retrying', () => {
	/** SIGKILL to a process group: the n8n process, its task runner and supervisor, with no goodbye. */
	async function sigkill(process: Any) {
		const text = process.readLog();
		cluster.remove(process);
		if (process.role === 'worker') {
			const at = workerLogs.indexOf(process);
			workerLogs[at] = { name: process.name, readLog: () => text };
		}
		globalThis.process.kill(-process.pid, 'SIGKILL');
		while (processesModule.isAlive(process.pid)) await sleep(20);
		await process.stop(); // only removes its folder now
	}

	/** Executions a worker has started and not finished (from its log), counted by answer mode (from PostgreSQL). */
	async function executionsInHand(worker: Any): Promise<Record<Mode, number>> {
		const log = worker.readLog();
		const finished = new Set([...log.matchAll(/Worker finished execution (\d+)/g)].map((match) => Number(match[1])));
		const ids = [...log.matchAll(/Worker started execution (\d+)/g)].map((match) => Number(match[1])).filter((id) => !finished.has(id));
		const held = { immediately: 0, whenFinished: 0 };
		if (ids.length === 0) return held;
		const { rows } = await client.query('SELECT "workflowId" FROM execution_entity WHERE id = ANY($1)', [ids]);
		for (const row of rows) for (const mode of MODES) if (workflows[mode].id === row.workflowId) held[mode]++;
		return held;
	}

	describe('SIGKILL of one worker', () => {
		let results: Record<Mode, Any>;
		let victim: Any;
		beforeAll(async () => {
			victim = cluster.workers[0];
			results = await runBothModes(async () => {
				// In the middle of executions: the worker holds some of each answer mode, started and not finished.
				const deadline = Date.now() + 20_000;
				let held = await executionsInHand(victim);
				while (!(held.immediately > 0 && held.whenFinished > 0) && Date.now() < deadline) {
					await sleep(10);
					held = await executionsInHand(victim);
				}
				await sigkill(victim);
				figures.workerKilledHolding = held;
			});
			for (const mode of MODES) figures[`fault-worker-${mode}`] = { ...summarise(results[mode]), killed: victim.name };
		}, 600_000);

		it('the worker was killed while it held executions of both answer modes', () => {
			expect(figures.workerKilledHolding).toEqual({ immediately: expect.any(Number), whenFinished: expect.any(Number) });
			const held = figures.workerKilledHolding as Record<Mode, number>;
			expect(Math.min(held.immediately, held.whenFinished)).toBeGreaterThan(0);
		});

		it.each(MODES)('answer mode %s: every notification is acknowledged in the end', (mode) => {
			expect(results[mode].summary.delivered).toBe(PER_FAULT);
		});

		it('answer mode whenFinished: none lost (what the killed worker held is answered with an error or not at all, and retried)', () => {
			expect(results.whenFinished.report.ids.lost).toEqual([]);
		});

		it.each(MODES)('answer mode %s: what was lost was in the killed worker\'s hands: no living worker ever started it', (mode) => {
			const result = results[mode];
			const living = pgExecutions.executionsByWorker(workerLogs.filter((worker) => worker.name !== victim.name));
			const lostElsewhere = result.report.ids.lost.filter((id: string) => {
				const runs = result.executions.filter((e: Any) => e.notificationId === id);
				return runs.length === 0 || runs.some((e: Any) => living.has(e.id));
			});
			expect(lostElsewhere).toEqual([]);
		});
	});

	describe('SIGKILL of one webhook process', () => {
		let results: Record<Mode, Any>;
		beforeAll(async () => {
			const victim = cluster.webhookProcesses[0];
			// The dead process stays in the senders' rotation, as behind a load balancer that has not noticed yet.
			results = await runBothModes(() => sigkill(victim));
			for (const mode of MODES) figures[`fault-webhook-${mode}`] = { ...summarise(results[mode]), killed: victim.name };
		}, 600_000);

		it.each(MODES)('answer mode %s: every notification is acknowledged in the end, none lost', (mode) => {
			expect(results[mode].summary.delivered).toBe(PER_FAULT);
			expect(results[mode].report.ids.lost).toEqual([]);
		});
	});
});

describe.each([
	['Redis', () => cluster.redis],
	['PostgreSQL', () => cluster.postgres],
])('%s stopped for 5 seconds during traffic', (name, service) => {
	let results: Record<Mode, Any>;
	let outageSeconds = 0;

	beforeAll(async () => {
		results = await runBothModes(
			async () => {
				const from = performance.now();
				await service().stopServer();
				await sleep(5_000);
				await service().startServer();
				outageSeconds = Math.round((performance.now() - from) / 100) / 10;
			},
			{ startAfter: 0.25, concurrency: 4 },
		);
	}, 600_000);

	it.each(MODES)('answer mode %s: every notification ends acknowledged', (mode) => {
		const result = results[mode];
		// What AppDirect saw while the service was down: the failed or slow attempts, by outcome and answer.
		const answers: Record<string, number> = {};
		for (const attempt of result.attempts.filter((a: Any) => a.outcome !== 'delivered' || a.ms > 2000)) {
			const key = `${attempt.outcome}${attempt.status ? ` ${attempt.status}` : ''}${attempt.answer ? ` ${attempt.answer.slice(0, 80)}` : ''}`;
			answers[key] = (answers[key] ?? 0) + 1;
		}
		figures[`outage-${name}-${mode}`] = { ...summarise(result), outageSeconds, answers };
		expect(result.summary.delivered).toBe(result.summary.notifications);
	});

	it('answer mode whenFinished: none lost', () => {
		expect(results.whenFinished.report.ids.lost).toEqual([]);
	});

	it('n8n recovers without a restart: every process is still the same one, and new notifications are processed', async () => {
		for (const process of cluster.processes()) expect(processesModule.isAlive(process.pid)).toBe(true);
		const probes = load.mixedNotifications(cluster.webhookProcesses.length * 2);
		const result = await run('whenFinished', probes, { concurrency: 2 });
		expect(result.summary.byOutcome.delivered).toBe(probes.length);
		expect(result.report.processed).toBe(probes.length);
	});
});

