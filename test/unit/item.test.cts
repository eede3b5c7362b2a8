import { ENVELOPE_FIELDS, FETCHED_FIELDS, RESOURCES } from '../../nodes/AppDirect/shared/catalog';
import { notificationOf } from '../../nodes/AppDirect/helpers/notification';
import { safeHeaders, SECONDS_BELOW, toEpoch, toFetchedItem, toItem } from '../../nodes/AppDirect/shared/item';
import { checkResourceUrl } from '../../nodes/AppDirect/transport/origin';
import { parseNotification, type ParsedNotification } from '../../nodes/AppDirect/trigger/parse';
import { largeSubscription, sampleNotification } from '../helpers/samples.cjs';

function parsed(body: unknown): ParsedNotification {
	const result = parseNotification(JSON.stringify(body));
	if (!result.ok) throw new Error(result.problem);
	return result.notification;
}

const itemFor = (event: string) => toItem(parsed(sampleNotification(event)));

describe('toItem', () => {
	it('builds the documented subscription item', () => {
		const body = sampleNotification('subscription.added');
		expect(toItem(parsed(body))).toEqual({
			event: 'subscription.added',
			resourceType: 'SUBSCRIPTION',
			action: 'ADDED',
			notificationId: '6f0c0c4e-2b0e-4a57-9a53-1f3a1e2b9c10',
			timestamp: 1764230400000,
			occurredAt: '2025-11-27T08:00:00.000Z',
			resourceId: 'b7d2f0a4-6c1e-4b8f-9d3a-2e5f7a9c1d00',
			resourceUrl: 'https://marketplace.example.com/api/billing/v1/subscriptions/b7d2f0a4-6c1e-4b8f-9d3a-2e5f7a9c1d00',
			marketplaceUrl: 'https://marketplace.example.com',
			status: 'ACTIVE',
			companyId: '3a9e1c7b-5d2f-4b8e-a6c1-9f0d2e4b6a83',
			userId: '0d3f6b2a-8c4e-4f1a-b2d7-5e9a1c3b7f21',
			productId: '2381',
			editionId: '5190',
			frequency: 'MONTHLY',
			currency: 'USD',
			totalPrice: 149.75,
			nextBillingDate: '2025-12-28T08:00:00.000Z',
			maxUsers: 25,
			externalAccountId: 'acme-tenant-0042',
			parentSubscriptionId: null,
			createdAt: '2025-11-27T07:59:55.000Z',
			endsAt: null,
			content: body.resource.content,
		});
	});

	it('flattens users, companies, invoices, assignments and products', () => {
		expect(itemFor('user.added')).toMatchObject({
			email: 'maria.lopez@acme-corp.example',
			firstName: 'Maria',
			lastName: 'Lopez',
			status: 'ACTIVE',
			locale: 'en_US',
			phoneNumber: '+1 415 555 0142',
			companyId: '3a9e1c7b-5d2f-4b8e-a6c1-9f0d2e4b6a83',
			companyName: 'Acme Corp',
			externalId: null,
		});
		expect(itemFor('company.changed')).toMatchObject({ name: 'Acme Corp', enabled: true, city: 'San Francisco', country: 'US', externalId: 'CRM-ACME-001' });
		expect(itemFor('invoice.added')).toMatchObject({ invoiceNumber: 'INV-2026-000481', status: 'UNPAID', total: 149.75, dueDate: '2025-12-28T08:00:00.000Z' });
		expect(itemFor('order.added')).toMatchObject({ status: 'PENDING_REMOTE_CREATION', currency: 'EUR', totalPrice: 1188, frequency: 'YEARLY' });
		expect(itemFor('app_assignment.added')).toMatchObject({ subscriptionId: 'b7d2f0a4-6c1e-4b8f-9d3a-2e5f7a9c1d00', userId: '0d3f6b2a-8c4e-4f1a-b2d7-5e9a1c3b7f21' });
		expect(itemFor('catalog_product.added')).toMatchObject({ productName: 'Acme Projects', productId: '2381', productRefId: 'ACME-PROJECTS', vendorName: 'Acme Software Ltd.' });
		expect(itemFor('staging_product.changed')).toMatchObject({ event: 'staging_product.changed', productName: 'Acme Projects' });
	});

	it('takes a membership’s company and user from its URL, also on removal', () => {
		const item = itemFor('membership.removed');
		expect(item).toMatchObject({
			event: 'membership.removed',
			action: 'REMOVED',
			companyId: '3a9e1c7b-5d2f-4b8e-a6c1-9f0d2e4b6a83',
			userId: '0d3f6b2a-8c4e-4f1a-b2d7-5e9a1c3b7f21',
			email: null,
			roles: null,
			content: null,
		});
	});

	it('keeps a malformed %-escape in a membership URL as it stands', () => {
		const body = sampleNotification('membership.changed');
		body.resource.url = 'https://marketplace.example.com/api/account/v1/companies/%zz/users/a%20b';
		expect(toItem(parsed(body))).toMatchObject({ companyId: '%zz', userId: 'a b' });
	});

	it.each(RESOURCES.map((resource) => [resource.type.toLowerCase()]))(
		'%s: removals keep the envelope, content is null, every field key is present',
		(prefix) => {
			const resource = RESOURCES.find((candidate) => candidate.type.toLowerCase() === prefix)!;
			const added = itemFor(`${prefix}.added`);
			const removed = toItem(parsed({ ...sampleNotification(`${prefix}.added`), resourceAction: 'REMOVED', resource: { ...sampleNotification(`${prefix}.removed`).resource } }));
			for (const field of resource.fields) {
				expect(added).toHaveProperty(field.name);
				expect(removed).toHaveProperty(field.name);
			}
			expect(removed.content).toBeNull();
			expect(removed.resourceId).toBe(added.resourceId);
			expect(Object.keys(added).slice(-1)).toEqual(['content']);
		},
	);

	it('keeps unknown types with their content and no extra fields', () => {
		const body = sampleNotification('user.added');
		body.resource.type = 'SUPPORT_TICKET';
		const item = toItem(parsed(body));
		expect(item.event).toBe('support_ticket.added');
		expect(item.email).toBeUndefined();
		expect(item.content).toEqual(body.resource.content);
	});

	it('tolerates content of the wrong shape', () => {
		const body = sampleNotification('subscription.added');
		body.resource.content = { status: 7, order: 'none', company: null, creationDate: 'not a date', endDate: '20251127', maxUsers: '25' };
		expect(toItem(parsed(body))).toMatchObject({
			status: '7',
			frequency: null,
			companyId: null,
			createdAt: 'not a date',
			endsAt: '20251127',
			maxUsers: null,
		});
		body.resource.content = ['a list'];
		expect(toItem(parsed(body)).status).toBeNull();
	});

	it('adds the raw notification and safe headers only when asked', () => {
		const body = sampleNotification('user.added');
		const plain = toItem(parsed(body));
		expect(plain).not.toHaveProperty('notification');
		expect(plain).not.toHaveProperty('headers');
		const full = toItem(parsed(body), {
			includeRawNotification: true,
			headers: { 'content-type': 'application/json', 'X-AppDirect-Webhook-Token': 's3cret', 'appdirect-webhook-token': 's3cret', authorization: 'Bearer x', Cookie: 'a=b', 'user-agent': 'AppDirect' },
		});
		expect(full.notification).toEqual(body);
		expect(full.headers).toEqual({ 'content-type': 'application/json', 'user-agent': 'AppDirect' });
		expect(JSON.stringify(full)).not.toContain('s3cret');
	});

	it('handles a subscription with 5,000 order lines', () => {
		const item = toItem(parsed(largeSubscription(5000)));
		expect((item.content as { order: { orderLines: unknown[] } }).order.orderLines).toHaveLength(5000);
		expect(item.totalPrice).toBe(149.75);
	});

	it('never lists secrets among safe headers, whatever their case', () => {
		expect(safeHeaders({ 'X-APPDIRECT-WEBHOOK-TOKEN': 'a', 'AppDirect-Webhook-Token': 'b', 'Proxy-Authorization': 'c', Accept: '*/*' })).toEqual({ accept: '*/*' });
	});
});

