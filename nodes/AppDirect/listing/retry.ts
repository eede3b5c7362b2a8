/**
 * When a failed list request is tried again, and after how long. Pure: it returns durations,
 * the node waits with n8n's `sleep`.
 *
 * - 429 Too Many Requests: wait as `Retry-After` says (seconds or an HTTP date, at most
 *   RETRY_AFTER_CAP_MS), else back off exponentially; up to MAX_THROTTLED_RETRIES in a row for
 *   one request. A 429 alone never fails a listing unless AppDirect refuses the same request that
 *   many times (at least about 3 minutes of waiting): then the client is blocked rather than
 *   throttled (AppDirect can set an organisation's rate limit to BLOCKED), and waiting on would
 *   never end.
 * - 5xx and network failures: the same waits, up to MAX_SERVER_ERROR_RETRIES in a row.
 * - Anything else (401, 403, 404, other 4xx): no retry; the caller reports it.
 */
import { headerValue, type HeaderBag } from './pager';

export const MAX_THROTTLED_RETRIES = 10;
export const MAX_SERVER_ERROR_RETRIES = 3;
export const BACKOFF_FIRST_MS = 1_000;
export const BACKOFF_CAP_MS = 30_000;
/** A Retry-After beyond this is shortened to it: the next attempt asks again anyway. */
export const RETRY_AFTER_CAP_MS = 60_000;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function utc(year: number, month: string, day: number, time: string): number | undefined {
	const monthIndex = MONTHS.indexOf(month.toLowerCase());
	const [hours, minutes, seconds] = time.split(':').map(Number);
	if (monthIndex < 0 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 60) return undefined;
	return Date.UTC(year, monthIndex, day, hours, minutes, seconds);
}

/** The three HTTP-date forms of RFC 9110 §5.6.7, all in GMT; undefined for anything else. */
export function parseHttpDate(text: string, now: number): number | undefined {
	const value = text.trim();
	// IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
	let match = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}:\d{2}:\d{2}) GMT$/.exec(value);
	if (match) return utc(Number(match[3]), match[2], Number(match[1]), match[4]);
	// RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years: the nearest century, as RFC 9110 asks)
	match = /^[A-Za-z]{6,9}, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}:\d{2}:\d{2}) GMT$/.exec(value);
	if (match) {
		const year = 2000 + Number(match[3]);
		return utc(year > new Date(now).getUTCFullYear() + 50 ? year - 100 : year, match[2], Number(match[1]), match[4]);
	}
	// asctime: Sun Nov  6 08:49:37 1994
	match = /^[A-Za-z]{3} ([A-Za-z]{3}) ( \d|\d{2}) (\d{2}:\d{2}:\d{2}) (\d{4})$/.exec(value);
	if (match) return utc(Number(match[4]), match[1], Number(match[2].trim()), match[3]);
	return undefined;
}

/**
 * Milliseconds to wait from a Retry-After value: delay-seconds or an HTTP date (0 when it has
 * passed). Undefined when absent or unreadable, so that the caller backs off instead.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
	if (value === undefined) return undefined;
	const text = value.trim();
	if (/^\d+$/.test(text)) return Number(text) * 1000;
	const at = parseHttpDate(text, now);
	return at === undefined ? undefined : Math.max(0, at - now);
}

/** 1 s, 2 s, 4 s, … at most BACKOFF_CAP_MS, for the n-th retry (from 1). */
export function backoffDelay(retry: number): number {
	const exponent = Math.min(Math.max(retry, 1) - 1, 30);
	return Math.min(BACKOFF_FIRST_MS * 2 ** exponent, BACKOFF_CAP_MS);
}

export interface RequestFailure {
	/** HTTP status; undefined when no answer came (connection refused, reset, timed out). */
	status?: number;
	headers?: HeaderBag;
}

export type RetryDecision = { retry: true; waitMs: number; why: string } | { retry: false; why: string };

export interface RetryLimits {
	maxThrottledRetries?: number;
	maxServerErrorRetries?: number;
}

/** One per listing: counts failures in a row, reset by every success. */
export class RetryPolicy {
	private throttled = 0;
	private serverErrors = 0;
	private readonly maxThrottled: number;
	private readonly maxServerErrors: number;

	constructor(limits: RetryLimits = {}) {
		this.maxThrottled = limits.maxThrottledRetries ?? MAX_THROTTLED_RETRIES;
		this.maxServerErrors = limits.maxServerErrorRetries ?? MAX_SERVER_ERROR_RETRIES;
	}

	afterSuccess(): void {
		this.throttled = 0;
		this.serverErrors = 0;
	}

	afterFailure(failure: RequestFailure, now: number): RetryDecision {
		const { status } = failure;
		const throttled = status === 429;
		const transient = status === undefined || status >= 500;
		if (!throttled && !transient) return { retry: false, why: `AppDirect answered ${status}, which waiting does not change` };
		const what = throttled ? '429 Too Many Requests' : status === undefined ? 'no answer' : `${status}`;
		const count = throttled ? ++this.throttled : ++this.serverErrors;
		const max = throttled ? this.maxThrottled : this.maxServerErrors;
		if (count > max) return { retry: false, why: `${what} ${count} times in a row; gave up after ${max} retries` };
		const asked = parseRetryAfter(headerValue(failure.headers, 'retry-after'), now);
		const waitMs = asked === undefined ? backoffDelay(count) : Math.min(asked, RETRY_AFTER_CAP_MS);
		const source = asked === undefined ? 'backing off' : 'as Retry-After asks';
		return { retry: true, waitMs, why: `${what}: retry ${count} of ${max} in ${waitMs} ms, ${source}` };
	}
}
