// walkList with a fake transport and clock: the waits it asks for, thrown request errors, and
// the bounds after which it gives up.
import { listEndpointOf } from '../../nodes/AppDirect/listing/endpoints';
import { ListingError } from '../../nodes/AppDirect/listing/error';
import { defaultFailureOf, walkList, type ListIo, type ListResponse } from '../../nodes/AppDirect/listing/walk';

const users = listEndpointOf('USER');
const page = (number: number, total: number, size = 100) => ({
	content: Array.from({ length: Math.max(0, Math.min(size, total - number * size)) }, (_, index) => ({ uuid: `u${number * size + index}` })),
	page: { size, totalElements: total, totalPages: Math.ceil(total / size), number },
});

/** A transport answering from `answers` in turn (an Error is thrown), on a clock moved only by sleep. */
function fake(answers: Array<ListResponse | Error>) {
	const clock = { now: 0 };
	const sleeps: number[] = [];
	const requests: Array<Record<string, string>> = [];
	const io: ListIo = {
		async request(_path, query) {
			requests.push(query);
			const answer = answers.shift();
			if (!answer) throw new Error('no more answers');
			if (answer instanceof Error) throw answer;
			return answer;
		},
		async sleep(ms) {
			sleeps.push(ms);
			clock.now += ms;
		},
		now: () => clock.now,
	};
	return { io, sleeps, requests, clock };
}

const ok = (body: unknown, headers = {}): ListResponse => ({ status: 200, body, headers });

describe('walkList', () => {
	it('sends the filters with every page and returns the items', async () => {
		const { io, requests, sleeps } = fake([ok(page(0, 150)), ok(page(1, 150))]);
		const result = await walkList(users, { filters: { modifiedSince: 1000 } }, io);
		expect(requests).toEqual([
			{ lastModified: '1000', page: '0', size: '100' },
			{ lastModified: '1000', page: '1', size: '100' },
		]);
		expect(result).toMatchObject({ pages: 2, retries: 0, waitedMs: 0, grew: false, shifted: false });
		expect(result.items).toHaveLength(150);
		expect(sleeps).toEqual([]);
	});

	it('waits for the bucket after 19 requests', async () => {
		const total = 25 * 100;
		const { io, sleeps } = fake(Array.from({ length: 25 }, (_, number) => ok(page(number, total))));
		const result = await walkList(users, {}, io);
		expect(result.items).toHaveLength(total);
		expect(sleeps).toEqual(Array(6).fill(200));
	});

	it('waits out a thrown 429 with its Retry-After, then one with none', async () => {
		const throttled = (headers: Record<string, string>) => Object.assign(new Error('Too Many Requests'), { response: { status: 429, headers } });
		const { io, sleeps } = fake([throttled({ 'retry-after': '3' }), throttled({}), ok(page(0, 10))]);
		const result = await walkList(users, {}, io);
		expect(result).toMatchObject({ retries: 2, pages: 1 });
		// 3 s as asked; then 2 s of backoff (the second 429 in a row). The bucket, counted full after
		// each 429, has drained enough by then to add no wait of its own.
		expect(sleeps).toEqual([3000, 2000]);
		expect(result.waitedMs).toBe(5000);
	});

	it('retries a lost connection, then gives up after three in a row', async () => {
		const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
		const { io } = fake([reset(), reset(), reset(), reset()]);
		const error = await walkList(users, {}, io).catch((caught) => caught);
		expect(error).toBeInstanceOf(ListingError);
		expect(error).toMatchObject({ reason: 'gave-up', message: '/api/account/v2/users: no answer 4 times in a row; gave up after 3 retries' });
	});

	it('passes on an error that is not about an HTTP answer, as the cause, without retrying', async () => {
		const thrown = new TypeError('bad code');
		const { io, requests } = fake([thrown, ok(page(0, 1))]);
		const error = await walkList(users, {}, io).catch((caught) => caught);
		expect(error).toMatchObject({ reason: 'request-failed', message: '/api/account/v2/users: bad code', cause: thrown });
		expect(requests).toHaveLength(1);
	});

	it('refuses a bad filter before any request', async () => {
		const { io, requests } = fake([]);
		await expect(walkList(listEndpointOf('COMPANY'), { filters: { modifiedSince: '2026-01-01' } }, io)).rejects.toThrow(ListingError);
		expect(requests).toEqual([]);
	});
});

describe('defaultFailureOf', () => {
	it('reads axios- and n8n-style errors', () => {
		expect(defaultFailureOf({ response: { status: 503, headers: { 'retry-after': '2' } } })).toEqual({ status: 503, headers: { 'retry-after': '2' } });
		expect(defaultFailureOf({ httpCode: '429' })).toEqual({ status: 429, headers: {} });
		expect(defaultFailureOf({ cause: { response: { status: 502, headers: {} } } })).toEqual({ status: 502, headers: {} });
		expect(defaultFailureOf({ cause: { code: 'ETIMEDOUT' } })).toEqual({});
		expect(defaultFailureOf(new Error('plain'))).toBeUndefined();
		expect(defaultFailureOf('text')).toBeUndefined();
	});
});