describe('toFetchedItem (the AppDirect node’s item)', () => {
	const FETCHED_AT = '2026-01-05T10:00:00.000Z';
	const fetched = (event: string, content: unknown, resourceType = parsed(sampleNotification(event)).resourceType) => {
		const body = sampleNotification(event);
		return toFetchedItem({
			resourceType,
			resourceId: 'id-from-url',
			resourceUrl: body.resource.url,
			exists: content !== null,
			fetchedAt: FETCHED_AT,
			content,
		});
	};

	it.each(RESOURCES.map((resource) => [resource.type.toLowerCase()]))(
		'%s: the same flat fields as the trigger’s item for the same content, without the envelope',
		(prefix) => {
			const notification = sampleNotification(`${prefix}.added`);
			const triggerItem = itemFor(`${prefix}.added`);
			const item = fetched(`${prefix}.added`, notification.resource.content);
			const resource = RESOURCES.find((candidate) => candidate.type.toLowerCase() === prefix)!;
			expect(Object.keys(item)).toEqual([...FETCHED_FIELDS.map((field) => field.name), ...resource.fields.map((field) => field.name), 'content']);
			for (const field of resource.fields) expect(item[field.name]).toEqual(triggerItem[field.name]);
			expect(item).toMatchObject({ resourceUrl: triggerItem.resourceUrl, marketplaceUrl: triggerItem.marketplaceUrl, exists: true, fetchedAt: FETCHED_AT });
			expect(item.content).toEqual(notification.resource.content);
			for (const field of ENVELOPE_FIELDS.filter((spec) => !FETCHED_FIELDS.some((own) => own.name === spec.name))) {
				expect(item).not.toHaveProperty(field.name);
			}
		},
	);

	it('a resource that does not exist: exists false, content and content fields null, URL fields kept', () => {
		expect(fetched('membership.changed', null)).toEqual({
			resourceType: 'MEMBERSHIP',
			resourceId: 'id-from-url',
			resourceUrl: sampleNotification('membership.changed').resource.url,
			marketplaceUrl: 'https://marketplace.example.com',
			exists: false,
			fetchedAt: FETCHED_AT,
			companyId: '3a9e1c7b-5d2f-4b8e-a6c1-9f0d2e4b6a83',
			userId: '0d3f6b2a-8c4e-4f1a-b2d7-5e9a1c3b7f21',
			email: null,
			firstName: null,
			lastName: null,
			roles: null,
			enabled: null,
			content: null,
		});
	});

	it('reads a product from AppDirect’s REST product definition (its GET answer) as well', () => {
		const definition = { id: 2381, uuid: 'e1d2c3b4-a596-4877-8a99-b0c1d2e3f405', name: 'Acme Projects', vendorName: 'Acme Software Ltd.' };
		expect(fetched('catalog_product.added', definition)).toMatchObject({
			productName: 'Acme Projects',
			productId: '2381',
			productUuid: 'e1d2c3b4-a596-4877-8a99-b0c1d2e3f405',
			productRefId: null,
			vendorName: 'Acme Software Ltd.',
		});
	});

	it('a URL of a type the catalog does not know: no flat fields, the content as returned', () => {
		const item = fetched('discount.added', { id: 'd1', code: 'SPRING' }, 'DISCOUNT');
		expect(Object.keys(item)).toEqual([...FETCHED_FIELDS.map((field) => field.name), 'content']);
		expect(Object.keys(fetched('discount.added', { id: 'd1' }, null as unknown as string))).toEqual([...FETCHED_FIELDS.map((field) => field.name), 'content']);
	});

	it('with the notification it was read for: the trigger’s item with the current state, plus exists and fetchedAt', () => {
		const body = sampleNotification('subscription.changed');
		const triggerItem = itemFor('subscription.changed');
		const current = { ...body.resource.content, status: 'SUSPENDED', maxUsers: 40 };
		const item = toFetchedItem(
			{ resourceType: 'SUBSCRIPTION', resourceId: triggerItem.resourceId as string, resourceUrl: body.resource.url, exists: true, fetchedAt: FETCHED_AT, content: current },
			notificationOf(triggerItem, body.resource.url),
		);
		const keys = Object.keys(triggerItem);
		const at = keys.indexOf('marketplaceUrl') + 1;
		expect(Object.keys(item)).toEqual([...keys.slice(0, at), 'exists', 'fetchedAt', ...keys.slice(at)]);
		expect(item).toEqual({ ...triggerItem, status: 'SUSPENDED', maxUsers: 40, content: current, exists: true, fetchedAt: FETCHED_AT });
	});
});

