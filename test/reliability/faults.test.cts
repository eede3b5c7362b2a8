// Faults in a real n8n, at sizes that fit the test suite (`npm run reliability` runs them at full
// size): late and repeated deliveries against the CRM-sync example, a CRM that answers 500 for a
// while, and n8n killed with SIGKILL in the middle of a burst. The sender is the AppDirect
// delivery simulator, retrying on AppDirect's schedule, time-scaled.
import { randomBytes } from 'crypto';
import { importScript, loadInstanceModule, packPackage, type N8nInstance } from '../helpers/runtime.cjs';

jest.setTimeout(300_000);

// Small versions of the full run's sizes.
const OUTAGE = { count: 40, concurrency: 4, downMs: 4000 };
const CRASH = { count: 45, concurrency: 6, killAfter: 25 };
const OAUTH2_LOAD = { count: 60, concurrency: 6 };
const OAUTH2_CLIENT = { clientId: 'appdirect-reliability', clientSecret: `cs_${randomBytes(24).toString('hex')}` };

// Random per run, so finding it anywhere can only mean a leak.
const TOKEN = `faults-${randomBytes(18).toString('hex')}`;

type Instance = N8nInstance & {
	pid: number;
	crash(): Promise<void>;
	restart(options: { workflowIds: string[]; webhooks: unknown[] }): Promise<void>;
	waitForPublished(id: string): Promise<void>;
	waitForWebhook(webhook: unknown): Promise<void>;
};

let n8n: Instance;
let crm: any;
let scenarios: any;
let workflows: any;
let examples: any;
let readRows: (n8n: N8nInstance, tableId: string) => Promise<any[]>;
let tables: Record<string, { id: string }>;
const answers: string[] = [];
const built: Record<string, any> = {};

beforeAll(async () => {
	scenarios = await importScript('scripts/reliability/scenarios.mjs');
	workflows = await importScript('scripts/reliability/workflows.mjs');
	examples = await importScript('scripts/demo/examples.mjs');
	({ readRows } = await importScript('scripts/demo/tables.mjs'));
	crm = await (await importScript('scripts/reliability/crm.mjs')).startCrm();
	for (const mode of ['immediately', 'whenFinished']) {
		const suffix = mode === 'immediately' ? 'Imm' : 'Fin';
		built[`outage-${mode}`] = workflows.reliabilityWorkflow({ key: `outage${suffix}`, respond: mode, downstream: { crmUrl: crm.url } });
		built[`crash-${mode}`] = workflows.reliabilityWorkflow({ key: `crash${suffix}`, respond: mode });
	}
	built['load-oauth2'] = workflows.reliabilityWorkflow({ key: 'loadOAuth2', respond: 'whenFinished', authentication: 'oAuth2ClientCredentials' });
	const { startN8n } = await loadInstanceModule();
	n8n = (await startN8n({
		packages: [packPackage()],
		// The example without its API lookups (same ids and order-safety rule): no API stand-in needed here.
		workflows: [examples.crmSyncWorkflow({ lookup: false }), ...Object.values(built)],
		publish: false,
		logLevel: 'debug',
		env: { N8N_LOG_FORMAT: 'json' },
	})) as Instance;
	// The example names its own token credential; both get the same token.
	const { CREDENTIAL, TABLES, tableColumns } = examples;
	await n8n.api('POST', '/credentials', { id: CREDENTIAL.id, name: CREDENTIAL.name, type: CREDENTIAL.type, data: { token: TOKEN } });
	await n8n.api('POST', '/credentials', { ...workflows.OAUTH2_CREDENTIAL, data: { ...OAUTH2_CLIENT, scope: '' } });
	await workflows.publishWithToken(n8n, Object.values(built), TOKEN);
	await n8n.api('POST', `/workflows/${examples.CRM_SYNC.id}/publish`, {});
	await n8n.waitForPublished(examples.CRM_SYNC.id);
	await n8n.waitForWebhook({ webhookId: examples.CRM_SYNC.webhookId, path: examples.WEBHOOK_PATH });
	tables = {};
	for (const [key, table] of Object.entries<any>(TABLES)) {
		tables[key] = await n8n.api('POST', '/data-tables', { name: table.name, columns: tableColumns(table) });
	}
}, 300_000);

