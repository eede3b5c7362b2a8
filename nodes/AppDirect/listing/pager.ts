/**
 * Walks one AppDirect list page by page, in either documented style, and says which request
 * comes next and when the list is complete. It checks every page it is given: a page that is not
 * JSON, has no items where they belong, or whose totals shrink or contradict each other stops
 * the listing with a ListingError, so an incomplete list is never taken for a complete one.
 *
 *   const pager = new Pager({ paging: 'page', pageSize: 100, where: '/api/account/v2/users' });
 *   for (let query = pager.next(); query; query = pager.next()) {
 *     const { body, headers } = await get(path, { ...filters, ...query });
 *     items.push(...pager.receive(body, headers));
 *   }
 */
import type { PagingStyle } from './endpoints';
import { ListingError } from './error';

export type HeaderBag = Record<string, string | string[] | number | undefined>;

export interface PagerOptions {
	paging: PagingStyle;
	/** `size` or `count` sent with every request; constant, or page numbers would shift. */
	pageSize: number;
	/** Stop after this many items (n8n's Limit); none means Return All. */
	limit?: number;
	/** The item's id: items seen before (pages shifted by an insertion) are dropped, once each. */
	identify?: (item: unknown) => string | undefined;
	/**
	 * What a shrinking total means: `fail` (default) stops with an error, because items may have
	 * moved to pages already read; `flag` carries on and sets `shifted`, for a caller that restarts.
	 */
	onShift?: 'fail' | 'flag';
	/** Named in error messages, e.g. the list's path. */
	where?: string;
}

type Bag = Record<string, unknown>;
const isBag = (value: unknown): value is Bag => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** A header's value, whatever the case of its name; the first when it was sent twice. */
export function headerValue(headers: HeaderBag | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted || value === undefined) continue;
		return String(Array.isArray(value) ? value[0] : value);
	}
	return undefined;
}

export class Pager {
	private readonly paging: PagingStyle;
	private readonly pageSize: number;
	private readonly limit?: number;
	private readonly identify?: (item: unknown) => string | undefined;
	private readonly onShift: 'fail' | 'flag';
	private readonly where: string;
	private readonly seen = new Set<string>();
	/** Page number (page style) or first index (start style) of the next request. */
	private position = 0;
	private finished = false;
	private pageSizeAnswered?: number;
	/** Total as AppDirect last stated it: totalElements or X-Total-Count. */
	total?: number;
	pagesRead = 0;
	itemsReturned = 0;
	duplicatesDropped = 0;
	/** The total went down during the listing (only with onShift `flag`). */
	shifted = false;
	/** The total went up during the listing: new items may appear on later pages, or be missed before. */
	grew = false;