describe('notificationOf (what Get Current State keeps from its input item)', () => {
	const triggerItem = itemFor('subscription.changed');
	const url = triggerItem.resourceUrl as string;

	it('the envelope of the trigger’s item about the URL that was read', () => {
		expect(notificationOf(triggerItem, url)).toEqual({
			event: 'subscription.changed',
			action: 'CHANGED',
			notificationId: triggerItem.notificationId,
			timestamp: 1764230400000,
			occurredAt: '2025-11-27T08:00:00.000Z',
		});
		// The URL as the origin check normalises it.
		expect(notificationOf({ ...triggerItem, resourceUrl: `  ${url.replace('https://marketplace', 'HTTPS://Marketplace')}#x ` }, url)).toBeDefined();
	});

	it('nothing from an item about another resource, or one that is not a notification', () => {
		expect(notificationOf({ ...triggerItem, resourceUrl: `${url}0` }, url)).toBeUndefined();
		expect(notificationOf({ ...triggerItem, resourceUrl: undefined }, url)).toBeUndefined();
		expect(notificationOf({ ...triggerItem, event: undefined }, url)).toBeUndefined();
		expect(notificationOf({ ...triggerItem, event: '' }, url)).toBeUndefined();
		// The AppDirect node's own item (no event) read again: nothing is made up.
		expect(notificationOf({ resourceUrl: url, exists: true, status: 'ACTIVE' }, url)).toBeUndefined();
	});

	it('fields of the wrong type become null rather than passing through', () => {
		expect(notificationOf({ ...triggerItem, action: 7, notificationId: {}, timestamp: '1764230400000', occurredAt: null }, url)).toEqual({
			event: 'subscription.changed',
			action: null,
			notificationId: null,
			timestamp: null,
			occurredAt: null,
		});
	});
});

