// Get Many's items: a listed resource gets the single read's URL and the catalog's flat fields,
// and Get Many's own inputs (limit, Modified Since) are read strictly.
import { NodeHelpers, type INode, type INodeParameters } from 'n8n-workflow';
import { AppDirect } from '../../nodes/AppDirect/AppDirect.node';
import { limitOf, modifiedSinceOf } from '../../nodes/AppDirect/helpers/list';
import { listEndpointOf } from '../../nodes/AppDirect/listing/endpoints';
import { ListingError } from '../../nodes/AppDirect/listing/error';
import { NOT_IN_LISTS, resourceUrlOf, toListedItem } from '../../nodes/AppDirect/listing/items';
import { RESOURCES } from '../../nodes/AppDirect/shared/catalog';

const MARKETPLACE = 'https://marketplace.example.com';
const AT = '2026-01-31T00:00:00.000Z';
const context = { marketplace: MARKETPLACE, fetchedAt: AT };

describe('a listed resource as an item', () => {
	it('a user from the account v2 list: the v1 URL Get Current State reads, and the same flat fields', () => {
		const listed = {
			uuid: 'u-1',
			email: 'ada@example.com',
			userName: 'ada',
			firstName: 'Ada',
			lastName: 'Okafor',
			activated: true,
			creationDate: 1735689601000,
			externalId: 'x-1',
			locale: 'en_US',
			links: [{ rel: 'self', href: `${MARKETPLACE}/api/account/v2/users/u-1` }],
		};
		expect(toListedItem(listEndpointOf('USER'), listed, context)).toEqual({
			resourceType: 'USER',
			resourceId: 'u-1',
			resourceUrl: `${MARKETPLACE}/api/account/v1/users/u-1`,
			marketplaceUrl: MARKETPLACE,
			exists: true,
			fetchedAt: AT,
			email: 'ada@example.com',
			firstName: 'Ada',
			lastName: 'Okafor',
			username: 'ada',
			status: null,
			locale: 'en_US',
			phoneNumber: null,
			externalId: 'x-1',
			companyId: null,
			companyName: null,
			createdAt: '2025-01-01T00:00:01.000Z',
			content: listed,
		});
	});

	it('a company: companySize, phoneNumber and address read where the list puts them', () => {
		const listed = { uuid: 'c-1', name: 'Acme', enabled: true, companySize: 'SIZE_1_49', phoneNumber: '+1 555', address: { city: 'Springfield', country: 'US' }, website: null };
		expect(toListedItem(listEndpointOf('COMPANY'), listed, context)).toMatchObject({
			resourceUrl: `${MARKETPLACE}/api/account/v1/companies/c-1`,
			name: 'Acme',
			enabled: true,
			size: 'SIZE_1_49',
			phoneNumber: '+1 555',
			city: 'Springfield',
			country: 'US',
			status: null,
		});
	});

	it('a membership: company and user ids in the v1 URL, from the item or else from the company listed', () => {
		const endpoint = listEndpointOf('MEMBERSHIP');
		const listed = { user: { uuid: 'u/1', email: 'a@b.example', firstName: 'A', lastName: 'B' }, company: { uuid: 'c-1' }, enabled: true, roles: ['ROLE_USER'] };
		expect(toListedItem(endpoint, listed, context)).toMatchObject({
			resourceId: 'u/1',
			resourceUrl: `${MARKETPLACE}/api/account/v1/companies/c-1/users/u%2F1`,
			companyId: 'c-1',
			userId: 'u/1',
			email: 'a@b.example',
			roles: ['ROLE_USER'],
		});
		expect(resourceUrlOf(endpoint, { ...listed, company: undefined }, { ...context, companyId: 'c-9' })).toBe(`${MARKETPLACE}/api/account/v1/companies/c-9/users/u%2F1`);
	});

	it('a subscription of the marketplace-wide list, order embedded as in its example', () => {
		const listed = { id: 's-1', status: 'ACTIVE', company: { id: 'c-1' }, _embedded: { order: { frequency: 'MONTHLY', currency: 'USD', totalPrice: 12 } } };
		expect(toListedItem(listEndpointOf('SUBSCRIPTION'), listed, context)).toMatchObject({
			resourceUrl: `${MARKETPLACE}/api/billing/v1/subscriptions/s-1`,
			status: 'ACTIVE',
			companyId: 'c-1',
			frequency: 'MONTHLY',
			currency: 'USD',
			totalPrice: 12,
		});
	});

	it("an invoice: its numeric id as text, its own self link, never a link to another host", () => {
		const endpoint = listEndpointOf('INVOICE');
		const listed = { invoiceId: 500001, status: 'PAID', total: 10, currency: 'USD', creationDate: 1735689640000, dueDate: 1738281640000, links: [{ rel: 'self', href: `${MARKETPLACE}/api/billing/v1/invoices/500001` }] };
		expect(toListedItem(endpoint, listed, context)).toMatchObject({
			resourceId: '500001',
			resourceUrl: `${MARKETPLACE}/api/billing/v1/invoices/500001`,
			status: 'PAID',
			total: 10,
			invoiceDate: '2025-01-01T00:00:40.000Z',
			dueDate: '2025-01-31T00:00:40.000Z',
			invoiceNumber: null,
		});
		expect(resourceUrlOf(endpoint, { links: [{ rel: 'self', href: 'https://elsewhere.example/api/billing/v1/invoices/1' }] }, context)).toBeNull();
		expect(resourceUrlOf(endpoint, { links: 'none' }, context)).toBeNull();
	});

	it('names only catalog fields as missing from lists', () => {
		for (const [type, names] of Object.entries(NOT_IN_LISTS)) {
			const fields = RESOURCES.find((resource) => resource.type === type)!.fields.map((field) => field.name);
			for (const name of names) expect(fields).toContain(name);
		}
	});
});