afterAll(async () => {
	await n8n?.stop();
	await crm?.close();
});

const events = () => workflows.catalogEvents().map((event: { name: string }) => event.name);
const target = (key: string) => workflows.targetOf(n8n, built[key]);

describe('the CRM-sync example with late and repeated deliveries', () => {
	let delivery: any;
	let traffic: any;

	beforeAll(async () => {
		delivery = await importScript('scripts/send/delivery.mjs');
		traffic = await importScript('scripts/send/traffic.mjs');
	});

	const url = () => n8n.productionWebhookUrl(examples.CRM_SYNC.webhookId, examples.WEBHOOK_PATH);
	const subscriptionRows = () => readRows(n8n, tables.subscriptions.id);

	/**
	 * Delivers each history in its own order, several resources at once; the notifications in
	 * `late` lose their first attempts until the rest of their history is delivered, so that
	 * AppDirect's retry brings them in last. Returns the simulator's records.
	 */
	async function deliverWithLateOnes(histories: any[][], late: Set<string>) {
		const released = new Set<string>();
		const sim = delivery.createDelivery({
			urls: url(),
			token: TOKEN,
			// 5 minutes become 60 ms: a late notification comes back within a few seconds.
			timeScale: 0.0002,
			concurrency: 4,
			drop: (notification: any) => late.has(notification.uuid) && !released.has(notification.uuid),
			onAttempt: (attempt: any) => answers.push(attempt.answer ?? ''),
		});
		const records = await Promise.all(
			histories.map(async (history) => {
				const delayed = [];
				const done = [];
				for (const notification of history) {
					if (late.has(notification.uuid)) delayed.push(sim.deliver(notification));
					// "When the workflow has finished": the answer comes after the rows are written,
					// so one resource's notifications never overlap here.
					else done.push(await sim.deliver(notification));
				}
				for (const notification of history) released.add(notification.uuid);
				return [...done, ...(await Promise.all(delayed))];
			}),
		);
		sim.close();
		return records.flat();
	}

	it('an older notification arriving after newer ones changes nothing: each row ends with its newest event', async () => {
		// Five subscriptions: added, four changes (seats 11…14), and for two of them a removal.
		const histories = Array.from({ length: 5 }, (_, index) => traffic.subscriptionHistory(4, { at: Date.now() - 60_000 * (index + 1), removed: index < 2 }));
		// Late: the addition of one, middle changes of others, the last change of one (then nothing is late after it).
		const late = new Set<string>([histories[0][0].uuid, histories[1][2].uuid, histories[2][1].uuid, histories[2][3].uuid, histories[3][4].uuid, histories[4][2].uuid]);
		const records = await deliverWithLateOnes(histories, late);
		expect(records.filter((record: any) => !record.delivered)).toEqual([]);
		// The late ones really were late: delivered after a later notification of the same subscription.
		for (const history of histories) {
			const deliveredAt = new Map(records.map((record: any) => [record.id, record.deliveredAt]));
			for (const [index, notification] of history.entries()) {
				if (!late.has(notification.uuid)) continue;
				const later = history.slice(index + 1).filter((other: any) => !late.has(other.uuid));
				if (later.length > 0) expect(deliveredAt.get(notification.uuid)).toBeGreaterThan(Math.max(...later.map((other: any) => deliveredAt.get(other.uuid))));
			}
		}
		const rows = await subscriptionRows();
		for (const history of histories) {
			const newest = history.at(-1);
			const mine = rows.filter((row) => row.appdirectId === newest.resource.uuid);
			expect(mine).toHaveLength(1);
			const newestChange = [...history].reverse().find((n: any) => n.resourceAction !== 'REMOVED');
			expect(mine[0]).toMatchObject({
				seats: newestChange.resource.content.maxUsers,
				removed: newest.resourceAction === 'REMOVED',
				lastNotificationId: newest.uuid,
				lastEvent: `subscription.${newest.resourceAction.toLowerCase()}`,
			});
			expect(new Date(mine[0].lastEventAt).getTime()).toBe(newest.timestamp);
		}
	});

	it('changes of one subscription delivered all at the same moment: the row ends with the newest ("update if newer" is one statement)', async () => {
		const history = traffic.subscriptionHistory(8, { at: Date.now() - 20_000 });
		await deliverWithLateOnes([[history[0]]], new Set());
		const sim = delivery.createDelivery({ urls: url(), token: TOKEN, timeScale: 0.0002, concurrency: 8, onAttempt: (attempt: any) => answers.push(attempt.answer ?? '') });
		const records = await Promise.all(history.slice(1).reverse().map((notification: any) => sim.deliver(notification)));
		sim.close();
		expect(records.filter((record: any) => !record.delivered)).toEqual([]);
		const mine = (await subscriptionRows()).filter((row) => row.appdirectId === history[0].resource.uuid);
		expect(mine).toHaveLength(1);
		expect(mine[0]).toMatchObject({ seats: 18, lastNotificationId: history[8].uuid });
	});

	it('a notification delivered again (AppDirect retry, or re-sent from its log) changes nothing, in any order', async () => {
		const before = await subscriptionRows();
		expect(before.length).toBeGreaterThanOrEqual(5);
		// Every notification of a new subscription's history, then all of them again, oldest last.
		const history = traffic.subscriptionHistory(3, { at: Date.now() - 30_000 });
		await deliverWithLateOnes([history], new Set());
		const afterFirst = (await subscriptionRows()).find((row) => row.appdirectId === history[0].resource.uuid);
		await deliverWithLateOnes([[...history].reverse(), history], new Set());
		const after = await subscriptionRows();
		expect(after.find((row) => row.appdirectId === history[0].resource.uuid)).toEqual(afterFirst);
		// Nothing else moved either, not even n8n's updatedAt.
		expect(after.filter((row) => row.appdirectId !== history[0].resource.uuid)).toEqual(before);
		expect(afterFirst).toMatchObject({ seats: 13, lastNotificationId: history[3].uuid, removed: false });
	});
});

