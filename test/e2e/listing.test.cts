// Get Many inside a real n8n, against the local AppDirect API stand-in with a made-up marketplace
// of 25 companies and 1,250 users: Limit, Return All across many pages, Modified Since, status,
// company by company, pairedItem, Continue On Fail, 429s waited out, a page failing in the middle
// of a listing, and the same flat fields as Get Current State for the same resource.
import { randomBytes } from 'crypto';
import { NOT_IN_LISTS } from '../../nodes/AppDirect/listing/items';
import { RESOURCES } from '../../nodes/AppDirect/shared/catalog';
import { importScript, loadInstanceModule, packPackage, type N8nInstance } from '../helpers/runtime.cjs';
import { createCredentialUnderId } from './harness.cjs';
import { ACTION_NAME, API_CREDENTIAL_TYPE, itemsWorkflow, type ApiCredential } from './action-workflows.cjs';

jest.setTimeout(120_000);

const CLIENT = { clientId: 'n8n-e2e-lists', clientSecret: `secret-${randomBytes(12).toString('hex')}` };
const CREDENTIAL: ApiCredential = { id: 'e2eAppDirectLst1', name: 'AppDirect API (lists e2e)' };
const COMPANIES = 25;
const USERS_PER_COMPANY = 50;

/** Every Get Many parameter from the posted item, so one workflow serves every test. */
const LIST_PARAMETERS = {
	operation: 'getAll',
	resourceType: '={{ $json.resourceType }}',
	companies: '={{ $json.companies }}',
	companyId: '={{ $json.companyId }}',
	returnAll: '={{ $json.returnAll }}',
	limit: '={{ $json.limit }}',
	filters: { modifiedSince: '={{ $json.modifiedSince }}', status: '={{ $json.status }}' },
};

const WORKFLOWS = {
	list: itemsWorkflow({ id: 'e2eListMany00001', path: 'appdirect-list', credential: CREDENTIAL, continueOnFail: true, parameters: LIST_PARAMETERS }),
	strict: itemsWorkflow({ id: 'e2eListStrict001', path: 'appdirect-list-strict', credential: CREDENTIAL, parameters: LIST_PARAMETERS }),
	// Which Filters n8n keeps when it saves the workflow depends on the type: fixed here, as a user sets it.
	users: itemsWorkflow({
		id: 'e2eListUsers0001',
		path: 'appdirect-list-users',
		credential: CREDENTIAL,
		parameters: { ...LIST_PARAMETERS, resourceType: 'USER', filters: { modifiedSince: '={{ $json.modifiedSince }}' } },
	}),
	// Get Current State with its default input, {{ $json.resourceUrl }}.
	current: itemsWorkflow({ id: 'e2eListCurrent01', path: 'appdirect-list-current', credential: CREDENTIAL, parameters: {} }),
};

let api: any;
let n8n: N8nInstance & Record<string, any>;

beforeAll(async () => {
	const { startAppDirectApi } = await importScript('scripts/appdirect-api/server.mjs');
	api = await startAppDirectApi({
		clients: [CLIENT],
		seed: false,
		marketplace: { companies: COMPANIES, usersPerCompany: USERS_PER_COMPANY, subscriptionsPerCompany: 2, invoicesPerCompany: 2 },
	});
	const { startN8n } = await loadInstanceModule();
	n8n = (await startN8n({ packages: [packPackage()], workflows: Object.values(WORKFLOWS), publish: false })) as typeof n8n;
	const data = { baseUrl: api.url, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, scope: 'ROLE_PARTNER_READ' };
	const actual = await createCredentialUnderId(n8n, { id: CREDENTIAL.id, name: CREDENTIAL.name, type: API_CREDENTIAL_TYPE, data });
	for (const workflow of Object.values(WORKFLOWS) as Array<Record<string, any>>) {
		if (actual !== CREDENTIAL.id) {
			workflow.nodes.find((node: Record<string, any>) => node.name === ACTION_NAME).credentials[API_CREDENTIAL_TYPE] = { id: actual, name: CREDENTIAL.name };
			const { name, nodes, connections, settings } = workflow;
			await n8n.api('PUT', `/workflows/${workflow.id}`, { name, nodes, connections, settings });
		}
		await n8n.publishWorkflow(workflow.id);
		await n8n.waitForPublished(workflow.id);
	}
}, 300_000);