describe("Get Many's inputs", () => {
	it('Limit: a whole number of at least 1', () => {
		expect(limitOf(50)).toBe(50);
		expect(limitOf('7')).toBe(7);
		for (const bad of [0, -1, 2.5, 'many', '', null, undefined]) expect(() => limitOf(bad)).toThrow(ListingError);
	});

	it('Modified Since: the date picker has no zone and is read as UTC; other forms pass on for the filter to check', () => {
		expect(modifiedSinceOf('2026-01-31T00:00:00')).toBe('2026-01-31T00:00:00Z');
		expect(modifiedSinceOf('2026-01-31T00:00:00+02:00')).toBe('2026-01-31T00:00:00+02:00');
		expect(modifiedSinceOf(1735689600000)).toBe(1735689600000);
		expect(modifiedSinceOf({ toISO: () => '2026-01-31T00:00:00.000+01:00' })).toBe('2026-01-31T00:00:00.000+01:00');
		expect(modifiedSinceOf('yesterday')).toBe('yesterday');
		for (const empty of ['', null, undefined]) expect(modifiedSinceOf(empty)).toBeUndefined();
	});
});

describe("Get Many's fields in the editor", () => {
	const description = new AppDirect().description;
	const shown = (parameters: INodeParameters) => {
		const instance: INode = { id: 'n1', name: 'AppDirect', type: 'n8n-nodes-appdirect.appDirect', typeVersion: 1, position: [0, 0], parameters };
		return NodeHelpers.getNodeParameters(description.properties, parameters, true, false, instance, description) ?? {};
	};

	it('a new Get Many lists 50 users, with Modified Since as its only filter', () => {
		const parameters = shown({ operation: 'getAll' });
		expect(parameters).toMatchObject({ operation: 'getAll', resourceType: 'USER', returnAll: false, limit: 50, filters: {} });
		expect(parameters).not.toHaveProperty('companies');
		const filters = description.properties.filter((property) => property.name === 'filters');
		const userFilters = filters.find((property) => property.displayOptions?.show?.resourceType?.includes('USER'));
		expect(userFilters?.options?.map((option) => option.name)).toEqual(['modifiedSince']);
	});

	it('Return All hides Limit; invoices offer one company or all, and a status but no Modified Since', () => {
		expect(shown({ operation: 'getAll', returnAll: true })).not.toHaveProperty('limit');
		const invoices = shown({ operation: 'getAll', resourceType: 'INVOICE', companies: 'one', companyId: 'c-1' });
		expect(invoices).toMatchObject({ companies: 'one', companyId: 'c-1' });
		const filters = description.properties.filter((property) => property.name === 'filters');
		const invoiceFilters = filters.find((property) => property.displayOptions?.show?.resourceType?.includes('INVOICE'));
		expect(invoiceFilters?.options?.map((option) => option.name)).toEqual(['status']);
		expect(shown({ operation: 'getAll', resourceType: 'COMPANY' })).not.toHaveProperty('filters');
	});

	it('keeps the filters of the chosen type when the workflow is saved', () => {
		const saved = shown({ operation: 'getAll', resourceType: 'SUBSCRIPTION', filters: { modifiedSince: '2026-01-01T00:00:00', status: 'ACTIVE' } });
		expect(saved.filters).toEqual({ modifiedSince: '2026-01-01T00:00:00', status: 'ACTIVE' });
	});
});