describe('toEpoch (every date field and the timestamp)', () => {
	const MS = 1764230400000; // 2025-11-27T08:00:00Z

	it('reads 10 and 11 digits as seconds, 12 to 16 as milliseconds, numbers and digit strings alike', () => {
		for (const value of [1764230400, '1764230400', ' 1764230400 ']) expect(toEpoch(value)).toBe(MS);
		for (const value of [MS, String(MS)]) expect(toEpoch(value)).toBe(MS);
		// The threshold: 10^11 seconds is the year 5138, 10^11 ms is March 1973.
		expect(SECONDS_BELOW).toBe(1e11);
		expect(toEpoch(SECONDS_BELOW - 1)).toBe((SECONDS_BELOW - 1) * 1000);
		expect(toEpoch(SECONDS_BELOW)).toBe(SECONDS_BELOW);
		expect(new Date(toEpoch(SECONDS_BELOW - 1)!).getUTCFullYear()).toBe(5138);
		expect(new Date(toEpoch(SECONDS_BELOW)!).toISOString()).toBe('1973-03-03T09:46:40.000Z');
		// Seconds with a fraction keep their milliseconds.
		expect(toEpoch(1764230400.25)).toBe(MS + 250);
	});

	it('gives null for what is not an epoch: fewer than 10 digits, more than 16, other text', () => {
		for (const value of [0, -1764230400, 20251127, '20251127', '123456789', 1e16, '12345678901234567', '1764230400.5', '2025-11-27', 'now', null, undefined, NaN, Infinity, true, {}]) {
			expect(toEpoch(value)).toBeNull();
		}
	});

	it('turns a notification sent in seconds into the same item as one sent in milliseconds', () => {
		const inMs = sampleNotification('subscription.added');
		const inSeconds = sampleNotification('subscription.added');
		inSeconds.timestamp = inMs.timestamp / 1000;
		const content = inSeconds.resource.content as Record<string, any>;
		content.creationDate = String(content.creationDate / 1000);
		content.order.nextBillingDate = content.order.nextBillingDate / 1000;
		const item = toItem(parsed(inSeconds));
		expect(item).toEqual({ ...toItem(parsed(inMs)), content });
		expect(item).toMatchObject({ timestamp: MS, occurredAt: '2025-11-27T08:00:00.000Z', createdAt: '2025-11-27T07:59:55.000Z', nextBillingDate: '2025-12-28T08:00:00.000Z' });
	});
});

describe('marketplaceUrl: one normal form for both nodes', () => {
	it('the trigger’s item and the AppDirect node’s item name the same marketplace for the same resource', () => {
		const body = sampleNotification('company.changed');
		const path = new URL(body.resource.url).pathname;
		for (const sent of [`https://Marketplace.EXAMPLE.com${path}`, `https://marketplace.example.com:443${path}`, `https://marketplace.example.com${path}`]) {
			const triggerItem = toItem(parsed({ ...body, resource: { ...body.resource, url: sent } }));
			const checked = checkResourceUrl(triggerItem.resourceUrl, 'https://marketplace.example.com');
			if (!checked.ok) throw new Error(checked.problem);
			const nodeItem = toFetchedItem({ resourceType: 'COMPANY', resourceId: 'x', resourceUrl: checked.value, exists: true, fetchedAt: '', content: {} });
			expect(triggerItem.marketplaceUrl).toBe('https://marketplace.example.com');
			expect(nodeItem.marketplaceUrl).toBe(triggerItem.marketplaceUrl);
		}
	});

	it('never keeps user info, and is null for what is not an http(s) URL', () => {
		const body = sampleNotification('company.changed');
		const at = (url: unknown) => toItem(parsed({ ...body, resource: { ...body.resource, url } })).marketplaceUrl;
		expect(at('https://user:secret@Marketplace.example.com/api/account/v1/companies/1')).toBe('https://marketplace.example.com');
		expect(at('http://127.0.0.1:8080/api/x')).toBe('http://127.0.0.1:8080');
		for (const url of ['ftp://marketplace.example.com/x', '/api/account/v1/companies/1', 'not a url', '']) expect(at(url)).toBeNull();
	});
});
