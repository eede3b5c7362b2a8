// The list endpoints and their filters, as AppDirect's OpenAPI files document them.
import { RESOURCES } from '../../nodes/AppDirect/shared/catalog';
import { LIST_ENDPOINTS, listEndpointOf, listPath, listableTypes } from '../../nodes/AppDirect/listing/endpoints';
import { ListingError } from '../../nodes/AppDirect/listing/error';
import { epochMillisOf, filterQuery } from '../../nodes/AppDirect/listing/query';

function reasonOf(run: () => unknown): string {
	try {
		run();
	} catch (error) {
		if (error instanceof ListingError) return error.reason;
		throw error;
	}
	return 'no error';
}

describe('the list endpoints', () => {
	it('cover users, companies, memberships, subscriptions and invoices, all catalog types', () => {
		expect(listableTypes()).toEqual(['USER', 'COMPANY', 'MEMBERSHIP', 'SUBSCRIPTION', 'INVOICE']);
		const catalogTypes = new Set(RESOURCES.map((resource) => resource.type));
		for (const endpoint of LIST_ENDPOINTS) expect(catalogTypes.has(endpoint.resourceType)).toBe(true);
	});

	it('use page/size for the account API and start/count for billing', () => {
		expect(LIST_ENDPOINTS.map((endpoint) => [endpoint.resourceType, endpoint.paging, endpoint.pageSize])).toEqual([
			['USER', 'page', 100],
			['COMPANY', 'page', 100],
			['MEMBERSHIP', 'page', 100],
			['SUBSCRIPTION', 'start', 250],
			['INVOICE', 'start', 250],
		]);
	});

	it('list subscriptions for the whole marketplace or one company; memberships and invoices per company', () => {
		expect(listPath(listEndpointOf('SUBSCRIPTION'))).toBe('/api/billing/v1/subscriptions');
		expect(listPath(listEndpointOf('SUBSCRIPTION'), 'c 1/2')).toBe('/api/billing/v1/companies/c%201%2F2/subscriptions');
		expect(listPath(listEndpointOf('INVOICE'), 'abc')).toBe('/api/billing/v1/companies/abc/invoices');
		expect(listPath(listEndpointOf('MEMBERSHIP'), 'abc')).toBe('/api/account/v2/companies/abc/memberships');
		expect(reasonOf(() => listPath(listEndpointOf('INVOICE')))).toBe('bad-filter');
		expect(reasonOf(() => listPath(listEndpointOf('USER'), 'abc'))).toBe('filter-not-offered');
	});

	it('name what can be listed when asked for something else', () => {
		expect(() => listEndpointOf('QUOTE')).toThrow('AppDirect has no documented list of quotes; lists exist for USER, COMPANY, MEMBERSHIP, SUBSCRIPTION, INVOICE');
		expect(() => listEndpointOf('NOPE')).toThrow('"NOPE" is not an AppDirect resource type');
	});
});

describe('the filters', () => {
	const users = listEndpointOf('USER');
	const subscriptions = listEndpointOf('SUBSCRIPTION');

	it('send Modified Since as lastModified in epoch milliseconds', () => {
		expect(filterQuery(users, { modifiedSince: '2026-01-31T00:00:00Z' })).toEqual({ lastModified: '1769817600000' });
		expect(filterQuery(users, { modifiedSince: '2026-01-31T01:00:00+01:00' })).toEqual({ lastModified: '1769817600000' });
		expect(filterQuery(subscriptions, { modifiedSince: 1769817600000 })).toEqual({ lastModified: '1769817600000' });
		expect(filterQuery(subscriptions, { modifiedSince: new Date(1769817600000) })).toEqual({ lastModified: '1769817600000' });
		expect(filterQuery(users, { modifiedSince: '2026-01-31' })).toEqual({ lastModified: '1769817600000' });
	});

	it('send a status only where AppDirect filters on one, in its spelling', () => {
		expect(filterQuery(subscriptions, { status: 'suspended' })).toEqual({ status: 'SUSPENDED' });
		expect(filterQuery(listEndpointOf('INVOICE'), { status: 'UNPAID', modifiedSince: '' })).toEqual({ status: 'UNPAID' });
		expect(filterQuery(users, {})).toEqual({});
	});

	it('refuse a filter the list does not have rather than list everything', () => {
		expect(() => filterQuery(listEndpointOf('COMPANY'), { modifiedSince: '2026-01-31T00:00:00Z' })).toThrow(
			'AppDirect cannot filter COMPANY by modification date; list them all instead',
		);
		expect(reasonOf(() => filterQuery(listEndpointOf('INVOICE'), { modifiedSince: 1 }))).toBe('filter-not-offered');
		expect(reasonOf(() => filterQuery(users, { status: 'ACTIVE' }))).toBe('filter-not-offered');
	});

	it('refuse a date or status it cannot read, saying what it wants', () => {
		expect(() => filterQuery(users, { modifiedSince: 'yesterday' })).toThrow(
			'Modified Since "yesterday" is not a date: use ISO 8601 with a time zone (2026-01-31T00:00:00Z) or epoch milliseconds',
		);
		// Without a zone the server's clock would decide what it means.
		expect(reasonOf(() => filterQuery(users, { modifiedSince: '2026-01-31T10:00:00' }))).toBe('bad-filter');
		expect(() => filterQuery(subscriptions, { status: 'PAID' })).toThrow(
			'Status "PAID" is not one of INITIALIZED, FAILED, FREE_TRIAL, FREE_TRIAL_EXPIRED, ACTIVE, SUSPENDED, CANCELLED',
		);
	});

	it('read dates', () => {
		expect(epochMillisOf('1769817600000')).toBe(1769817600000);
		expect(epochMillisOf(-1)).toBeUndefined();
		expect(epochMillisOf(Number.NaN)).toBeUndefined();
		expect(epochMillisOf(new Date('nonsense'))).toBeUndefined();
		expect(epochMillisOf('2026-02-30T00:00:00Z')).toBeUndefined();
		expect(epochMillisOf('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
		expect(epochMillisOf('2026-13-01')).toBeUndefined();
	});
});
