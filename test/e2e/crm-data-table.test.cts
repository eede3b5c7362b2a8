// The Data Table CRM templates in a real n8n against the AppDirect API stand-in: the import lists
// a seeded marketplace (many pages) into the tables; live notifications, some never delivered,
// some out of order and some at the same moment, go through the live sync; one reconciliation
// run brings the tables back to exactly what the stand-in holds. All three write through the
// upsert sub-workflow (examples/appdirect-crm-upsert.json). Every file is imported unchanged; the
// import and the reconciliation run as the editor's "Execute workflow" runs them (n8n's REST call
// behind that button, from their Manual and Schedule Triggers).
import { randomBytes, randomUUID } from 'crypto';
import { join } from 'path';
import { importScript, loadInstanceModule, packPackage, repoRoot, type N8nInstance } from '../helpers/runtime.cjs';
import { appDirectSide, type AppDirectSide } from './crm.cjs';

jest.setTimeout(240_000);

const TOKEN = `token-${randomBytes(12).toString('hex')}`;
const API_CLIENT = { clientId: 'n8n-crm-table', clientSecret: `api-${randomBytes(8).toString('hex')}` };
/** 150 companies, 750 users, 300 subscriptions: 1,200 resources, users over 8 pages of 100. */
const MARKETPLACE = { companies: 150 };

let examples: any;
let api: any;
let n8n: N8nInstance & Record<string, any>;
let readRows: (n8n: any, tableId: string) => Promise<any[]>;
let side: AppDirectSide;
const tableIds: Record<string, string> = {};

beforeAll(async () => {
	examples = await importScript('scripts/demo/examples.mjs');
	({ readRows } = await importScript('scripts/demo/tables.mjs'));
	const { sendNotification } = await importScript('scripts/send/run.mjs');
	api = await (await importScript('scripts/appdirect-api/server.mjs')).startAppDirectApi({ clients: [API_CLIENT], seed: false, marketplace: MARKETPLACE });
	const file = (example: { file: string }) => join(repoRoot, 'examples', example.file);
	const { startN8n } = await loadInstanceModule();
	n8n = (await startN8n({
		packages: [packPackage()],
		workflows: [examples.CRM_UPSERT, examples.CRM_SYNC, examples.CRM_IMPORT, examples.CRM_RECONCILE].map(file),
		// The import and the reconciliation are run by hand here, not published.
		publish: [examples.CRM_UPSERT.id, examples.CRM_SYNC.id],
		webhooks: [{ webhookId: examples.CRM_SYNC.webhookId, path: examples.WEBHOOK_PATH }],
	})) as typeof n8n;
	await n8n.api('POST', '/credentials', { ...examples.CREDENTIAL, data: { token: TOKEN } });
	await n8n.api('POST', '/credentials', { ...examples.API_CREDENTIAL, data: { baseUrl: api.url, ...API_CLIENT, scope: 'ROLE_PARTNER_READ' } });
	for (const [key, table] of Object.entries<any>(examples.TABLES)) {
		tableIds[key] = (await n8n.api('POST', '/data-tables', { name: table.name, columns: examples.tableColumns(table) })).id;
	}
	const runs = examples.RECONCILE_RUNS_TABLE;
	tableIds.runs = (await n8n.api('POST', '/data-tables', { name: runs.name, columns: examples.tableColumns(runs) })).id;
	side = appDirectSide({
		api,
		n8n: () => n8n,
		url: () => n8n.productionWebhookUrl(examples.CRM_SYNC.webhookId, examples.WEBHOOK_PATH),
		token: TOKEN,
		send: sendNotification,
		clientId: API_CLIENT.clientId,
	});
}, 600_000);

afterAll(async () => {
	await n8n?.stop();
	await api?.close();
});

