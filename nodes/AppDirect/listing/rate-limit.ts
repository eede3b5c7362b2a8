/**
 * AppDirect's documented leaky bucket ("Bucket size is 20 requests, with a leak rate of 5
 * requests per second"), kept on the client side so that a listing never sends faster than
 * the bucket drains. Pure: give it the time, it answers how long to wait before sending.
 *
 *   const bucket = new LeakyBucket();
 *   const wait = bucket.reserve(Date.now());   // then sleep(wait) and send
 */

export const BUCKET_SIZE = 20;
export const LEAK_PER_SECOND = 5;

/**
 * Slots left free: requests reach AppDirect a little early or late, so a client that fills the
 * bucket to the brim would get 429s from jitter alone. One slot absorbs up to 200 ms of it.
 */
export const HEADROOM = 1;

export interface BucketOptions {
	size?: number;
	leakPerSecond?: number;
	headroom?: number;
}

export class LeakyBucket {
	/** Requests that may be in flight at once: AppDirect's bucket less the headroom. */
	readonly size: number;
	readonly leakPerSecond: number;
	/** Requests in the bucket at `at` (may be fractional while it drains). */
	private level = 0;
	private at = Number.NEGATIVE_INFINITY;

	constructor(options: BucketOptions = {}) {
		this.size = (options.size ?? BUCKET_SIZE) - (options.headroom ?? HEADROOM);
		this.leakPerSecond = options.leakPerSecond ?? LEAK_PER_SECOND;
		if (!(this.size >= 1) || !(this.leakPerSecond > 0)) {
			throw new RangeError(`A bucket needs room for at least 1 request (size less headroom) and a positive leak rate, not ${this.size} and ${this.leakPerSecond}`);
		}
	}

	private levelAt(now: number): number {
		if (now <= this.at) return this.level;
		return Math.max(0, this.level - ((now - this.at) * this.leakPerSecond) / 1000);
	}

	/**
	 * Books one request and returns the milliseconds to wait before sending it (0: send now).
	 * The request counts as sent at `now + wait`, so calls in a row are spaced correctly even
	 * before the caller has waited.
	 */
	reserve(now: number): number {
		const start = Math.max(now, this.at);
		const level = this.levelAt(start);
		const excess = level + 1 - this.size;
		// Rounded up to whole milliseconds: never a moment early.
		const wait = excess > 0 ? Math.ceil((excess * 1000) / this.leakPerSecond) : 0;
		const sendAt = start + wait;
		this.level = this.levelAt(sendAt) + 1;
		this.at = sendAt;
		return sendAt - now;
	}

	/**
	 * AppDirect answered 429: its bucket is full, whatever ours says (another workflow may share
	 * the credential). The next reservation waits as for a full bucket.
	 */
	noteRefused(now: number): void {
		const at = Math.max(now, this.at);
		this.level = Math.max(this.levelAt(at), this.size);
		this.at = at;
	}
}
