// The API stand-in's list endpoints: a seeded marketplace, both paging styles with AppDirect's
// defaults, the filters, refusals of bad paging values, the rate-limit bucket and changes made
// while a listing is under way. Real HTTP on 127.0.0.1.
import { importScript } from '../helpers/runtime.cjs';

let api: any;
let token: string;

async function get(path: string, query: Record<string, string | number> = {}) {
	const url = new URL(path, api.url);
	for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
	const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
	return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}

const companyIds = () => api.paths('COMPANY').map((path: string) => path.split('/').pop());

beforeAll(async () => {
	const { startAppDirectApi } = await importScript('scripts/appdirect-api/server.mjs');
	api = await startAppDirectApi({ marketplace: { companies: 120 } });
	token = api.issueToken();
});

afterEach(() => {
	api.onListPage(null);
	api.configureLists({ maxPageSize: undefined, totalCount: 'documented' });
});

afterAll(async () => {
	await api?.close();
});

describe('the seeded marketplace', () => {
	it('has the samples plus 120 companies with 5 users, 5 memberships, 2 subscriptions and an invoice each', () => {
		expect(api.paths('COMPANY')).toHaveLength(121);
		expect(api.paths('USER')).toHaveLength(601);
		expect(api.paths('MEMBERSHIP')).toHaveLength(601);
		expect(api.paths('SUBSCRIPTION')).toHaveLength(241);
		expect(api.paths('INVOICE')).toHaveLength(121);
	});

	it('is the same on every start', async () => {
		const { startAppDirectApi } = await importScript('scripts/appdirect-api/server.mjs');
		const again = await startAppDirectApi({ seed: false, marketplace: { companies: 120 } });
		try {
			// The same paths as here, less the sample user.
			expect(again.paths('USER')).toEqual(api.paths('USER').filter((path: string) => !path.includes('0d3f6b2a')));
			const path = again.paths('SUBSCRIPTION')[7];
			expect(JSON.stringify(again.resource(path)).replaceAll(again.url, '')).toBe(JSON.stringify(api.resource(path)).replaceAll(api.url, ''));
		} finally {
			await again.close();
		}
	});

	it('serves each seeded resource at its single-read URL too', async () => {
		const path = api.paths('USER')[10];
		const answer = await get(path);
		expect(answer.status).toBe(200);
		expect(answer.json.id).toBe(path.split('/').pop());
	});
});

describe('page and size lists', () => {
	it('users: page 0 of 50 by default, oldest first, in the account v2 shape', async () => {
		const { status, json } = await get('/api/account/v2/users');
		expect(status).toBe(200);
		expect(json.page).toEqual({ size: 50, totalElements: 601, totalPages: 13, number: 0 });
		expect(json.content).toHaveLength(50);
		expect(Object.keys(json.content[0])).toEqual(expect.arrayContaining(['uuid', 'email', 'userName', 'firstName', 'lastName', 'activated', 'links']));
		const dates = json.content.map((user: any) => user.creationDate);
		expect(dates).toEqual([...dates].sort((a, b) => a - b));
	});

	it('the last page is short and a page past the end is empty', async () => {
		expect((await get('/api/account/v2/users', { page: 6, size: 100 })).json.content).toHaveLength(1);
		expect((await get('/api/account/v2/users', { page: 7, size: 100 })).json).toMatchObject({ content: [], page: { number: 7, totalPages: 7 } });
	});

	it('companies: by name, descending by default (as documented)', async () => {
		const names = (await get('/api/account/v2/companies', { size: 5 })).json.content.map((company: any) => company.name);
		expect(names).toEqual(['Company 000119', 'Company 000118', 'Company 000117', 'Company 000116', 'Company 000115']);
		expect((await get('/api/account/v2/companies', { size: 1, sortOrder: 'ASC' })).json.content[0].name).toBe('Acme Corp');
	});

	it('memberships of one company, with user and company; 404 for an unknown company', async () => {
		const companyId = companyIds()[3];
		const { json } = await get(`/api/account/v2/companies/${companyId}/memberships`);
		expect(json.page.totalElements).toBe(5);
		expect(json.content[0]).toMatchObject({ company: { uuid: companyId }, enabled: true, roles: ['ROLE_USER', 'ROLE_SYS_ADMIN'] });
		expect((await get('/api/account/v2/companies/no-such-company/memberships')).status).toBe(404);
	});
});

describe('start and count lists', () => {
	it('subscriptions of the marketplace: 250 from 0 by default, a plain list', async () => {
		const { status, headers, json } = await get('/api/billing/v1/subscriptions');
		expect(status).toBe(200);
		expect(Array.isArray(json)).toBe(true);
		expect(json).toHaveLength(241);
		expect(headers.get('x-total-count')).toBeNull();
		expect((await get('/api/billing/v1/subscriptions', { start: 240, count: 10 })).json).toHaveLength(1);
	});

	it('a company’s subscriptions show the order as a link; its invoices newest id first', async () => {
		const companyId = companyIds()[5];
		const subscriptions = (await get(`/api/billing/v1/companies/${companyId}/subscriptions`)).json;
		expect(subscriptions).toHaveLength(2);
		expect(subscriptions[0].order).toEqual({ id: expect.any(String), href: expect.stringContaining('/api/billing/v1/orders/') });
		const invoices = (await get(`/api/billing/v1/companies/${companyId}/invoices`)).json;
		expect(invoices).toEqual([expect.objectContaining({ invoiceId: expect.any(Number), company: expect.objectContaining({ id: companyId }) })]);
	});

	it('sends X-Total-Count when told to', async () => {
		api.configureLists({ totalCount: 'always' });
		expect((await get('/api/billing/v1/subscriptions', { count: 1 })).headers.get('x-total-count')).toBe('241');
	});
});