describe('a load run with OAuth2 client credentials', () => {
	it(`${OAUTH2_LOAD.count} notifications, each with a token from the trigger's own token endpoint: 0 lost, 0 duplicated`, async () => {
		const run = await scenarios.runLoad({
			n8n,
			target: target('load-oauth2'),
			oauth2: OAUTH2_CLIENT,
			events: events(),
			count: OAUTH2_LOAD.count,
			concurrency: OAUTH2_LOAD.concurrency,
			answers,
		});
		expect(run.byOutcome['token-failed'] ?? 0).toBe(0);
		expect(run.figures).toMatchObject({ sent: OAUTH2_LOAD.count, acknowledged: OAUTH2_LOAD.count, lost: 0, duplicated: 0, wrongOutput: 0, unknown: 0 });
	});
});

describe('a downstream step that fails for a while (the CRM answers 500)', () => {
	let run: any;

	beforeAll(async () => {
		run = await scenarios.runOutage({
			n8n,
			crm,
			targets: [target('outage-immediately'), target('outage-whenFinished')],
			token: TOKEN,
			events: events(),
			count: OUTAGE.count,
			concurrency: OUTAGE.concurrency,
			downMs: OUTAGE.downMs,
			answers,
		});
	}, 300_000);

	const result = (mode: string) => run.results.find((entry: any) => entry.mode === mode);

	it('"When the workflow has finished": AppDirect retries, and once the CRM is back every notification is written exactly once', () => {
		const { figures, crm: writes, byOutcome } = result('whenFinished');
		// The outage really made n8n answer 500 and the sender retry.
		expect(byOutcome.failed).toBeGreaterThan(0);
		expect(figures).toMatchObject({ sent: OUTAGE.count, acknowledged: OUTAGE.count, lost: 0, duplicated: 0, wrongOutput: 0, unknown: 0 });
		expect(writes).toEqual({ neverWritten: 0, writtenTwice: 0 });
	});

	it('"Immediately": the notifications that met the outage were acknowledged and are lost (what the README warns about)', () => {
		const { figures, crm: writes, byOutcome } = result('immediately');
		expect(byOutcome.failed).toBe(0);
		expect(figures.acknowledged).toBe(OUTAGE.count);
		expect(figures.lost).toBeGreaterThan(0);
		// Each lost one has its failed execution, and is exactly what the CRM never got.
		expect(figures.lostWithFailedExecution).toBe(figures.lost);
		expect(writes.neverWritten).toBe(figures.lost);
		expect(figures.duplicated).toBe(0);
	});
});

