// `npm run bench:import`: the bound AppDirect's rate limit sets, and what the stand-in's request log says about a run.
import { importScript } from '../helpers/runtime.cjs';

describe('import benchmark arithmetic', () => {
	let rateLimitBound: (requests: number, bucket?: { size: number; perSecond: number }) => { withBurstS: number; withoutBurstS: number };
	let requestSummary: (entries: Array<{ at: string; path: string; status: number }>) => Record<string, number | undefined>;
	beforeAll(async () => {
		({ rateLimitBound, requestSummary } = await importScript('benchmarks/import/measure.mjs'));
	});

	it('lets the first 20 requests through at once and every further one at 5 per second', () => {
		expect(rateLimitBound(200)).toEqual({ withBurstS: 36, withoutBurstS: 40 });
		expect(rateLimitBound(21)).toEqual({ withBurstS: 0.2, withoutBurstS: 4.2 });
	});

	it('sets no bound while the burst covers every request', () => {
		expect(rateLimitBound(0)).toEqual({ withBurstS: 0, withoutBurstS: 0 });
		expect(rateLimitBound(20).withBurstS).toBe(0);
	});

	it('takes another bucket', () => {
		expect(rateLimitBound(30, { size: 10, perSecond: 2 })).toEqual({ withBurstS: 10, withoutBurstS: 15 });
	});

	it.each([-1, 1.5, NaN, Infinity])('refuses %p requests', (requests) => {
		expect(() => rateLimitBound(requests)).toThrow(RangeError);
	});

	it('counts the API requests the bucket let through, those it refused, failures and the token requests apart', () => {
		const log = [
			{ at: '2026-01-01T00:00:00.000Z', path: '/oauth2/token', status: 200 },
			{ at: '2026-01-01T00:00:00.100Z', path: '/api/account/v2/users', status: 200 },
			{ at: '2026-01-01T00:00:00.200Z', path: '/api/account/v2/users', status: 429 },
			{ at: '2026-01-01T00:00:01.200Z', path: '/api/account/v2/users', status: 200 },
			{ at: '2026-01-01T00:00:01.400Z', path: '/api/billing/v1/subscriptions', status: 500 },
		];
		expect(requestSummary(log)).toEqual({
			sent: 4,
			refused: 1,
			admitted: 3,
			failed: 1,
			tokenRequests: 1,
			byList: { '/api/account/v2/users': 3, '/api/billing/v1/subscriptions': 1 },
			firstAt: Date.parse('2026-01-01T00:00:00.100Z'),
			lastAt: Date.parse('2026-01-01T00:00:01.400Z'),
		});
	});

	it('has no first or last time without API requests', () => {
		expect(requestSummary([])).toMatchObject({ sent: 0, admitted: 0, firstAt: undefined, lastAt: undefined });
	});
});
