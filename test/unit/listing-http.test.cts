// The listing building blocks against the API stand-in over real HTTP, with its rate limit on:
// every resource exactly once, 429s waited out, a failing page stopping the listing, and lists
// that change while they are read.
import { listEndpointOf, listItemId } from '../../nodes/AppDirect/listing/endpoints';
import { ListingError } from '../../nodes/AppDirect/listing/error';
import type { HeaderBag } from '../../nodes/AppDirect/listing/pager';
import { LeakyBucket } from '../../nodes/AppDirect/listing/rate-limit';
import { walkList, type ListIo, type WalkOptions } from '../../nodes/AppDirect/listing/walk';
import { importScript } from '../helpers/runtime.cjs';

jest.setTimeout(60_000);

const COMPANIES = 150;
let api: any;
let token: string;

beforeAll(async () => {
	const { startAppDirectApi } = await importScript('scripts/appdirect-api/server.mjs');
	api = await startAppDirectApi({ marketplace: { companies: COMPANIES }, rateLimit: true });
	token = api.issueToken();
});

let transport: ListIo;

beforeEach(() => {
	// A fresh bucket on both sides: AppDirect's (rateLimit makes a new one) and the client's.
	api.rateLimit(true);
	transport = io();
});

afterEach(() => {
	api.onListPage(null);
	api.configureLists({ totalCount: 'documented' });
});

afterAll(async () => {
	await api?.close();
});

/** The transport a node would give: GET with the token, body as text, headers as sent. */
function io(bucket = new LeakyBucket()): ListIo {
	return {
		async request(path, query) {
			const url = new URL(path, api.url);
			for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
			const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
			return { status: response.status, body: await response.text(), headers: Object.fromEntries(response.headers) as HeaderBag };
		},
		sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
		now: () => Date.now(),
		bucket,
	};
}

async function list(type: string, options: WalkOptions = {}) {
	const endpoint = listEndpointOf(type);
	const result = await walkList(endpoint, options, transport);
	return { ...result, ids: result.items.map((item) => listItemId(endpoint, item)) };
}

/** The ids of stored resources of a type (the last path segment), optionally of one company. */
function storedIds(type: string, companyId?: string): string[] {
	return api
		.paths(type)
		.filter((path: string) => !companyId || path.includes(companyId) || api.resource(path)?.company?.id === companyId)
		.map((path: string) => (type === 'INVOICE' ? api.resource(path).id : path.split('/').pop()));
}

const sorted = (values: unknown[]) => [...values].map(String).sort();
const refusals = () => api.requests.filter((request: any) => request.status === 429).length;

describe('listing the stand-in over HTTP', () => {
	it('returns every user, company and subscription exactly once when nothing changes, without a single 429', async () => {
		const before = refusals();
		const users = await list('USER');
		const companies = await list('COMPANY');
		const subscriptions = await list('SUBSCRIPTION');
		expect(users.ids).toHaveLength(COMPANIES * 5 + 1);
		expect(sorted(users.ids)).toEqual(sorted(storedIds('USER')));
		expect(users.pages).toBe(8);
		expect(sorted(companies.ids)).toEqual(sorted(storedIds('COMPANY')));
		expect(sorted(subscriptions.ids)).toEqual(sorted(storedIds('SUBSCRIPTION')));
		expect(subscriptions.pages).toBe(2);
		expect(refusals()).toBe(before);
		expect(users.retries + companies.retries + subscriptions.retries).toBe(0);
	});

	it('walks the companies for memberships and invoices, never faster than AppDirect’s bucket', async () => {
		const companyIds: string[] = storedIds('COMPANY').slice(1, 31);
		const before = refusals();
		const started = Date.now();
		const memberships: string[] = [];
		const invoices: string[] = [];
		for (const companyId of companyIds) {
			memberships.push(...(await list('MEMBERSHIP', { companyId })).ids.map(String));
			invoices.push(...(await list('INVOICE', { companyId })).ids.map(String));
		}
		const elapsed = Date.now() - started;
		expect(memberships).toHaveLength(30 * 5);
		expect(new Set(memberships).size).toBe(150);
		expect(sorted(invoices)).toEqual(sorted(companyIds.flatMap((companyId) => storedIds('INVOICE', companyId))));
		// 60 requests: 19 at once, then 5 per second.
		expect(elapsed).toBeGreaterThanOrEqual(((60 - 19) / 5) * 1000);
		expect(refusals()).toBe(before);
	});

	it('reads X-Total-Count when AppDirect sends it', async () => {
		api.configureLists({ totalCount: 'always' });
		const subscriptions = await list('SUBSCRIPTION');
		expect(sorted(subscriptions.ids)).toEqual(sorted(storedIds('SUBSCRIPTION')));
	});

	it('applies the filters: status, and Modified Since as lastModified', async () => {
		const suspended = await list('SUBSCRIPTION', { filters: { status: 'SUSPENDED' } });
		const expected = storedIds('SUBSCRIPTION').filter((id) => api.resource(`/api/billing/v1/subscriptions/${id}`).status === 'SUSPENDED');
		expect(sorted(suspended.ids)).toEqual(sorted(expected));
		const path = api.paths('USER')[77];
		api.setResource(path, { ...api.resource(path), lastName: 'Renamed' });
		const changed = await list('USER', { filters: { modifiedSince: new Date(api.modifiedAt(path)).toISOString() } });
		expect(changed.ids).toEqual([path.split('/').pop()]);
	});

	it('stops at the limit', async () => {
		const users = await list('USER', { limit: 150 });
		expect(users.ids).toHaveLength(150);
		expect(users.pages).toBe(2);
	});
});

