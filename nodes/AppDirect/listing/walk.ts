/**
 * One whole listing: requests page after page through the caller's `request`, at most as fast as
 * the bucket allows, waits out 429s and passing server errors, and hands back the items once the
 * pager says the list is complete. It makes no request and keeps no time itself: the node gives
 * it its transport, n8n's `sleep` and a clock, so it can be tested with a real server or fakes.
 */
import type { ListEndpoint } from './endpoints';
import { listItemId, listPath } from './endpoints';
import { ListingError } from './error';
import { Pager, type HeaderBag } from './pager';
import { filterQuery, type ListFilters } from './query';
import { LeakyBucket } from './rate-limit';
import { RetryPolicy, type RequestFailure } from './retry';

export interface ListResponse {
	status: number;
	body: unknown;
	headers: HeaderBag;
}

export interface ListIo {
	/** GET `path` (after the marketplace origin) with `query`; may also throw for a non-2xx answer. */
	request(path: string, query: Record<string, string>): Promise<ListResponse>;
	sleep(ms: number): Promise<void>;
	now(): number;
	/** Status and headers of a thrown request error, when it carries an HTTP answer or none came. */
	failureOf?(error: unknown): RequestFailure | undefined;
	/** One per execution, shared by every listing of it (walking companies makes many). */
	bucket?: LeakyBucket;
}

export interface WalkOptions {
	companyId?: string;
	filters?: ListFilters;
	limit?: number;
	onShift?: 'fail' | 'flag';
}

export interface WalkResult {
	items: unknown[];
	pages: number;
	/** Requests tried again after a 429, a 5xx or no answer. */
	retries: number;
	/** Milliseconds spent waiting, for the bucket and for retries. */
	waitedMs: number;
	/** The list changed under the listing (see Pager). */
	grew: boolean;
	shifted: boolean;
}

type Bag = Record<string, unknown>;

/** Reads status and headers from the errors n8n's request helpers and axios throw. */
export function defaultFailureOf(error: unknown): RequestFailure | undefined {
	if (typeof error !== 'object' || error === null) return undefined;
	const bag = error as Bag;
	const response = (bag.response ?? (bag.cause as Bag | undefined)?.response) as Bag | undefined;
	const raw = response?.status ?? bag.httpCode ?? bag.statusCode ?? bag.status;
	const status = typeof raw === 'string' ? Number(raw) : raw;
	if (typeof status === 'number' && Number.isInteger(status)) {
		return { status, headers: (response?.headers as HeaderBag | undefined) ?? {} };
	}
	const code = bag.code ?? (bag.cause as Bag | undefined)?.code;
	// No answer at all: the connection failed or timed out.
	return typeof code === 'string' && /^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|ECONNABORTED|UND_ERR)/.test(code) ? {} : undefined;
}

export async function walkList(endpoint: ListEndpoint, options: WalkOptions, io: ListIo): Promise<WalkResult> {
	const path = listPath(endpoint, options.companyId);
	const filters = filterQuery(endpoint, options.filters);
	const pager = new Pager({
		paging: endpoint.paging,
		pageSize: endpoint.pageSize,
		limit: options.limit,
		onShift: options.onShift,
		identify: (item) => listItemId(endpoint, item),
		where: path,
	});
	const bucket = io.bucket ?? new LeakyBucket();
	const retry = new RetryPolicy();
	const failureOf = io.failureOf ?? defaultFailureOf;
	const items: unknown[] = [];
	let retries = 0;
	let waitedMs = 0;
	const wait = async (ms: number) => {
		if (ms <= 0) return;
		waitedMs += ms;
		await io.sleep(ms);
	};

	for (let paging = pager.next(); paging; paging = pager.next()) {
		await wait(bucket.reserve(io.now()));
		let answer: ListResponse | RequestFailure | undefined;
		let thrown: unknown;
		try {
			answer = await io.request(path, { ...filters, ...paging });
		} catch (error) {
			thrown = error;
		}
		if (answer === undefined) {
			answer = failureOf(thrown);
			if (!answer) {
				// Not about an HTTP answer: passed on whole (as the cause) for the node to explain.
				const message = thrown instanceof Error ? thrown.message : String(thrown);
				throw new ListingError('request-failed', `${path}: ${message}`, undefined, thrown);
			}
		}
		if ('body' in answer && answer.status >= 200 && answer.status < 300) {
			retry.afterSuccess();
			items.push(...pager.receive(answer.body, answer.headers));
			continue;
		}
		const decision = retry.afterFailure({ status: answer.status, headers: answer.headers }, io.now());
		if (!decision.retry) {
			const transient = answer.status === undefined || answer.status === 429 || answer.status >= 500;
			throw new ListingError(transient ? 'gave-up' : 'refused', `${path}: ${decision.why}`, answer.status);
		}
		if (answer.status === 429) bucket.noteRefused(io.now());
		retries++;
		await wait(decision.waitMs);
	}
	return { items, pages: pager.pagesRead, retries, waitedMs, grew: pager.grew, shifted: pager.shifted };
}