/** Runs the import or the reconciliation as "Execute workflow" does, and waits for it to end. */
async function run(example: { id: string }, trigger: string): Promise<void> {
	const { executionId } = await n8n.rest('POST', `/workflows/${example.id}/run`, { triggerToStartFrom: { name: trigger } });
	for (;;) {
		const { status } = await n8n.api('GET', `/executions/${executionId}`);
		if (status === 'success') return;
		if (['error', 'crashed', 'canceled'].includes(status)) {
			const error = (await n8n.api('GET', `/executions/${executionId}?includeData=true`)).data?.resultData?.error;
			throw new Error(`${example.id} ended ${status}: ${error?.node?.name ?? ''} ${error?.message ?? ''}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

const iso = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string | number).toISOString());

/** What a row must hold for a resource as AppDirect's API (the stand-in) returns it, read straight from its content. */
const EXPECTED: Record<string, { type: string; row: (c: any) => Record<string, unknown> }> = {
	companies: {
		type: 'COMPANY',
		row: (c) => ({
			name: c.name,
			enabled: c.enabled,
			website: c.website ?? null,
			phone: c.contact?.phoneNumber ?? null,
			city: c.contact?.address?.city ?? null,
			country: c.contact?.address?.country ?? null,
			externalId: c.externalId ?? null,
		}),
	},
	contacts: {
		type: 'USER',
		row: (c) => ({ email: c.email, firstName: c.firstName, lastName: c.lastName, status: c.status, locale: c.locale ?? null }),
	},
	subscriptions: {
		type: 'SUBSCRIPTION',
		row: (c) => ({
			status: c.status,
			companyId: c.company?.id ?? null,
			userId: c.user?.id ?? null,
			productId: c.product?.id ?? null,
			editionId: c.edition?.id ?? null,
			seats: c.maxUsers,
			frequency: c.order?.frequency ?? null,
			currency: c.order?.currency ?? null,
			totalPrice: c.order?.totalPrice ?? null,
			nextBillingDate: iso(c.order?.nextBillingDate),
		}),
	},
};

interface Diff {
	table: string;
	id: string;
	problem: string;
}

/**
 * Every difference between the tables and the stand-in: a resource without a row or with two,
 * a field that differs, a row of a resource AppDirect no longer has that is not marked removed,
 * a resource AppDirect has whose row is marked removed.
 */
async function differences(): Promise<{ diffs: Diff[]; rows: number; resources: number }> {
	const diffs: Diff[] = [];
	let rowCount = 0;
	let resourceCount = 0;
	for (const [key, expected] of Object.entries(EXPECTED)) {
		const rows = await readRows(n8n, tableIds[key]);
		rowCount += rows.length;
		const byId = new Map<string, any[]>();
		for (const row of rows) byId.set(row.appdirectId, [...(byId.get(row.appdirectId) ?? []), row]);
		const live = new Map<string, any>();
		for (const path of api.paths(expected.type)) {
			const content = api.resource(path);
			live.set(content.id, content);
		}
		resourceCount += live.size;
		for (const [id, content] of live) {
			const found = byId.get(id) ?? [];
			if (found.length !== 1) {
				diffs.push({ table: key, id, problem: `${found.length} rows` });
				continue;
			}
			const [row] = found;
			if (row.removed !== false) diffs.push({ table: key, id, problem: `removed is ${row.removed}` });
			for (const [field, want] of Object.entries(expected.row(content))) {
				const got = field === 'nextBillingDate' ? iso(row[field]) : row[field];
				if (got !== want) diffs.push({ table: key, id, problem: `${field}: ${JSON.stringify(got)}, AppDirect has ${JSON.stringify(want)}` });
			}
		}
		for (const [id, found] of byId) {
			if (live.has(id)) continue;
			if (found.length !== 1) diffs.push({ table: key, id, problem: `${found.length} rows of a removed resource` });
			if (found.some((row) => row.removed !== true)) diffs.push({ table: key, id, problem: 'not in AppDirect, row not marked removed' });
		}
	}
	return { diffs, rows: rowCount, resources: resourceCount };
}

/** Fails with the whole list of differences, so a failure shows what differs. */
function expectNoDifferences(result: { diffs: Diff[] }) {
	expect(result.diffs.map((d) => `${d.table} ${d.id}: ${d.problem}`)).toEqual([]);
}

const firstOf = (type: string) => api.paths(type).map((path: string) => api.resource(path));
/** A notification about a resource whose content is `content` (the stand-in's shape), at `timestamp`. */
function about(event: string, content: any, timestamp: number) {
	const notification = side.notificationAbout(event, content.id, timestamp);
	if (notification.resourceAction !== 'REMOVED') notification.resource.content = structuredClone(content);
	return notification;
}

describe('Data Table CRM: import, live sync, reconciliation', () => {
	test('the import lists 1,000+ resources over many pages and the tables equal AppDirect', async () => {
		const before = api.requests.length;
		await run(examples.CRM_IMPORT, 'Start the import');
		const pages = api.requests.slice(before).filter((entry: any) => entry.path.startsWith('/api/') && entry.status === 200);
		expect(pages.filter((entry: any) => entry.path === '/api/account/v2/users').length).toBeGreaterThanOrEqual(8);
		const result = await differences();
		expect(result.resources).toBeGreaterThanOrEqual(1000);
		expectNoDifferences(result);
		expect(result.rows).toBe(result.resources);
	});

	const lost: Array<{ table: string; id: string }> = [];

	test('live notifications: lost ones leave exactly their rows behind, out-of-order and same-moment ones make no duplicates', async () => {
		const t0 = Date.now();
		const companies = firstOf('COMPANY');
		const users = firstOf('USER');
		const subscriptions = firstOf('SUBSCRIPTION');

		// Delivered: a company renamed; a user removed.
		await side.happen(about('company.changed', { ...companies[0], name: 'Renamed Ltd' }, t0 + 1000));
		await side.happen(side.notificationAbout('user.removed', users[1].id, t0 + 2000));
		// Out of order: the newer seat count arrives first, the older one after it.
		const older = about('subscription.changed', { ...subscriptions[0], maxUsers: 40 }, t0 + 3000);
		const newer = about('subscription.changed', { ...subscriptions[0], maxUsers: 60 }, t0 + 4000);
		await side.happen(older, { send: false });
		await side.happen(newer);
		await side.deliver(older);
		// Never delivered (past every retry): a user renamed, a subscription removed, a new user.
		await side.happen(about('user.changed', { ...users[2], lastName: 'Lost-Change' }, t0 + 5000), { send: false });
		await side.happen(side.notificationAbout('subscription.removed', subscriptions[1].id, t0 + 6000), { send: false });
		const lostUser = { ...users[3], id: randomUUID(), email: 'lost@new.example' };
		await side.happen(about('user.added', lostUser, t0 + 7000), { send: false });
		lost.push({ table: 'contacts', id: users[2].id }, { table: 'subscriptions', id: subscriptions[1].id }, { table: 'contacts', id: lostUser.id });
		// New resources whose first notifications are processed at the same moment: added and changed,
		// each delivered twice, all at once.
		const fresh = [
			{ ...companies[4], id: randomUUID(), name: 'Fresh One' },
			{ ...companies[5], id: randomUUID(), name: 'Fresh Two' },
			{ ...subscriptions[4], id: randomUUID(), maxUsers: 7 },
		];
		for (const [index, content] of fresh.entries()) {
			const kind = index < 2 ? 'company' : 'subscription';
			const added = about(`${kind}.added`, content, t0 + 8000 + index);
			const changed = about(`${kind}.changed`, content, t0 + 9000 + index);
			await side.happen(changed, { send: false });
			await Promise.all([added, changed, added, changed].map((notification) => side.deliver(notification)));
		}

		const { diffs } = await differences();
		// Only the three lost notifications show (the new user has no row at all).
		expect([...new Set(diffs.map((d) => `${d.table} ${d.id}`))].sort()).toEqual(lost.map((l) => `${l.table} ${l.id}`).sort());
		const subscriptionRows = await readRows(n8n, tableIds.subscriptions);
		expect(subscriptionRows.filter((row) => row.appdirectId === subscriptions[0].id).map((row) => row.seats)).toEqual([60]);
		for (const content of fresh) {
			const table = content.name ? tableIds.companies : tableIds.subscriptions;
			expect((await readRows(n8n, table)).filter((row) => row.appdirectId === content.id)).toHaveLength(1);
		}
	});

	test('one reconciliation run: 0 rows and 0 fields different, the vanished subscription marked removed', async () => {
		expect(lost).toHaveLength(3);
		const before = api.requests.length;
		await run(examples.CRM_RECONCILE, 'Every night');
		const result = await differences();
		expectNoDifferences(result);
		const rows = await readRows(n8n, tableIds.subscriptions);
		const gone = rows.filter((row) => row.appdirectId === lost[1].id);
		expect(gone.map((row) => [row.removed, row.lastEvent])).toEqual([[true, 'subscription.unlisted']]);
		// Users and subscriptions changed since the import (less the hour for the clocks) were listed with lastModified.
		const filtered = api.requests.slice(before).filter((entry: any) => entry.query.includes('lastModified='));
		expect(filtered.map((entry: any) => entry.path).sort()).toEqual(['/api/account/v2/users', '/api/billing/v1/subscriptions']);
		// Both runs remembered, each when its listing started.
		expect(await readRows(n8n, tableIds.runs)).toHaveLength(2);
	});
});