describe('filters', () => {
	it('lastModified keeps what was modified at or after it', async () => {
		const path = api.paths('USER')[42];
		const before = (await get('/api/account/v2/users', { lastModified: Date.now() })).json.page.totalElements;
		api.setResource(path, { ...api.resource(path), firstName: 'Changed' });
		const after = (await get('/api/account/v2/users', { lastModified: api.modifiedAt(path) })).json;
		expect(before).toBe(0);
		expect(after.content.map((user: any) => user.firstName)).toEqual(['Changed']);
	});

	it('status filters subscriptions and invoices', async () => {
		const active = (await get('/api/billing/v1/subscriptions', { status: 'SUSPENDED' })).json;
		expect(active.length).toBeGreaterThan(0);
		expect(active.every((subscription: any) => subscription.status === 'SUSPENDED')).toBe(true);
		const companyId = companyIds()[2];
		expect((await get(`/api/billing/v1/companies/${companyId}/invoices`, { status: 'VOIDED' })).json).toEqual([]);
	});
});

describe('refusals', () => {
	it.each([
		['/api/account/v2/users', { page: -1 }, "Parameter 'page' must be a whole number of at least 0, not '-1'"],
		['/api/account/v2/users', { size: 0 }, "Parameter 'size' must be a whole number of at least 1, not '0'"],
		['/api/account/v2/users', { size: 'ten' }, "Parameter 'size' must be a whole number of at least 1, not 'ten'"],
		['/api/billing/v1/subscriptions', { start: '1.5' }, "Parameter 'start' must be a whole number of at least 0, not '1.5'"],
		['/api/billing/v1/subscriptions', { status: 'GONE' }, "Parameter 'status' must be one of INITIALIZED, FAILED, FREE_TRIAL, FREE_TRIAL_EXPIRED, ACTIVE, SUSPENDED, CANCELLED"],
		['/api/account/v2/users', { lastModified: 'yesterday' }, "Parameter 'lastModified' must be epoch milliseconds, not 'yesterday'"],
		['/api/account/v2/companies', { sortField: 'DATE' }, "Parameter 'sortField' must be one of NAME"],
	])('%s with %j answers 400', async (path, query, message) => {
		expect(await get(path, query as Record<string, string>)).toMatchObject({ status: 400, json: { code: 'BAD_REQUEST', message } });
	});

	it('a size over maxPageSize, when one is set', async () => {
		api.configureLists({ maxPageSize: 100 });
		expect((await get('/api/account/v2/users', { size: 101 })).json.message).toBe("Parameter 'size' must be at most 100, not 101");
		expect((await get('/api/account/v2/users', { size: 100 })).status).toBe(200);
	});
});

describe('the rate limit', () => {
	// A stand-in of its own whose clock the test moves: no timing luck on a busy machine.
	const clock = { now: 1_800_000_000_000 };
	let limited: any;
	let limitedToken: string;

	beforeAll(async () => {
		const { startAppDirectApi } = await importScript('scripts/appdirect-api/server.mjs');
		limited = await startAppDirectApi({ now: () => clock.now, rateLimit: true });
		limitedToken = limited.issueToken();
	});

	afterAll(async () => {
		await limited?.close();
	});

	async function status(): Promise<string> {
		const response = await fetch(`${limited.url}/api/account/v2/users?size=1`, { headers: { authorization: `Bearer ${limitedToken}` } });
		const retryAfter = response.headers.get('retry-after');
		return `${response.status}${retryAfter ? ` after ${retryAfter}` : ''}`;
	}

	it('admits a burst of 20, then answers 429 with Retry-After in seconds; one more every 200 ms', async () => {
		const statuses: string[] = [];
		for (let index = 0; index < 22; index++) statuses.push(await status());
		expect(statuses).toEqual([...Array(20).fill('200'), '429 after 1', '429 after 1']);
		expect(limited.requests.at(-1)).toMatchObject({ path: '/api/account/v2/users', status: 429 });
		clock.now += 199;
		expect(await status()).toBe('429 after 1');
		clock.now += 1;
		expect([await status(), await status()]).toEqual(['200', '429 after 1']);
		clock.now += 4000;
	});

	it('can be tuned, leave Retry-After out, and be switched off', async () => {
		limited.rateLimit({ size: 1, perSecond: 2, retryAfter: false });
		expect([await status(), await status()]).toEqual(['200', '429']);
		clock.now += 500;
		expect(await status()).toBe('200');
		limited.rateLimit(false);
		expect([await status(), await status(), await status()]).toEqual(['200', '200', '200']);
	});
});

describe('changes while a listing is under way', () => {
	it('a hook sees each page and what it changes shows on the next page', async () => {
		const seen: any[] = [];
		const removed = api.paths('USER')[150];
		api.onListPage((page: any) => {
			seen.push(page);
			if (seen.length === 1) api.removeResource(removed);
		});
		const first = (await get('/api/account/v2/users', { size: 100 })).json.page.totalElements;
		const second = (await get('/api/account/v2/users', { size: 100, page: 1 })).json.page.totalElements;
		expect([first, second]).toEqual([601, 600]);
		expect(seen[0]).toMatchObject({ list: 'users', path: '/api/account/v2/users', query: { size: '100' }, status: 200 });
		expect((await get(removed)).status).toBe(404);
	});

	it('seed adds companies with their resources at run time, numbered after the first ones', async () => {
		const before = api.paths('COMPANY').length;
		expect(api.seed({ companies: 2, from: 120 })).toBe(2 * (1 + 5 + 5 + 2 + 1));
		expect(api.paths('COMPANY')).toHaveLength(before + 2);
		expect((await get('/api/account/v2/companies', { size: 1 })).json.content[0].name).toBe('Company 000121');
	});
});