describe('429 from AppDirect', () => {
	it('is waited out as Retry-After says, and the listing completes', async () => {
		api.rateLimit({ size: 4, perSecond: 4 });
		const users = await list('USER');
		expect(users.retries).toBeGreaterThan(0);
		expect(sorted(users.ids)).toEqual(sorted(storedIds('USER')));
	});

	it('is waited out with a backoff when Retry-After is missing', async () => {
		api.rateLimit({ size: 4, perSecond: 4, retryAfter: false });
		const users = await list('USER');
		expect(users.retries).toBeGreaterThan(0);
		expect(sorted(users.ids)).toEqual(sorted(storedIds('USER')));
	});
});

describe('a failing page in the middle', () => {
	it('stops the listing with a clear error instead of returning part of the list', async () => {
		api.onListPage((page: any) => {
			if (page.list === 'users' && page.query.page === '2') api.answer('/api/account/v2/users', { status: 200, text: '<html>Maintenance</html>' });
		});
		try {
			await expect(list('USER')).rejects.toThrow(new ListingError('not-json', '/api/account/v2/users, page 3: the answer is not JSON (it starts "<html>Maintenance</html>")'));
		} finally {
			api.answer('/api/account/v2/users', null);
		}
	});

	it('stops on a refused page (403) with its status, without retrying', async () => {
		api.onListPage((page: any) => {
			if (page.list === 'users') api.answer('/api/account/v2/users', { status: 403, body: { code: 'FORBIDDEN', message: 'No' } });
		});
		try {
			const error = await list('USER').catch((caught) => caught);
			expect(error).toBeInstanceOf(ListingError);
			expect(error).toMatchObject({ reason: 'refused', status: 403, message: '/api/account/v2/users: AppDirect answered 403, which waiting does not change' });
		} finally {
			api.answer('/api/account/v2/users', null);
		}
	});
});

describe('a list that changes while it is read', () => {
	it('a user added meanwhile is listed once, and no other is lost or doubled', async () => {
		const before = storedIds('USER');
		const template = api.resource(api.paths('USER')[5]);
		api.onListPage((page: any) => {
			if (page.list === 'users' && page.query.page === '1') {
				api.setResource('/api/account/v1/users/added-meanwhile', { ...template, id: 'added-meanwhile', creationDate: Date.now() });
			}
		});
		try {
			const users = await list('USER');
			expect(sorted(users.ids)).toEqual(sorted([...before, 'added-meanwhile']));
			expect(users.grew).toBe(true);
		} finally {
			api.removeResource('/api/account/v1/users/added-meanwhile');
		}
	});

	it('a user removed meanwhile stops the listing: the pages shifted and one user would be missed', async () => {
		const victim = api.paths('USER')[20];
		const content = api.resource(victim);
		api.onListPage((page: any) => {
			if (page.list === 'users' && page.query.page === '1') api.removeResource(victim);
		});
		try {
			const error = await list('USER').catch((caught) => caught);
			expect(error).toMatchObject({ reason: 'totals-shrank' });
			expect(error.message).toBe(
				'/api/account/v2/users, page 2: totalElements went down from 751 to 750 during the listing, so items may have moved to pages already read; list again',
			);
			// Carrying on (onShift "flag") shows why: the user that moved back onto page 1, read
			// already, is never seen, while the removed one (read on page 0) is listed.
			api.setResource(victim, content);
			const flagged = await list('USER', { onShift: 'flag' });
			expect(flagged.shifted).toBe(true);
			expect(flagged.ids).toContain(victim.split('/').pop());
			const missed = storedIds('USER').filter((id) => !flagged.ids.includes(id));
			expect(missed).toHaveLength(1);
		} finally {
			api.setResource(victim, content);
		}
	});
});
