// The AppDirect delivery simulator against a real local HTTP server: what counts as delivered,
// what is retried, when, where, and how many at once; and with OAuth2, against a server running
// the trigger's own token endpoint and bearer check: token requests, reuse, expiry, 401 and
// failed token requests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { checkBearer } from '../../nodes/AppDirect/trigger/oauth2/bearer';
import { answerTokenRequest } from '../../nodes/AppDirect/trigger/oauth2/endpoint';
import { deriveTokenKeys, type OAuth2Credential, type TokenKeys } from '../../nodes/AppDirect/trigger/oauth2/token';
import { importScript } from '../helpers/runtime.cjs';
import { sampleNotification } from '../helpers/samples.cjs';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

let delivery: any;
let traffic: any;
let oauth2: any;
const servers: Server[] = [];

beforeAll(async () => {
	delivery = await importScript('scripts/send/delivery.mjs');
	traffic = await importScript('scripts/send/traffic.mjs');
	oauth2 = await importScript('scripts/send/oauth2.mjs');
});

afterEach(async () => {
	await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A receiver whose answers come from `handler`; records what reached it. */
async function receiver(handler: Handler) {
	const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
	const server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			received.push({ headers: request.headers, body });
			handler(request, body, response);
		});
	});
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

/** Answers each request with the next status of the list (the last one repeats). */
function statuses(...codes: number[]): Handler {
	let call = 0;
	return (_request, _body, response) => {
		const code = codes[Math.min(call++, codes.length - 1)];
		response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify({ code }));
	};
}

const fast = { retryDelaysMs: [50, 50, 50], timeScale: 1, timeoutMs: 2000 };

