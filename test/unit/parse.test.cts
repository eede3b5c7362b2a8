import {
	MAX_DEPTH,
	nestedDeeperThan,
	normaliseAction,
	normaliseResourceType,
	parseNotification,
	requestBodyText,
} from '../../nodes/AppDirect/trigger/parse';
import { sampleNotification } from '../helpers/samples.cjs';

const text = (value: unknown) => JSON.stringify(value);

function problemOf(body: unknown): string {
	const result = parseNotification(body);
	if (result.ok) throw new Error('expected a problem');
	return result.problem;
}

describe('parseNotification', () => {
	it('reads a subscription notification from the request text', () => {
		const result = parseNotification(text(sampleNotification('subscription.added')));
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.notification).toMatchObject({
			resourceType: 'SUBSCRIPTION',
			action: 'ADDED',
			event: 'subscription.added',
			notificationId: '6f0c0c4e-2b0e-4a57-9a53-1f3a1e2b9c10',
			timestamp: 1764230400000,
			resourceId: 'b7d2f0a4-6c1e-4b8f-9d3a-2e5f7a9c1d00',
		});
	});

	it('accepts a body that starts with a byte order mark', () => {
		const result = parseNotification(`\ufeff${text(sampleNotification('user.added'))}`);
		expect(result.ok && result.notification.event).toBe('user.added');
	});

	it('accepts a body n8n already parsed', () => {
		const result = parseNotification(sampleNotification('user.changed'));
		expect(result.ok && result.notification.event).toBe('user.changed');
	});

	it.each([
		['', 'The request body is empty'],
		['   \n', 'The request body is empty'],
		['{"uuid": ', 'The request body is not valid JSON'],
		['<xml/>', 'The request body is not valid JSON'],
		['[]', 'The body must be a JSON object, got an array'],
		['"text"', 'The body must be a JSON object, got a string'],
		['42', 'The body must be a JSON object, got a number'],
		['null', 'The body must be a JSON object, got null'],
		['{}', 'resource is missing: this is not an AppDirect webhook notification'],
		['{"resource": "USER", "resourceAction": "ADDED"}', 'resource must be an object, got a string'],
		['{"resource": [], "resourceAction": "ADDED"}', 'resource must be an object, got an array'],
		['{"resource": {}, "resourceAction": "ADDED"}', 'resource.type is missing'],
		['{"resource": {"type": 7}, "resourceAction": "ADDED"}', 'resource.type must be a string, got a number'],
		['{"resource": {"type": ""}, "resourceAction": "ADDED"}', 'resource.type is empty'],
		['{"resource": {"type": "USER"}}', 'resourceAction is missing'],
		['{"resource": {"type": "USER"}, "resourceAction": null}', 'resourceAction is missing'],
		['{"resource": {"type": "USER"}, "resourceAction": {"a": 1}}', 'resourceAction must be a string, got an object'],
		['{"resource": {"type": "!!!"}, "resourceAction": "ADDED"}', 'resource.type has no letters or digits'],
		['{"resource": {"type": "USER"}, "resourceAction": "--"}', 'resourceAction has no letters or digits'],
		[`{"resource": {"type": "${'X'.repeat(201)}"}, "resourceAction": "ADDED"}`, 'resource.type is longer than 200 characters'],
	])('refuses %j: %s', (body, problem) => {
		expect(problemOf(body)).toBe(problem);
	});

	it('treats DELETED as REMOVED and keeps a removal without content as null content', () => {
		const notification = sampleNotification('company.removed');
		notification.resourceAction = 'DELETED';
		const result = parseNotification(text(notification));
		expect(result.ok && result.notification).toMatchObject({ action: 'REMOVED', event: 'company.removed', content: null });
	});

	it('normalises lower-case, dashed and spaced resource types', () => {
		expect(normaliseResourceType('catalog-product')).toBe('CATALOG_PRODUCT');
		expect(normaliseResourceType(' App Assignment ')).toBe('APP_ASSIGNMENT');
		expect(normaliseResourceType('sales_lead')).toBe('SALES_LEAD');
		expect(normaliseAction('deleted')).toBe('REMOVED');
		expect(normaliseAction('changed')).toBe('CHANGED');
		expect(normaliseResourceType('Catalog.Product')).toBe('CATALOG_PRODUCT');
		expect(normaliseResourceType('user;drop')).toBe('USER_DROP');
		expect(normaliseAction('ADDED; DROP')).toBe('ADDED_DROP');
		const notification = sampleNotification('user.added');
		notification.resource.type = 'user';
		notification.resourceAction = 'added';
		const result = parseNotification(text(notification));
		expect(result.ok && result.notification.event).toBe('user.added');
	});

	it('accepts unknown types and actions, and keeps unknown fields', () => {
		const notification = sampleNotification('user.added');
		notification.resource.type = 'WIDGET';
		notification.resourceAction = 'ARCHIVED';
		notification.resource.content.productRefId = 'NEW-FIELD';
		notification.somethingNew = { nested: [1, 2] };
		const result = parseNotification(text(notification));
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		expect(result.notification.event).toBe('widget.archived');
		expect((result.notification.content as Record<string, unknown>).productRefId).toBe('NEW-FIELD');
		expect(result.notification.raw.somethingNew).toEqual({ nested: [1, 2] });
	});

	it('lets missing or odd optional fields become null instead of failing', () => {
		const result = parseNotification('{"resource": {"type": "USER", "uuid": 12}, "resourceAction": "ADDED", "timestamp": "1764230400000"}');
		expect(result.ok && result.notification).toMatchObject({
			notificationId: null,
			resourceId: '12',
			resourceUrl: null,
			timestamp: 1764230400000,
			content: null,
		});
		const shortDigits = parseNotification('{"resource": {"type": "USER"}, "resourceAction": "ADDED", "timestamp": "20251127"}');
		expect(shortDigits.ok && shortDigits.notification.timestamp).toBeNull();
		const bad = parseNotification('{"resource": {"type": "USER"}, "resourceAction": "ADDED", "timestamp": "yesterday", "uuid": {}}');
		expect(bad.ok && bad.notification).toMatchObject({ timestamp: null, notificationId: null });
	});

	it('drops __proto__ keys so that nothing can reach a prototype', () => {
		const body =
			'{"__proto__": {"polluted": true}, "resource": {"type": "USER", "content": {"__proto__": {"isAdmin": true}, "constructor": {"prototype": {"x": 1}}, "email": "a@b.example"}}, "resourceAction": "ADDED"}';
		const result = parseNotification(body);
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		const content = result.notification.content as Record<string, unknown>;
		expect(Object.prototype.hasOwnProperty.call(content, '__proto__')).toBe(false);
		expect(Object.getPrototypeOf(content)).toBe(Object.prototype);
		expect((content as { isAdmin?: boolean }).isAdmin).toBeUndefined();
		expect(content.constructor).toEqual({ prototype: { x: 1 } });
		expect(({} as { polluted?: boolean; isAdmin?: boolean }).polluted).toBeUndefined();
		expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
		expect(Object.getPrototypeOf(result.notification.raw)).toBe(Object.prototype);
	});

	it('also drops a __proto__ key spelled with \\u escapes', () => {
		const body = '{"resource": {"type": "USER", "content": {"\\u005f\\u005fproto\\u005f\\u005f": {"isAdmin": true}}}, "resourceAction": "ADDED"}';
		expect(body).not.toContain('__proto__');
		const result = parseNotification(body);
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		const content = result.notification.content as Record<string, unknown>;
		expect(Object.keys(content)).toEqual([]);
		expect(Object.getPrototypeOf(content)).toBe(Object.prototype);
		expect((content as { isAdmin?: boolean }).isAdmin).toBeUndefined();
	});

	describe('nesting depth', () => {
		const envelope = (inner: string) => `{"resource": {"type": "USER", "content": {"x": ${inner}}}, "resourceAction": "ADDED"}`;
		// The envelope and content already take three levels.
		const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

		it(`accepts a body exactly ${MAX_DEPTH} levels deep`, () => {
			expect(parseNotification(envelope(nested(MAX_DEPTH - 3))).ok).toBe(true);
		});

		it.each([
			['one level too deep', envelope(nested(MAX_DEPTH - 2))],
			['200,000 levels deep', envelope(nested(200_000))],
			['200,000 levels deep with __proto__ (parsed with a reviver)', `{"__proto__": 1, ${envelope(nested(200_000)).slice(1)}`],
			['deep objects instead of arrays', envelope('{"a":'.repeat(150) + '1' + '}'.repeat(150))],
		])('refuses a body %s', (_case, body) => {
			expect(problemOf(body)).toBe(`The body is nested more than ${MAX_DEPTH} levels deep`);
		});

		it('checks a body n8n already parsed too', () => {
			let deep: unknown = 1;
			for (let level = 0; level < 150; level++) deep = { a: deep };
			expect(problemOf({ resource: { type: 'USER', content: deep }, resourceAction: 'ADDED' })).toBe(
				`The body is nested more than ${MAX_DEPTH} levels deep`,
			);
		});

		it('counts objects and arrays, not scalars', () => {
			expect(nestedDeeperThan({ a: [{ b: 'x' }] }, 3)).toBe(false);
			expect(nestedDeeperThan({ a: [{ b: ['x'] }] }, 3)).toBe(true);
			expect(nestedDeeperThan('text', 0)).toBe(false);
		});
	});

	it('names what it got when n8n parsed nothing', () => {
		expect(problemOf(undefined)).toBe('The body must be a JSON object, got nothing');
	});
});

describe('requestBodyText', () => {
	const bytes = (text: string) => ({ toString: () => text });

	it('uses the bytes n8n read', async () => {
		expect(await requestBodyText({ rawBody: bytes('{"a":1}') }, () => ({ parsed: true }))).toBe('{"a":1}');
	});

	it('reads the bytes when n8n did not (multipart/mixed, or a type n8n does not parse)', async () => {
		const request: { rawBody?: { toString(): string }; readRawBody(): Promise<void> } = {
			async readRawBody() {
				request.rawBody = bytes('{"b":2}');
			},
		};
		expect(await requestBodyText(request, () => undefined)).toBe('{"b":2}');
	});

	it("falls back to n8n's parsed fields when the stream is gone (multipart/form-data)", async () => {
		const request = {
			readRawBody: () => Promise.reject(new Error('Request body stream was aborted or is not readable')),
		};
		expect(await requestBodyText(request, () => ({ field: 'x' }))).toEqual({ field: 'x' });
	});
});