	constructor(options: PagerOptions) {
		if (!Number.isInteger(options.pageSize) || options.pageSize < 1) {
			throw new RangeError(`pageSize must be a positive integer, not ${options.pageSize}`);
		}
		if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
			throw new RangeError(`limit must be a positive integer, not ${options.limit}`);
		}
		this.paging = options.paging;
		this.pageSize = options.pageSize;
		this.limit = options.limit;
		this.identify = options.identify;
		this.onShift = options.onShift ?? 'fail';
		this.where = options.where ?? 'the list';
	}

	/** True once every item was read, or the limit reached. */
	get complete(): boolean {
		return this.finished;
	}

	/** The paging parameters of the next request (the same again after a failed one); undefined when complete. */
	next(): Record<string, string> | undefined {
		if (this.finished) return undefined;
		return this.paging === 'page'
			? { page: String(this.position), size: String(this.pageSize) }
			: { start: String(this.position), count: String(this.pageSize) };
	}

	/** Checks the answer to `next()` and returns its new items (duplicates and those past the limit left out). */
	receive(body: unknown, headers?: HeaderBag): unknown[] {
		if (this.finished) throw new ListingError('no-progress', `${this.where}: a page arrived after the list was complete`);
		const parsed = this.parse(body);
		const items = this.paging === 'page' ? this.receivePage(parsed) : this.receiveStart(parsed, headers);
		this.pagesRead++;
		return this.keep(items);
	}

	private fail(reason: ConstructorParameters<typeof ListingError>[0], detail: string): never {
		throw new ListingError(reason, `${this.where}, ${this.describePosition()}: ${detail}`);
	}

	private describePosition(): string {
		return this.paging === 'page' ? `page ${this.position}` : `items from ${this.position}`;
	}

	private parse(body: unknown): unknown {
		if (typeof body !== 'string') return body;
		try {
			return JSON.parse(body);
		} catch {
			const start = body.trim().slice(0, 60).replace(/\s+/g, ' ');
			this.fail('not-json', `the answer is not JSON (it starts "${start}")`);
		}
	}

	private noteTotal(total: number, what: string): void {
		if (this.total !== undefined && total < this.total) {
			if (this.onShift === 'fail') {
				this.fail(
					'totals-shrank',
					`${what} went down from ${this.total} to ${total} during the listing, so items may have moved to pages already read; list again`,
				);
			}
			this.shifted = true;
		}
		if (this.total !== undefined && total > this.total) this.grew = true;
		this.total = total;
	}

	private receivePage(body: unknown): unknown[] {
		if (!isBag(body) || !Array.isArray(body.content)) {
			this.fail('not-a-page', 'the answer has no "content" list (expected AppDirect\'s {content, page} envelope)');
		}
		const content = body.content as unknown[];
		const page = body.page;
		if (!isBag(page) || !isCount(page.size) || !isCount(page.totalElements) || !isCount(page.totalPages) || !isCount(page.number)) {
			this.fail('not-a-page', 'the answer has no "page" with whole-number size, totalElements, totalPages and number');
		}
		const { size, totalElements, totalPages, number } = page as { size: number; totalElements: number; totalPages: number; number: number };
		if (number !== this.position) this.fail('page-mismatch', `AppDirect answered page ${number} instead`);
		if (size < 1) this.fail('totals-contradict', `page size ${size} cannot hold any item`);
		if (this.pageSizeAnswered !== undefined && size !== this.pageSizeAnswered) {
			this.fail('totals-contradict', `the page size changed from ${this.pageSizeAnswered} to ${size} during the listing`);
		}
		this.pageSizeAnswered = size;
		if (totalPages !== Math.ceil(totalElements / size)) {
			this.fail('totals-contradict', `${totalElements} items in pages of ${size} cannot make ${totalPages} pages`);
		}
		this.noteTotal(totalElements, 'totalElements');
		if (content.length > size) this.fail('totals-contradict', `${content.length} items on a page of ${size}`);
		const last = totalPages === 0 || number >= totalPages - 1;
		if (!last && content.length !== size) {
			this.fail('totals-contradict', `${content.length} items on page ${number} of ${totalPages}, where ${size} were due`);
		}
		if (number < totalPages && content.length === 0) {
			this.fail('totals-contradict', `no items, though totalElements is ${totalElements}`);
		}
		this.position = number + 1;
		if (last) this.finished = true;
		return content;
	}

	private receiveStart(body: unknown, headers?: HeaderBag): unknown[] {
		if (!Array.isArray(body)) this.fail('not-a-page', 'the answer is not a JSON list');
		const items = body as unknown[];
		const header = headerValue(headers, 'x-total-count');
		if (header !== undefined && !/^\s*\d+\s*$/.test(header)) this.fail('not-a-page', `X-Total-Count "${header}" is not a count`);
		if (header === undefined && this.total !== undefined) this.fail('not-a-page', 'X-Total-Count was sent before and is missing now');
		if (items.length > this.pageSize) this.fail('totals-contradict', `${items.length} items, though ${this.pageSize} were asked for`);
		const start = this.position;
		if (header !== undefined) {
			const total = Number(header);
			this.noteTotal(total, 'X-Total-Count');
			if (start + items.length > total) this.fail('totals-contradict', `${items.length} items go past X-Total-Count ${total}`);
			if (items.length === 0 && start < total) this.fail('totals-contradict', `no items, though X-Total-Count is ${total}`);
			// Advance by what arrived: a server may send fewer than asked without it being the end.
			this.position = start + items.length;
			if (this.position >= total) this.finished = true;
		} else {
			this.position = start + items.length;
			// Without a total, only a short page marks the end (the files declare no other sign).
			if (items.length < this.pageSize) this.finished = true;
		}
		return items;
	}

	private keep(items: unknown[]): unknown[] {
		let fresh = items;
		const identify = this.identify;
		if (identify) {
			fresh = items.filter((item) => {
				const id = identify(item);
				if (id === undefined) return true;
				if (this.seen.has(id)) {
					this.duplicatesDropped++;
					return false;
				}
				this.seen.add(id);
				return true;
			});
			if (items.length > 0 && fresh.length === 0 && !this.finished) {
				// Every item was seen before: the same page again, and the same next request would follow.
				throw new ListingError('no-progress', `${this.where}: AppDirect answered only items already listed; stopping instead of looping`);
			}
		}
		if (this.limit !== undefined) {
			const room = this.limit - this.itemsReturned;
			if (fresh.length >= room) {
				fresh = fresh.slice(0, room);
				this.finished = true;
			}
		}
		this.itemsReturned += fresh.length;
		return fresh;
	}
}
