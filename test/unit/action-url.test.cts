import { identifyResource, idLabel, idNames, READABLE_RESOURCES, restUrl } from '../../nodes/AppDirect/helpers/resource-url';
import { targetOf } from '../../nodes/AppDirect/helpers/target';
import { findResource, RESOURCES } from '../../nodes/AppDirect/shared/catalog';
import { sampleNotification } from '../helpers/samples.cjs';

const MARKETPLACE = 'https://marketplace.example.com';

describe('the resource types Get offers', () => {
	it('are the catalog’s types with a REST path, products once', () => {
		expect(READABLE_RESOURCES.map((resource) => resource.type)).toEqual([
			'SUBSCRIPTION', 'USER', 'COMPANY', 'MEMBERSHIP', 'ORDER', 'INVOICE', 'APP_ASSIGNMENT', 'CATALOG_PRODUCT',
		]);
	});

	it('name their ids as the node panel does', () => {
		expect(idNames(findResource('MEMBERSHIP')!)).toEqual(['companyId', 'userId']);
		expect(idNames(findResource('USER')!)).toEqual(['id']);
		expect(['id', 'companyId', 'userId'].map(idLabel)).toEqual(['ID', 'Company ID', 'User ID']);
	});
});

describe('restUrl', () => {
	it('builds each readable type’s URL from the catalog, as the samples spell it', () => {
		for (const resource of READABLE_RESOURCES) {
			const url: string = sampleNotification(`${resource.type.toLowerCase()}.added`).resource.url;
			const segments = url.split('/');
			const ids =
				resource.type === 'MEMBERSHIP'
					? { companyId: segments[segments.length - 3], userId: segments[segments.length - 1] }
					: { id: segments[segments.length - 1] };
			expect(restUrl(MARKETPLACE, resource, ids)).toEqual({ ok: true, value: url });
		}
	});

	it('percent-encodes ids into one path segment and trims them', () => {
		expect(restUrl(MARKETPLACE, findResource('USER')!, { id: ' a/../b?c#d ' })).toEqual({
			ok: true,
			value: `${MARKETPLACE}/api/account/v1/users/a%2F..%2Fb%3Fc%23d`,
		});
		expect(restUrl(MARKETPLACE, findResource('CATALOG_PRODUCT')!, { id: 2381 })).toEqual({
			ok: true,
			value: `${MARKETPLACE}/api/marketplace/v1/products/2381`,
		});
	});

	it('says which id is missing', () => {
		expect(restUrl(MARKETPLACE, findResource('COMPANY')!, { id: '' })).toEqual({
			ok: false,
			problem: 'ID is empty: enter the id of the company to read',
		});
		expect(restUrl(MARKETPLACE, findResource('MEMBERSHIP')!, { companyId: 'c1' })).toEqual({
			ok: false,
			problem: 'User ID is empty: enter the id of the membership to read',
		});
		expect(restUrl(MARKETPLACE, findResource('DISCOUNT')!, { id: 'x' })).toEqual({
			ok: false,
			problem: 'AppDirect documents no REST URL for discounts',
		});
	});
});

describe('identifyResource', () => {
	it('recognises every sample URL with a catalog REST path, products as catalog products', () => {
		for (const resource of RESOURCES.filter((spec) => spec.restPath)) {
			const url = new URL(sampleNotification(`${resource.type.toLowerCase()}.added`).resource.url);
			const expectedType = resource.type === 'STAGING_PRODUCT' ? 'CATALOG_PRODUCT' : resource.type;
			expect(identifyResource(url.pathname)).toEqual({
				resourceType: expectedType,
				resourceId: url.pathname.split('/').pop(),
			});
		}
	});

	it('tells a membership from its company, accepts a trailing slash and decodes the id', () => {
		expect(identifyResource('/api/account/v1/companies/c1/users/u%201')).toEqual({ resourceType: 'MEMBERSHIP', resourceId: 'u 1' });
		expect(identifyResource('/api/account/v1/companies/c1/')).toEqual({ resourceType: 'COMPANY', resourceId: 'c1' });
		expect(identifyResource('/api/account/v1/companies/%zz')).toEqual({ resourceType: 'COMPANY', resourceId: '%zz' });
	});

	it('leaves paths the catalog does not know untyped, with their last segment as id', () => {
		expect(identifyResource('/api/billing/v1/discounts/d1')).toEqual({ resourceType: null, resourceId: 'd1' });
		expect(identifyResource('/api/account/v1/companies/c1/users')).toEqual({ resourceType: null, resourceId: 'users' });
		expect(identifyResource('/api/')).toEqual({ resourceType: null, resourceId: 'api' });
	});
});

describe('targetOf', () => {
	const parameters = (values: Record<string, unknown>) => (name: string) => values[name] ?? '';

	it('Get Current State checks the URL and identifies it', () => {
		const url = sampleNotification('membership.changed').resource.url;
		expect(targetOf('getCurrentState', parameters({ resourceUrl: url }), MARKETPLACE)).toEqual({
			ok: true,
			value: { url, resourceType: 'MEMBERSHIP', resourceId: '0d3f6b2a-8c4e-4f1a-b2d7-5e9a1c3b7f21' },
		});
		expect(targetOf('getCurrentState', parameters({ resourceUrl: 'https://evil.example/api/x' }), MARKETPLACE)).toMatchObject({
			ok: false,
			problem: expect.stringMatching(/^Refused to send the AppDirect API token to https:\/\/evil\.example:/),
		});
	});

	it('Get builds the URL from the catalog and keeps the chosen type', () => {
		expect(targetOf('get', parameters({ resourceType: 'CATALOG_PRODUCT', id: '2381' }), MARKETPLACE)).toEqual({
			ok: true,
			value: { url: `${MARKETPLACE}/api/marketplace/v1/products/2381`, resourceType: 'CATALOG_PRODUCT', resourceId: '2381' },
		});
		expect(targetOf('get', parameters({ resourceType: 'STAGING_PRODUCT', id: '1' }), MARKETPLACE)).toMatchObject({
			ok: false,
			problem: expect.stringMatching(/^Resource Type "STAGING_PRODUCT" cannot be read; choose one of SUBSCRIPTION, USER, COMPANY/),
		});
	});
});
