// The client-side bucket never lets a listing send faster than AppDirect's documented bucket:
// 20 requests, leaking 5 per second. Time is a number the test moves.
import { BUCKET_SIZE, HEADROOM, LEAK_PER_SECOND, LeakyBucket } from '../../nodes/AppDirect/listing/rate-limit';

/** Sends `count` requests, each after waiting as told; returns the send times. */
function sendAll(bucket: LeakyBucket, count: number, start = 0, gapMs = 0): number[] {
	const times: number[] = [];
	let now = start;
	for (let index = 0; index < count; index++) {
		now += bucket.reserve(now);
		times.push(now);
		now += gapMs;
	}
	return times;
}

/** AppDirect's side: would a leaky bucket of `size`, leaking `perSecond`, accept every one of these? */
function acceptedByServer(times: number[], size = BUCKET_SIZE, perSecond = LEAK_PER_SECOND): boolean {
	let level = 0;
	let at = times[0] ?? 0;
	for (const time of times) {
		level = Math.max(0, level - ((time - at) * perSecond) / 1000);
		at = time;
		if (level + 1 > size + 1e-9) return false;
		level += 1;
	}
	return true;
}

describe('the leaky bucket', () => {
	it('lets a burst of 19 go at once (20 less one slot of headroom), then one every 200 ms', () => {
		expect(BUCKET_SIZE).toBe(20);
		expect(LEAK_PER_SECOND).toBe(5);
		expect(HEADROOM).toBe(1);
		const times = sendAll(new LeakyBucket(), 25);
		expect(times.slice(0, 19)).toEqual(Array(19).fill(0));
		expect(times.slice(19)).toEqual([200, 400, 600, 800, 1000, 1200]);
	});

	it('never sends more than the documented bucket allows in any window, over 1,000 requests', () => {
		const times = sendAll(new LeakyBucket(), 1000, 1_700_000_000_000);
		expect(acceptedByServer(times)).toBe(true);
		// The requests before one arrived 150 ms late (so it follows them closely): the headroom absorbs it.
		const jittered = times.map((time, index) => (index === 500 ? time - 150 : time));
		expect(acceptedByServer(jittered)).toBe(true);
		// Requests needed ÷ 5 per second, less the burst: the bound the benchmark measures against.
		expect(times[999] - times[0]).toBe(((1000 - 19) / 5) * 1000);
	});

	it('without headroom would fill AppDirect’s bucket exactly, which jitter then overflows', () => {
		const times = sendAll(new LeakyBucket({ headroom: 0 }), 100);
		expect(acceptedByServer(times)).toBe(true);
		expect(acceptedByServer(times.map((time, index) => (index === 50 ? time - 50 : time)))).toBe(false);
	});

	it('refills as time passes: a pause of 4 s makes room for a new burst', () => {
		const bucket = new LeakyBucket();
		sendAll(bucket, 19);
		expect(bucket.reserve(0)).toBe(200);
		// 20 requests booked by 200 ms; 4 s later 20 have leaked out.
		expect(sendAll(bucket, 19, 4200)).toEqual(Array(19).fill(4200));
	});

	it('books requests asked for before the caller has waited, spaced correctly', () => {
		const bucket = new LeakyBucket({ size: 2, headroom: 0, leakPerSecond: 5 });
		expect([bucket.reserve(0), bucket.reserve(0), bucket.reserve(0), bucket.reserve(0)]).toEqual([0, 0, 200, 400]);
	});

	it('after a 429 waits as for a full bucket, whatever it counted itself', () => {
		const bucket = new LeakyBucket();
		expect(bucket.reserve(0)).toBe(0);
		bucket.noteRefused(10);
		expect(bucket.reserve(10)).toBe(200);
	});

	it('rounds waits up to whole milliseconds, never early', () => {
		const bucket = new LeakyBucket({ size: 1, headroom: 0, leakPerSecond: 3 });
		expect(bucket.reserve(0)).toBe(0);
		expect(bucket.reserve(0)).toBe(334);
	});

	it('refuses a bucket with no room', () => {
		expect(() => new LeakyBucket({ size: 1 })).toThrow('A bucket needs room for at least 1 request');
		expect(() => new LeakyBucket({ leakPerSecond: 0 })).toThrow(RangeError);
	});
});
