import { ENVELOPE_FIELDS, EVENTS, RESOURCES, eventName, findResource, titleOf } from '../../nodes/AppDirect/shared/catalog';
import { sampleTypes } from '../helpers/samples.cjs';

describe('catalog', () => {
	it('keeps every stored event name (renaming one would break users’ workflows)', () => {
		// Written out by hand on purpose: a change here must be a deliberate, visible decision.
		expect(EVENTS.map((event) => event.name)).toEqual([
			'subscription.added', 'subscription.changed', 'subscription.removed',
			'user.added', 'user.changed', 'user.removed',
			'company.added', 'company.changed', 'company.removed',
			'membership.added', 'membership.changed', 'membership.removed',
			'order.added', 'order.changed', 'order.removed',
			'invoice.added', 'invoice.changed', 'invoice.removed',
			'app_assignment.added', 'app_assignment.changed', 'app_assignment.removed',
			'payment_instrument.added', 'payment_instrument.changed',
			'catalog_product.added', 'catalog_product.changed', 'catalog_product.removed',
			'staging_product.added', 'staging_product.changed',
			'discount.added', 'discount.changed', 'discount.removed',
			'sales_lead.added', 'sales_lead.changed', 'sales_lead.removed',
			'sales_opportunity.added', 'sales_opportunity.changed',
			'quote.added', 'quote.changed', 'quote.removed',
			'reseller_registrant.added',
		]);
	});

	it('names events and outputs the way users read them', () => {
		expect(eventName('APP_ASSIGNMENT', 'CHANGED')).toBe('app_assignment.changed');
		expect(titleOf('app_assignment.changed')).toBe('App Assignment Changed');
		expect(titleOf('sales_lead')).toBe('Sales Lead');
		expect(EVENTS.find((event) => event.name === 'user.removed')?.displayName).toBe('User Removed');
	});

	it('has unique resource types and a sample notification for each', () => {
		const types = RESOURCES.map((resource) => resource.type);
		expect(new Set(types).size).toBe(types.length);
		expect(sampleTypes()).toEqual(types.map((type) => type.toLowerCase()).sort());
		expect(findResource('USER')?.plural).toBe('users');
		expect(findResource('WIDGET')).toBeUndefined();
	});

	it.each(RESOURCES.map((resource) => [resource.type, resource] as const))(
		'%s fields are unique and never shadow the envelope fields',
		(_type, resource) => {
			const names = resource.fields.map((field) => field.name);
			expect(new Set(names).size).toBe(names.length);
			const reserved = new Set([...ENVELOPE_FIELDS.map((field) => field.name), 'content', 'notification', 'headers']);
			for (const name of names) expect(reserved.has(name)).toBe(false);
			for (const field of resource.fields) expect(Boolean(field.paths?.length) || Boolean(field.urlPattern)).toBe(true);
		},
	);
});