afterAll(async () => {
	await n8n?.stop();
	await api?.close();
}, 60_000);

afterEach(() => {
	api.rateLimit(false);
	api.onListPage(undefined);
});

interface Ask {
	resourceType: string;
	companies?: 'all' | 'one';
	companyId?: string;
	returnAll?: boolean;
	limit?: number;
	modifiedSince?: string;
	status?: string;
}

interface Run {
	status: string;
	/** The AppDirect node's output items, with pairedItem. */
	items: Array<{ json: Record<string, any>; pairedItem: unknown }>;
	error?: Record<string, any>;
}

const ask = (wanted: Ask) => ({ companies: 'all', companyId: '', returnAll: false, limit: 50, modifiedSince: '', status: '', ...wanted });

/** Posts `{ items }` to a workflow and returns its execution: status, the AppDirect node's items, its error. */
async function run(workflow: Record<string, any>, items: unknown[]): Promise<Run> {
	const seen = new Set((await n8n.getExecutions({ workflowId: workflow.id, includeData: false })).map((execution) => execution.id));
	const path = workflow.nodes.find((node: Record<string, any>) => node.name === 'Webhook').parameters.path;
	const answer = await fetch(`${n8n.baseUrl}/webhook/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) });
	await answer.text();
	const executions = await n8n.waitForExecutions({ workflowId: workflow.id, count: seen.size + 1, includeData: false });
	const fresh = executions.filter((execution) => !seen.has(execution.id));
	expect(fresh).toHaveLength(1);
	const execution = await n8n.api('GET', `/executions/${fresh[0].id}?includeData=true`);
	const node = execution.data.resultData.runData[ACTION_NAME]?.[0];
	return { status: execution.status, items: node?.data?.main?.[0] ?? [], error: node?.error ?? execution.data.resultData.error };
}

const idOf = (path: string) => path.split('/').pop()!;
const listRequests = (since: number, path: string) => api.requests.slice(since).filter((entry: any) => entry.path === path);

describe('Get Many', () => {
	let allUsers: string[] = [];

	test('Return All reads all 1,250 users across many pages, each item paired with its input item', async () => {
		const since = api.requests.length;
		const result = await run(WORKFLOWS.list, [ask({ resourceType: 'USER', returnAll: true })]);
		expect(result.status).toBe('success');
		allUsers = result.items.map((item) => item.json.resourceId);
		expect(allUsers).toHaveLength(COMPANIES * USERS_PER_COMPANY);
		expect(new Set(allUsers)).toEqual(new Set(api.paths('USER').map(idOf)));
		expect(result.items.every((item) => item.json.resourceType === 'USER' && item.json.exists === true)).toBe(true);
		expect(result.items.every((item) => JSON.stringify(item.pairedItem) === JSON.stringify({ item: 0 }))).toBe(true);
		const pages = listRequests(since, '/api/account/v2/users');
		expect(pages.length).toBeGreaterThanOrEqual(13);
		expect(pages.every((entry: any) => entry.status === 200)).toBe(true);
	});

	test('Limit returns the first resources of the list and reads no further page', async () => {
		const since = api.requests.length;
		const result = await run(WORKFLOWS.list, [ask({ resourceType: 'USER', limit: 7 })]);
		expect(result.items.map((item) => item.json.resourceId)).toEqual(allUsers.slice(0, 7));
		expect(listRequests(since, '/api/account/v2/users')).toHaveLength(1);
	});

	test('Modified Since returns exactly the users changed at or after that moment', async () => {
		const modified = api.paths('USER').map((path: string) => ({ id: idOf(path), at: api.modifiedAt(path) as number }));
		const threshold = modified.map((user: { at: number }) => user.at).sort((a: number, b: number) => a - b)[1000];
		const expected = modified.filter((user: { at: number }) => user.at >= threshold).map((user: { id: string }) => user.id);
		const since = api.requests.length;
		const result = await run(WORKFLOWS.users, [ask({ resourceType: 'USER', returnAll: true, modifiedSince: new Date(threshold).toISOString() })]);
		expect(result.items.map((item) => item.json.resourceId).sort()).toEqual(expected.sort());
		expect(expected.length).toBe(250);
		expect(listRequests(since, '/api/account/v2/users')[0].query).toContain(`lastModified=${threshold}`);
	});

	test('a status filter returns exactly the subscriptions with that status, from the marketplace-wide list', async () => {
		const expected = api.paths('SUBSCRIPTION').filter((path: string) => api.resource(path).status === 'SUSPENDED').map(idOf);
		expect(expected.length).toBeGreaterThan(0);
		const since = api.requests.length;
		const result = await run(WORKFLOWS.list, [ask({ resourceType: 'SUBSCRIPTION', returnAll: true, status: 'SUSPENDED' })]);
		expect(result.items.map((item) => item.json.resourceId).sort()).toEqual(expected.sort());
		expect(result.items.every((item) => item.json.status === 'SUSPENDED')).toBe(true);
		expect(listRequests(since, '/api/billing/v1/subscriptions').map((entry: any) => entry.query)).toEqual([expect.stringContaining('status=SUSPENDED')]);
	});

	test("invoices of every company: the node walks the companies and returns each company's invoices", async () => {
		const since = api.requests.length;
		const result = await run(WORKFLOWS.list, [ask({ resourceType: 'INVOICE', returnAll: true })]);
		expect(result.status).toBe('success');
		const expected = api.paths('INVOICE').map((path: string) => api.resource(path).id);
		expect(result.items.map((item) => item.json.resourceId).sort()).toEqual(expected.sort());
		const companies = api.paths('COMPANY').map(idOf);
		for (const company of companies) expect(listRequests(since, `/api/billing/v1/companies/${company}/invoices`)).toHaveLength(1);
		expect(listRequests(since, '/api/account/v2/companies')).toHaveLength(1);
	});

	test("one company's subscriptions and memberships, and a Limit that ends a walk across companies", async () => {
		const company = api.paths('COMPANY').map(idOf)[3];
		const result = await run(WORKFLOWS.list, [
			ask({ resourceType: 'SUBSCRIPTION', companies: 'one', companyId: company, returnAll: true }),
			ask({ resourceType: 'MEMBERSHIP', companies: 'one', companyId: company, returnAll: true }),
			ask({ resourceType: 'MEMBERSHIP', limit: 60 }),
		]);
		const of = (input: number) => result.items.filter((item) => (item.pairedItem as { item: number }).item === input).map((item) => item.json);
		expect(of(0).map((item) => item.companyId)).toEqual([company, company]);
		expect(of(1)).toHaveLength(USERS_PER_COMPANY);
		expect(of(1).every((item) => item.companyId === company)).toBe(true);
		expect(of(2)).toHaveLength(60);
		expect(new Set(of(2).map((item) => item.companyId)).size).toBe(2);
		expect(result.items.map((item) => (item.pairedItem as { item: number }).item)).toEqual([0, 0, ...Array(50).fill(1), ...Array(60).fill(2)]);
	});

	test('Continue On Fail: a failing input item gives one error item, the others their resources', async () => {
		const result = await run(WORKFLOWS.list, [
			ask({ resourceType: 'INVOICE', companies: 'one', companyId: 'no-such-company' }),
			ask({ resourceType: 'USER', limit: 0 }),
			ask({ resourceType: 'COMPANY', limit: 2 }),
		]);
		expect(result.status).toBe('success');
		expect(result.items).toHaveLength(4);
		expect(result.items[0]).toEqual({ json: { error: expect.stringMatching(/404|not found/i) }, pairedItem: { item: 0 } });
		expect(result.items[1]).toEqual({ json: { error: expect.stringContaining('Limit must be a whole number of at least 1') }, pairedItem: { item: 1 } });
		expect(result.items.slice(2).map((item) => [item.json.resourceType, item.pairedItem])).toEqual([
			['COMPANY', { item: 2 }],
			['COMPANY', { item: 2 }],
		]);
	});

	test('429: a listing faster than the marketplace allows is waited out and completes', async () => {
		api.rateLimit({ size: 4, perSecond: 2 });
		const since = api.requests.length;
		const result = await run(WORKFLOWS.list, [ask({ resourceType: 'USER', returnAll: true })]);
		expect(result.status).toBe('success');
		expect(result.items.map((item) => item.json.resourceId)).toEqual(allUsers);
		const statuses = listRequests(since, '/api/account/v2/users').map((entry: any) => entry.status);
		expect(statuses.filter((status: number) => status === 429).length).toBeGreaterThan(0);
		expect(statuses.filter((status: number) => status === 200)).toHaveLength(13);
	});

	test('a page failing in the middle: a clear error, and no partial list passed on', async () => {
		// After the third page, the list answers `status` (503: tried again, then given up; 403: at once).
		const failAfterPage2 = (status: number) => {
			api.answer('/api/account/v2/users', null);
			api.onListPage(({ list, query }: { list: string; query: Record<string, string> }) => {
				if (list === 'users' && query.page === '2') api.answer('/api/account/v2/users', { status, body: { code: 'UNAVAILABLE', message: 'Not now' } });
			});
		};
		failAfterPage2(503);
		try {
			const strict = await run(WORKFLOWS.strict, [ask({ resourceType: 'USER', returnAll: true })]);
			expect(strict.status).toBe('error');
			expect(strict.items).toEqual([]);
			expect(strict.error?.message).toMatch(/^The list of users stopped before it was complete: .*\/api\/account\/v2\/users.*503/);
			expect(strict.error?.description).toContain('Nothing was output for this item');

			failAfterPage2(403);
			const lenient = await run(WORKFLOWS.list, [ask({ resourceType: 'USER', returnAll: true }), ask({ resourceType: 'COMPANY', limit: 1 })]);
			expect(lenient.items[0].json.error).toBe('The list of users stopped before it was complete: The credential is not allowed to read this resource');
			expect(lenient.items.map((item) => [Object.keys(item.json), item.pairedItem])).toEqual([
				[['error'], { item: 0 }],
				[expect.arrayContaining(['resourceType']), { item: 1 }],
			]);
		} finally {
			api.answer('/api/account/v2/users', null);
		}
	});
});

describe('a listed resource has the same flat fields as Get Current State gives for it', () => {
	const company = () => api.paths('COMPANY').map(idOf)[0];
	const cases: Array<[string, () => Ask, (listed: Record<string, any>) => string]> = [
		['USER', () => ({ resourceType: 'USER', limit: 1 }), (listed) => listed.resourceUrl],
		['COMPANY', () => ({ resourceType: 'COMPANY', limit: 1 }), (listed) => listed.resourceUrl],
		['MEMBERSHIP', () => ({ resourceType: 'MEMBERSHIP', companies: 'one', companyId: company(), limit: 1 }), (listed) => listed.resourceUrl],
		['SUBSCRIPTION', () => ({ resourceType: 'SUBSCRIPTION', limit: 1 }), (listed) => listed.resourceUrl],
		// The invoices list names an invoice by its number, the stand-in stores it under its uuid.
		[
			'INVOICE',
			() => ({ resourceType: 'INVOICE', companies: 'one', companyId: company(), limit: 1 }),
			(listed) => `${api.url}${api.paths('INVOICE').find((path: string) => api.resource(path).id === listed.resourceId)}`,
		],
	];

	test.each(cases)('%s', async (type, wanted, singleReadUrl) => {
		const [listed] = (await run(WORKFLOWS.list, [ask(wanted())])).items.map((item) => item.json);
		expect(listed).toMatchObject({ resourceType: type, exists: true });
		const url = singleReadUrl(listed);
		const current = (await run(WORKFLOWS.current, [{ resourceUrl: url }])).items[0].json;
		expect(current).toMatchObject({ resourceType: type, exists: true, marketplaceUrl: listed.marketplaceUrl });
		if (type !== 'INVOICE') expect([current.resourceId, current.resourceUrl]).toEqual([listed.resourceId, listed.resourceUrl]);
		const fields = RESOURCES.find((resource) => resource.type === type)!.fields.map((field) => field.name);
		const missing = NOT_IN_LISTS[type] ?? [];
		const shared = fields.filter((name) => !missing.includes(name));
		expect(Object.fromEntries(shared.map((name) => [name, listed[name]]))).toEqual(Object.fromEntries(shared.map((name) => [name, current[name]])));
		// Most shared fields carry a value: equal nulls alone would prove nothing.
		expect(shared.filter((name) => current[name] !== null).length).toBeGreaterThanOrEqual(Math.ceil(shared.length / 2));
		for (const name of missing.filter((field) => field !== 'roles')) expect(listed[name]).toBeNull();
	});
});