describe('delivery simulator', () => {
	it('posts the exact JSON with the token header and counts a 2xx as delivered at once', async () => {
		const target = await receiver(statuses(200));
		const sim = delivery.createDelivery({ urls: target.url, token: 'tok-123', ...fast });
		const notification = sampleNotification('user.added');
		const record = await sim.deliver(notification);
		sim.close();
		expect(record).toMatchObject({ id: notification.uuid, event: 'user.added', delivered: true, gaveUp: false });
		expect(record.attempts.map((attempt: any) => attempt.outcome)).toEqual(['delivered']);
		expect(target.received).toHaveLength(1);
		expect(target.received[0].body).toBe(JSON.stringify(notification));
		expect(target.received[0].headers['x-appdirect-webhook-token']).toBe('tok-123');
		expect(target.received[0].headers['content-type']).toMatch(/^application\/json/);
	});

	it('sends the token in the legacy header when asked', async () => {
		const target = await receiver(statuses(204));
		const sim = delivery.createDelivery({ urls: target.url, token: 'tok-legacy', legacy: true, ...fast });
		expect((await sim.deliver(sampleNotification('user.added'))).delivered).toBe(true);
		sim.close();
		expect(target.received[0].headers['appdirect-webhook-token']).toBe('tok-legacy');
		expect(target.received[0].headers['x-appdirect-webhook-token']).toBeUndefined();
	});

	it('retries a 5xx after the scaled wait and stops at the first 2xx', async () => {
		const target = await receiver(statuses(500, 503, 200));
		const sim = delivery.createDelivery({ urls: target.url, retryDelaysMs: [100, 200, 400], timeScale: 0.5, timeoutMs: 2000 });
		const record = await sim.deliver(sampleNotification('company.changed'));
		sim.close();
		expect(record.attempts.map((attempt: any) => [attempt.outcome, attempt.status])).toEqual([
			['failed', 500],
			['failed', 503],
			['delivered', 200],
		]);
		// Never earlier than AppDirect's (scaled) schedule: 50 ms, then 100 ms.
		const [first, second, third] = record.attempts;
		expect(second.sentAt - first.sentAt).toBeGreaterThanOrEqual(49);
		expect(third.sentAt - second.sentAt).toBeGreaterThanOrEqual(99);
		expect(target.received).toHaveLength(3);
	});

	it('retries 4xx answers too, and gives up after the last attempt', async () => {
		const target = await receiver(statuses(401));
		const sim = delivery.createDelivery({ urls: target.url, ...fast });
		const record = await sim.deliver(sampleNotification('user.added'));
		sim.close();
		expect(record).toMatchObject({ delivered: false, gaveUp: true });
		expect(record.attempts.map((attempt: any) => attempt.outcome)).toEqual(['refused', 'refused', 'refused', 'refused']);
		expect(sim.summary()).toMatchObject({ notifications: 1, delivered: 0, gaveUp: 1, attempts: 4 });
	});

	it('counts no complete answer within the timeout as a failure, and retries', async () => {
		let call = 0;
		const target = await receiver((_request, _body, response) => {
			if (call++ === 0) return; // never answers
			response.writeHead(200).end();
		});
		const sim = delivery.createDelivery({ urls: target.url, ...fast, timeoutMs: 300 });
		const record = await sim.deliver(sampleNotification('order.added'));
		sim.close();
		expect(record.attempts.map((attempt: any) => attempt.outcome)).toEqual(['timeout', 'delivered']);
		expect(record.attempts[0].ms).toBeGreaterThanOrEqual(299);
	});

	it('counts a refused connection as a failure, and retries', async () => {
		const target = await receiver(statuses(200));
		await new Promise((resolve) => target.server.close(resolve));
		servers.splice(servers.indexOf(target.server), 1);
		const sim = delivery.createDelivery({ urls: target.url, ...fast, retryDelaysMs: [20] });
		const record = await sim.deliver(sampleNotification('order.added'));
		sim.close();
		expect(record.attempts.map((attempt: any) => [attempt.outcome, attempt.error])).toEqual([
			['connection-error', 'ECONNREFUSED'],
			['connection-error', 'ECONNREFUSED'],
		]);
		expect(record.gaveUp).toBe(true);
	});

	it('spreads attempts over several URLs in turn, retries included', async () => {
		const a = await receiver(statuses(500, 200));
		const b = await receiver(statuses(200));
		const sim = delivery.createDelivery({ urls: [a.url, b.url], ...fast, concurrency: 1 });
		const records = await sim.deliverAll([1, 2, 3].map(() => sampleNotification('user.added', { fresh: true })));
		sim.close();
		expect(records.every((record: any) => record.delivered)).toBe(true);
		// a, b, a in turn; the first answer of a was a 500, so its retry is the fourth attempt, on b.
		expect(sim.attempts.map((attempt: any) => [attempt.url === a.url ? 'a' : 'b', attempt.outcome])).toEqual([
			['a', 'failed'],
			['b', 'delivered'],
			['a', 'delivered'],
			['b', 'delivered'],
		]);
	});

	it('keeps at most `concurrency` requests in flight', async () => {
		let inFlight = 0;
		let most = 0;
		const target = await receiver((_request, _body, response) => {
			most = Math.max(most, ++inFlight);
			setTimeout(() => {
				inFlight--;
				response.writeHead(200).end();
			}, 20);
		});
		const sim = delivery.createDelivery({ urls: target.url, ...fast, concurrency: 3 });
		const records = await sim.deliverAll(Array.from({ length: 12 }, () => sampleNotification('user.added', { fresh: true })));
		sim.close();
		expect(records.filter((record: any) => record.delivered)).toHaveLength(12);
		expect(most).toBe(3);
	});

	it('a dropped attempt never reaches the receiver, and its retry arrives after later notifications', async () => {
		const target = await receiver(statuses(200));
		const history = traffic.subscriptionHistory(2);
		const late = history[0].uuid;
		const sim = delivery.createDelivery({
			urls: target.url,
			...fast,
			retryDelaysMs: [200],
			drop: (notification: any, attempt: number) => notification.uuid === late && attempt === 1,
		});
		const records = await sim.deliverAll(history);
		sim.close();
		expect(records.map((record: any) => record.delivered)).toEqual([true, true, true]);
		expect(records[0].attempts.map((attempt: any) => attempt.outcome)).toEqual(['dropped', 'delivered']);
		// Arrival order at the receiver: the two changes first, then the (older) addition.
		expect(target.received.map((request) => JSON.parse(request.body).uuid)).toEqual([history[1].uuid, history[2].uuid, late]);
	});

	it('close() cancels waiting retries', async () => {
		const target = await receiver(statuses(500));
		const sim = delivery.createDelivery({ urls: target.url, retryDelaysMs: [60_000], timeoutMs: 2000 });
		const pending = sim.deliver(sampleNotification('user.added'));
		while (sim.attempts.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
		sim.close();
		const record = await pending;
		expect(record).toMatchObject({ delivered: false, gaveUp: false, cancelled: true });
		expect(sim.summary()).toMatchObject({ cancelled: 1, attempts: 1 });
	});

	it("follows AppDirect's documented schedule by default: 5, 10, 20, 40 minutes, 1 h, 2 h…, 11 attempts over days", () => {
		expect(delivery.RETRY_DELAYS_MINUTES.slice(0, 6)).toEqual([5, 10, 20, 40, 60, 120]);
		expect(delivery.RETRY_DELAYS_MINUTES).toHaveLength(10);
		const days = delivery.RETRY_DELAYS_MINUTES.reduce((sum: number, minutes: number) => sum + minutes, 0) / 60 / 24;
		expect(days).toBeGreaterThan(2);
		expect(delivery.APPDIRECT_TIMEOUT_MS).toBe(30_000);
	});
});

describe('traffic', () => {
	it('one "create company" click fans out into four related notifications', () => {
		const [user, company, changed, membership] = traffic.uiAction('createCompany', { at: 1_764_230_400_000 });
		expect([user, company, changed, membership].map((n: any) => `${n.resource.type}.${n.resourceAction}`)).toEqual([
			'USER.ADDED',
			'COMPANY.ADDED',
			'COMPANY.CHANGED',
			'MEMBERSHIP.ADDED',
		]);
		expect(changed.resource.uuid).toBe(company.resource.uuid);
		expect(membership.resource.url).toBe(`${company.resource.url}/users/${user.resource.uuid}`);
		expect(new Set([user, company, changed, membership].map((n: any) => n.uuid)).size).toBe(4);
	});

	it('a purchase and a cancellation refer to one company, user and subscription', () => {
		const [order, subscription, assignment] = traffic.uiAction('purchase');
		expect(subscription.resource.content.company.id).toBe(order.resource.content.company.id);
		expect(subscription.resource.content.user.id).toBe(order.resource.content.user.id);
		expect(assignment.resource.content).toMatchObject({
			subscriptionUuid: subscription.resource.uuid,
			companyUuid: order.resource.content.company.id,
			userUuid: order.resource.content.user.id,
		});
		const cancel = traffic.uiAction('cancelSubscription');
		expect(cancel.map((n: any) => n.resourceAction)).toEqual(['CHANGED', 'CHANGED', 'REMOVED']);
		expect(cancel[0].resource.content.status).toBe('CANCELLED');
		expect(cancel[2].resource.uuid).toBe(cancel[0].resource.uuid);
		expect(cancel[2].resource.content).toBeUndefined();
	});

	it('a subscription history has one resource, rising timestamps and a recognisable newest state', () => {
		const history = traffic.subscriptionHistory(3, { at: 1000, removed: true });
		expect(history.map((n: any) => n.resourceAction)).toEqual(['ADDED', 'CHANGED', 'CHANGED', 'CHANGED', 'REMOVED']);
		expect(new Set(history.map((n: any) => n.resource.uuid)).size).toBe(1);
		expect(history.map((n: any) => n.timestamp)).toEqual([1000, 2000, 3000, 4000, 5000]);
		expect(history.slice(0, 4).map((n: any) => n.resource.content.maxUsers)).toEqual([10, 11, 12, 13]);
	});

	it('mixed traffic cycles through the given events with fresh ids', () => {
		const mixed = traffic.mixedTraffic(['user.added', 'company.removed'], 5, { start: 10 });
		expect(mixed.map((n: any) => `${n.resource.type}.${n.resourceAction}`)).toEqual([
			'USER.ADDED',
			'COMPANY.REMOVED',
			'USER.ADDED',
			'COMPANY.REMOVED',
			'USER.ADDED',
		]);
		expect(new Set(mixed.map((n: any) => n.uuid)).size).toBe(5);
		expect(mixed.map((n: any) => n.timestamp)).toEqual([10, 11, 12, 13, 14]);
		const random = traffic.seededRandom(7);
		const again = traffic.seededRandom(7);
		expect([random(), random()]).toEqual([again(), again()]);
	});
});

const BINDING = { workflowId: 'wf-1', nodeId: 'node-a' };
// Characters that the form encoding inside Basic changes.
const CLIENT = { grant: 'clientCredentials' as const, clientId: 'app direct', clientSecret: 'cs+4f9a/1c7e%2b:8d60 53aa41f0c9é' };
const OWNER = { ...CLIENT, grant: 'password' as const, username: 'bot@example.com', password: 'pw 7Hq2+xL9' };

interface Seen {
	path: string;
	headers: IncomingMessage['headers'];
	body: string;
	status: number;
}

/**
 * A receiver with a token endpoint (/token) and a notification URL (/hook), both answered by the
 * trigger's own OAuth2 functions. `tokenOverride` answers /token instead, for failures.
 */
async function oauth2Receiver(credential: OAuth2Credential) {
	const state = {
		keys: deriveTokenKeys(credential, BINDING) as TokenKeys,
		tokenOverride: undefined as undefined | ((response: ServerResponse) => boolean),
		seen: [] as Seen[],
	};
	const server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			const url = new URL(request.url ?? '/', 'http://x');
			const record = (status: number) => state.seen.push({ path: url.pathname, headers: request.headers, body, status });
			if (url.pathname === '/token') {
				if (state.tokenOverride?.(response)) {
					record(response.statusCode);
					return;
				}
				const answer = answerTokenRequest({ method: request.method ?? '', headers: request.headers, body }, state.keys, Date.now());
				record(answer.status);
				response.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
				return;
			}
			const check = checkBearer({ headers: request.headers, query: Object.fromEntries(url.searchParams) }, state.keys, Date.now());
			const status = check === 'valid' ? 200 : 401;
			record(status);
			response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ check }));
		});
	});
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return { state, server, hook: `${base}/hook`, tokenUrl: `${base}/token` };
}