// Behind a readiness gate, as the README recommends: while n8n starts it answers every request
// "200 n8n is starting up", which AppDirect would take as delivered (see the README).
describe('n8n killed with SIGKILL in the middle of a burst, restarted on the same folder and port, behind a readiness gate', () => {
	let run: any;

	beforeAll(async () => {
		run = await scenarios.runCrash({
			n8n,
			targets: [target('crash-immediately'), target('crash-whenFinished')],
			token: TOKEN,
			events: events(),
			count: CRASH.count,
			concurrency: CRASH.concurrency,
			killAfter: CRASH.killAfter,
			readinessGate: true,
			answers,
			restart: {
				workflowIds: [...Object.values(built).map((workflow) => workflow.id), examples.CRM_SYNC.id],
				webhooks: Object.values(built).map((workflow) => workflows.webhookOf(workflow)),
			},
		});
		// The run's figures, for the log of the test run.
		console.log(JSON.stringify({ timeline: run.timeline, results: run.results.map((r: any) => ({ mode: r.mode, ...r.figures })) }));
	}, 300_000);

	const result = (mode: string) => run.results.find((entry: any) => entry.mode === mode);

	it('n8n died mid-burst and came back healthy; the sender got every notification acknowledged in the end', () => {
		expect(run.timeline.killedAtSeconds).toBeGreaterThan(0);
		expect(run.healthy).toBe(true);
		for (const mode of ['immediately', 'whenFinished']) {
			expect(run.timeline.acknowledgedBeforeKill[mode]).toBeLessThan(CRASH.count);
			expect(result(mode).acknowledgedByStartupPage).toBe(0);
			expect(result(mode).figures).toMatchObject({ sent: CRASH.count, acknowledged: CRASH.count, wrongOutput: 0, unknown: 0 });
		}
	});

	it('"When the workflow has finished": no acknowledged notification is lost', () => {
		expect(result('whenFinished').figures.lost).toBe(0);
	});

	it('"Immediately": whatever was lost had been acknowledged and left a crashed execution behind', () => {
		const { figures } = result('immediately');
		expect(figures.lostWithFailedExecution).toBe(figures.lost);
		expect(figures.processed + figures.lost).toBe(CRASH.count);
	});
});

describe('the token and the OAuth2 client secret (after everything above)', () => {
	it('is in no answer, no line of n8n\'s log and no execution record', async () => {
		const found = await scenarios.findSecret({
			n8n,
			secret: TOKEN,
			workflowIds: [...Object.values(built).map((workflow) => workflow.id), examples.CRM_SYNC.id],
			answers,
		});
		expect(found.answersChecked).toBeGreaterThan(100);
		expect(found.executionPages).toBeGreaterThan(0);
		expect(found).toMatchObject({ answersWithSecret: 0, logHasSecret: false, executionPagesWithSecret: 0 });
		const oauth2 = await scenarios.findSecret({ n8n, secret: OAUTH2_CLIENT.clientSecret, workflowIds: [built['load-oauth2'].id], answers });
		expect(oauth2).toMatchObject({ answersWithSecret: 0, logHasSecret: false, executionPagesWithSecret: 0 });
	});
});
