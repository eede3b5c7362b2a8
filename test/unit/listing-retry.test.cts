// When a failed list request is tried again: 429 with and without Retry-After, 5xx, and the
// bounds after which a listing gives up.
import {
	BACKOFF_CAP_MS,
	MAX_SERVER_ERROR_RETRIES,
	MAX_THROTTLED_RETRIES,
	RETRY_AFTER_CAP_MS,
	RetryPolicy,
	backoffDelay,
	parseHttpDate,
	parseRetryAfter,
} from '../../nodes/AppDirect/listing/retry';

const NOW = Date.UTC(1994, 10, 6, 8, 49, 30);

describe('Retry-After', () => {
	it('reads delay-seconds', () => {
		expect(parseRetryAfter('0', NOW)).toBe(0);
		expect(parseRetryAfter(' 3 ', NOW)).toBe(3000);
	});

	it('reads the three HTTP-date forms, all as GMT', () => {
		const at = Date.UTC(1994, 10, 6, 8, 49, 37);
		expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(at);
		expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).toBe(at);
		expect(parseHttpDate('Sun Nov  6 08:49:37 1994', NOW)).toBe(at);
		expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(7000);
	});

	it('a date in the past means now', () => {
		expect(parseRetryAfter('Sun, 06 Nov 1994 08:00:00 GMT', NOW)).toBe(0);
	});

	it.each(['', 'soon', '-5', '2.5', 'Sun, 06 Nov 1994 08:49:37 CET', 'Sun, 06 Foo 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 25:49:37 GMT'])(
		'ignores %j (the caller backs off instead)',
		(value) => {
			expect(parseRetryAfter(value, NOW)).toBeUndefined();
		},
	);

	it('is absent when not sent', () => {
		expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
	});
});

describe('the backoff', () => {
	it('doubles from 1 s up to its cap', () => {
		expect([1, 2, 3, 4, 5, 6, 7, 50].map(backoffDelay)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
		expect(BACKOFF_CAP_MS).toBe(30000);
	});
});

describe('the retry policy', () => {
	it('waits out a 429 as Retry-After says, capped', () => {
		const policy = new RetryPolicy();
		expect(policy.afterFailure({ status: 429, headers: { 'Retry-After': '2' } }, NOW)).toEqual({
			retry: true,
			waitMs: 2000,
			why: `429 Too Many Requests: retry 1 of ${MAX_THROTTLED_RETRIES} in 2000 ms, as Retry-After asks`,
		});
		expect(policy.afterFailure({ status: 429, headers: { 'retry-after': '3600' } }, NOW)).toMatchObject({ retry: true, waitMs: RETRY_AFTER_CAP_MS });
	});

	it('backs off on a 429 without Retry-After', () => {
		const policy = new RetryPolicy();
		const waits = [1, 2, 3].map(() => policy.afterFailure({ status: 429 }, NOW));
		expect(waits.map((decision) => (decision.retry ? decision.waitMs : -1))).toEqual([1000, 2000, 4000]);
	});

	it('never fails a listing on 429s that end: every success starts the count again', () => {
		const policy = new RetryPolicy();
		for (let request = 0; request < 100; request++) {
			for (let refusal = 0; refusal < MAX_THROTTLED_RETRIES; refusal++) {
				expect(policy.afterFailure({ status: 429 }, NOW).retry).toBe(true);
			}
			policy.afterSuccess();
		}
	});

	it('gives up on one request refused 11 times in a row, after at least 3 minutes of waiting', () => {
		const policy = new RetryPolicy();
		let waited = 0;
		for (let refusal = 0; refusal < MAX_THROTTLED_RETRIES; refusal++) {
			const decision = policy.afterFailure({ status: 429 }, NOW);
			if (decision.retry) waited += decision.waitMs;
		}
		expect(waited).toBe(181_000);
		expect(policy.afterFailure({ status: 429 }, NOW)).toEqual({
			retry: false,
			why: `429 Too Many Requests 11 times in a row; gave up after ${MAX_THROTTLED_RETRIES} retries`,
		});
	});

	it('retries 5xx and lost answers a few times, honouring Retry-After on a 503', () => {
		const policy = new RetryPolicy();
		expect(policy.afterFailure({ status: 503, headers: { 'Retry-After': '1' } }, NOW)).toMatchObject({ retry: true, waitMs: 1000 });
		expect(policy.afterFailure({ status: 500 }, NOW)).toMatchObject({ retry: true, waitMs: 2000 });
		expect(policy.afterFailure({}, NOW)).toMatchObject({ retry: true, waitMs: 4000, why: expect.stringContaining('no answer') });
		expect(policy.afterFailure({ status: 502 }, NOW)).toEqual({ retry: false, why: `502 4 times in a row; gave up after ${MAX_SERVER_ERROR_RETRIES} retries` });
	});

	it('counts 429s and 5xx apart', () => {
		const policy = new RetryPolicy({ maxThrottledRetries: 1, maxServerErrorRetries: 1 });
		expect(policy.afterFailure({ status: 500 }, NOW).retry).toBe(true);
		expect(policy.afterFailure({ status: 429 }, NOW).retry).toBe(true);
		expect(policy.afterFailure({ status: 429 }, NOW).retry).toBe(false);
	});

	it.each([400, 401, 403, 404, 409])('does not retry %i', (status) => {
		expect(new RetryPolicy().afterFailure({ status, headers: { 'Retry-After': '1' } }, NOW)).toEqual({
			retry: false,
			why: `AppDirect answered ${status}, which waiting does not change`,
		});
	});
});