const paths = (seen: Seen[]) => seen.map((entry) => `${entry.path} ${entry.status}`);

describe('delivery simulator with OAuth2', () => {
	it.each([
		['client credentials, HTTP Basic', CLIENT, 'basic'],
		['client credentials, form fields', CLIENT, 'form'],
		['password, HTTP Basic', OWNER, 'basic'],
		['password, form fields', OWNER, 'form'],
	])('%s: one token request, then every notification with the token', async (_case, credential, clientAuthentication) => {
		const target = await oauth2Receiver(credential);
		const sim = delivery.createDelivery({
			urls: target.hook,
			...fast,
			oauth2: { tokenUrl: target.tokenUrl, ...credential, clientAuthentication, scope: 'webhooks read' },
		});
		const records = await sim.deliverAll(Array.from({ length: 5 }, () => sampleNotification('user.added', { fresh: true })));
		sim.close();
		expect(records.map((record: any) => record.delivered)).toEqual([true, true, true, true, true]);
		expect(paths(target.state.seen)).toEqual(['/token 200', ...Array(5).fill('/hook 200')]);
		const [token, ...notifications] = target.state.seen;
		const fields = new URLSearchParams(token.body);
		expect(fields.get('grant_type')).toBe(credential.grant === 'password' ? 'password' : 'client_credentials');
		expect(fields.get('scope')).toBe('webhooks read');
		expect(token.headers['content-type']).toBe('application/x-www-form-urlencoded');
		expect(Boolean(token.headers.authorization)).toBe(clientAuthentication === 'basic');
		expect(fields.has('client_secret')).toBe(clientAuthentication === 'form');
		const bearers = new Set(notifications.map((entry) => entry.headers.authorization));
		expect(bearers.size).toBe(1);
		expect([...bearers][0]).toMatch(/^Bearer [\w-]{28}\.[\w-]{43}$/);
		expect(sim.summary()).toMatchObject({ delivered: 5, tokenRequests: 1 });
	});

	it('concurrent notifications share one token request', async () => {
		const target = await oauth2Receiver(CLIENT);
		const sim = delivery.createDelivery({ urls: target.hook, ...fast, concurrency: 8, oauth2: { tokenUrl: target.tokenUrl, ...CLIENT } });
		await sim.deliverAll(Array.from({ length: 24 }, () => sampleNotification('user.added', { fresh: true })));
		sim.close();
		expect(sim.summary()).toMatchObject({ delivered: 24, tokenRequests: 1 });
	});

	it('reuses a token until its expires_in has passed, then fetches another', async () => {
		const target = await oauth2Receiver(CLIENT);
		const clock = { now: 1_000_000 };
		const sim = delivery.createDelivery({ urls: target.hook, ...fast, oauth2: { tokenUrl: target.tokenUrl, ...CLIENT, now: () => clock.now } });
		await sim.deliver(sampleNotification('user.added', { fresh: true }));
		clock.now += 3599_000;
		await sim.deliver(sampleNotification('user.added', { fresh: true }));
		expect(sim.summary().tokenRequests).toBe(1);
		clock.now += 1000;
		await sim.deliver(sampleNotification('user.added', { fresh: true }));
		sim.close();
		expect(paths(target.state.seen)).toEqual(['/token 200', '/hook 200', '/hook 200', '/token 200', '/hook 200']);
	});

	it('a 401 drops the token: the retry fetches a new one (here: the secret changed on the receiver)', async () => {
		const target = await oauth2Receiver(CLIENT);
		const rotated = { ...CLIENT, clientSecret: 'the new secret' };
		const sim = delivery.createDelivery({ urls: target.hook, ...fast, oauth2: { tokenUrl: target.tokenUrl, ...CLIENT } });
		await sim.deliver(sampleNotification('user.added', { fresh: true }));
		// Only the receiver has the new secret; the sender still holds a token from before.
		target.state.keys = deriveTokenKeys(rotated, BINDING);
		target.state.seen.length = 0;
		const record = await sim.deliver(sampleNotification('company.added', { fresh: true }));
		sim.close();
		// The old sender's old token: 401; its retry asks for a token with the old secret: refused, retried.
		expect(record.attempts.map((attempt: any) => [attempt.outcome, attempt.status])).toEqual([
			['refused', 401],
			['token-failed', 401],
			['token-failed', 401],
			['token-failed', 401],
		]);
		expect(record.gaveUp).toBe(true);
		expect(paths(target.state.seen)).toEqual(['/hook 401', '/token 401', '/token 401', '/token 401']);
	});

	it('a 401 with a token the receiver no longer accepts is followed by a new token and a delivery', async () => {
		const target = await oauth2Receiver(CLIENT);
		const sim = delivery.createDelivery({ urls: target.hook, ...fast, oauth2: { tokenUrl: target.tokenUrl, ...CLIENT } });
		await sim.deliver(sampleNotification('user.added', { fresh: true }));
		// Another workflow ID, same credential: tokens issued before are refused.
		target.state.keys = deriveTokenKeys(CLIENT, { ...BINDING, workflowId: 'wf-2' });
		const record = await sim.deliver(sampleNotification('user.added', { fresh: true }));
		sim.close();
		expect(record.attempts.map((attempt: any) => attempt.outcome)).toEqual(['refused', 'delivered']);
		expect(paths(target.state.seen)).toEqual(['/token 200', '/hook 200', '/hook 401', '/token 200', '/hook 200']);
	});

	it.each([
		['a 500', (response: ServerResponse) => response.writeHead(500).end('oops'), 500, 'token endpoint answered 500'],
		['a 200 that is not JSON', (response: ServerResponse) => response.writeHead(200).end('<html>'), 200, 'token endpoint answered with no JSON'],
		['a 200 without a token', (response: ServerResponse) => response.writeHead(200).end('{"token_type":"Bearer"}'), 200, 'no access_token in the answer'],
		['a token of another type', (response: ServerResponse) => response.writeHead(200).end('{"access_token":"x","token_type":"mac"}'), 200, 'token_type is not Bearer'],
	])('a failed token request (%s) is a failed attempt, retried like any other', async (_case, answer, status, problem) => {
		const target = await oauth2Receiver(CLIENT);
		let failures = 1;
		target.state.tokenOverride = (response) => failures-- > 0 && (answer(response), true);
		const sim = delivery.createDelivery({ urls: target.hook, ...fast, oauth2: { tokenUrl: target.tokenUrl, ...CLIENT } });
		const record = await sim.deliver(sampleNotification('user.added', { fresh: true }));
		sim.close();
		expect(record.attempts.map((attempt: any) => [attempt.outcome, attempt.status, attempt.error ?? null])).toEqual([
			['token-failed', status, problem],
			['delivered', 200, null],
		]);
		expect(paths(target.state.seen)).toEqual([`/token ${status}`, '/token 200', '/hook 200']);
		expect(sim.summary()).toMatchObject({ tokenRequests: 2, byOutcome: { 'token-failed': 1, delivered: 1 } });
	});

	it('an unreachable token endpoint is a failed attempt; the notification is not sent', async () => {
		const target = await oauth2Receiver(CLIENT);
		const closed = await oauth2Receiver(CLIENT);
		await new Promise((resolve) => closed.server.close(resolve));
		servers.splice(servers.indexOf(closed.server), 1);
		const sim = delivery.createDelivery({ urls: target.hook, ...fast, retryDelaysMs: [20], oauth2: { tokenUrl: closed.tokenUrl, ...CLIENT } });
		const record = await sim.deliver(sampleNotification('user.added'));
		sim.close();
		expect(record.attempts.map((attempt: any) => [attempt.outcome, attempt.error])).toEqual([
			['token-failed', 'token request failed: ECONNREFUSED'],
			['token-failed', 'token request failed: ECONNREFUSED'],
		]);
		expect(target.state.seen).toEqual([]);
	});

	it('never records the access token or the secret in its attempts', async () => {
		const target = await oauth2Receiver(CLIENT);
		const sim = delivery.createDelivery({ urls: target.hook, ...fast, oauth2: { tokenUrl: target.tokenUrl, ...CLIENT } });
		await sim.deliver(sampleNotification('user.added'));
		sim.close();
		const token = String(target.state.seen[1].headers.authorization).slice('Bearer '.length);
		const recorded = JSON.stringify([sim.attempts, sim.tokenRequests, sim.summary()]);
		expect(recorded).not.toContain(token);
		expect(recorded).not.toContain(CLIENT.clientSecret);
	});

	it('refuses a grant or a client authentication it does not know', () => {
		expect(() => oauth2.tokenRequest({ ...CLIENT, grant: 'implicit' })).toThrow(/grant must be/);
		expect(() => oauth2.tokenRequest({ ...CLIENT, clientAuthentication: 'jwt' })).toThrow(/basic or form/);
	});
});
