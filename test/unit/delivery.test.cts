// The AppDirect delivery simulator against a real local HTTP server: what counts as delivered,
// what is retried, when, where, and how many at once.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { importScript } from '../helpers/runtime.cjs';
import { sampleNotification } from '../helpers/samples.cjs';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

let delivery: any;
let traffic: any;
const servers: Server[] = [];

beforeAll(async () => {
	delivery = await importScript('scripts/send/delivery.mjs');
	traffic = await importScript('scripts/send/traffic.mjs');
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
