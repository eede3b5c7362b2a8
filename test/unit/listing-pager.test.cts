// The pager walks both of AppDirect's paging styles and refuses pages that would make an
// incomplete list look complete.
import { ListingError } from '../../nodes/AppDirect/listing/error';
import { Pager, headerValue } from '../../nodes/AppDirect/listing/pager';

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => ({ id: `r${from + index}` }));

/** AppDirect's {content, page} envelope for `page` of `all` in pages of `size`. */
function envelope(all: unknown[], page: number, size: number) {
	return {
		links: [],
		content: all.slice(page * size, (page + 1) * size),
		page: { size, totalElements: all.length, totalPages: Math.ceil(all.length / size), number: page },
	};
}

function failure(run: () => unknown): ListingError {
	try {
		run();
	} catch (error) {
		if (error instanceof ListingError) return error;
		throw error;
	}
	throw new Error('expected a ListingError');
}

describe('the pager, page and size', () => {
	it('asks for page 0, 1, 2 … and stops after the last page the envelope announces', () => {
		const all = ids(0, 250);
		const pager = new Pager({ paging: 'page', pageSize: 100 });
		const queries: unknown[] = [];
		const seen: unknown[] = [];
		for (let query = pager.next(); query; query = pager.next()) {
			queries.push(query);
			seen.push(...pager.receive(envelope(all, Number(query.page), 100)));
		}
		expect(queries).toEqual([
			{ page: '0', size: '100' },
			{ page: '1', size: '100' },
			{ page: '2', size: '100' },
		]);
		expect(seen).toEqual(all);
		expect(pager.complete).toBe(true);
		expect(pager.total).toBe(250);
	});

	it('ends at once on an empty list, and reads JSON text as well as parsed JSON', () => {
		const pager = new Pager({ paging: 'page', pageSize: 50 });
		expect(pager.receive(JSON.stringify(envelope([], 0, 50)))).toEqual([]);
		expect(pager.next()).toBeUndefined();
	});

	it('follows the page size AppDirect answered when it is smaller than asked', () => {
		const all = ids(0, 30);
		const pager = new Pager({ paging: 'page', pageSize: 100 });
		const seen: unknown[] = [];
		for (let query = pager.next(); query; query = pager.next()) seen.push(...pager.receive(envelope(all, Number(query.page), 20)));
		expect(seen).toEqual(all);
	});

	it('stops with a clear error on a failing page in the middle, and asks for the same page again', () => {
		const all = ids(0, 300);
		const pager = new Pager({ paging: 'page', pageSize: 100, where: '/api/account/v2/users' });
		pager.receive(envelope(all, 0, 100));
		const error = failure(() => pager.receive('<html><body>Bad gateway</body></html>'));
		expect(error.reason).toBe('not-json');
		expect(error.message).toBe('/api/account/v2/users, page 1: the answer is not JSON (it starts "<html><body>Bad gateway</body></html>")');
		expect(pager.complete).toBe(false);
		expect(pager.next()).toEqual({ page: '1', size: '100' });
		expect(pager.itemsReturned).toBe(100);
	});

	it.each([
		['no content', { page: { size: 100, totalElements: 300, totalPages: 3, number: 1 } }, 'not-a-page'],
		['content not a list', { content: {}, page: { size: 100, totalElements: 300, totalPages: 3, number: 1 } }, 'not-a-page'],
		['no page', { content: ids(100, 200) }, 'not-a-page'],
		['a plain list', ids(100, 200), 'not-a-page'],
		['totals not numbers', { content: ids(100, 200), page: { size: '100', totalElements: 300, totalPages: 3, number: 1 } }, 'not-a-page'],
		['another page number', { content: ids(200, 300), page: { size: 100, totalElements: 300, totalPages: 3, number: 2 } }, 'page-mismatch'],
		['pages that do not add up', { content: ids(100, 200), page: { size: 100, totalElements: 300, totalPages: 5, number: 1 } }, 'totals-contradict'],
		['a short page before the last', { content: ids(100, 150), page: { size: 100, totalElements: 300, totalPages: 3, number: 1 } }, 'totals-contradict'],
		['more items than the page holds', { content: ids(100, 201), page: { size: 100, totalElements: 300, totalPages: 3, number: 1 } }, 'totals-contradict'],
		['a changed page size', { content: ids(50, 100), page: { size: 50, totalElements: 300, totalPages: 6, number: 1 } }, 'totals-contradict'],
		['a total that shrank', { content: ids(100, 200), page: { size: 100, totalElements: 250, totalPages: 3, number: 1 } }, 'totals-shrank'],
		['no items though more are announced', { content: [], page: { size: 100, totalElements: 300, totalPages: 3, number: 1 } }, 'totals-contradict'],
	])('refuses page 1 with %s', (_what, body, reason) => {
		const pager = new Pager({ paging: 'page', pageSize: 100 });
		pager.receive(envelope(ids(0, 300), 0, 100));
		expect(failure(() => pager.receive(body)).reason).toBe(reason);
		expect(pager.complete).toBe(false);
	});

	it('with onShift "flag", carries on after a shrinking total and says so', () => {
		const pager = new Pager({ paging: 'page', pageSize: 100, onShift: 'flag' });
		pager.receive(envelope(ids(0, 300), 0, 100));
		const shrunk = ids(0, 300).filter((_, index) => index !== 5);
		expect(pager.receive(envelope(shrunk, 1, 100))).toHaveLength(100);
		expect(pager.shifted).toBe(true);
		expect(pager.receive(envelope(shrunk, 2, 100))).toHaveLength(99);
		expect(pager.complete).toBe(true);
	});

	it('drops an item a shifted page shows twice, and notes the growth', () => {
		const all = ids(0, 200);
		const pager = new Pager({ paging: 'page', pageSize: 100, identify: (item) => (item as { id: string }).id });
		pager.receive(envelope(all, 0, 100));
		// One new item sorted first: page 1 now starts with the old item 99.
		const grown = [{ id: 'new' }, ...all];
		expect(pager.receive(envelope(grown, 1, 100))).toEqual(all.slice(100, 199));
		expect(pager.duplicatesDropped).toBe(1);
		expect(pager.grew).toBe(true);
		expect(pager.next()).toEqual({ page: '2', size: '100' });
		expect(pager.receive(envelope(grown, 2, 100))).toEqual([{ id: 'r199' }]);
		expect(pager.complete).toBe(true);
	});

	it('stops after the limit, cutting the page', () => {
		const all = ids(0, 300);
		const pager = new Pager({ paging: 'page', pageSize: 100, limit: 150 });
		expect(pager.receive(envelope(all, 0, 100))).toHaveLength(100);
		expect(pager.receive(envelope(all, 1, 100))).toEqual(all.slice(100, 150));
		expect(pager.next()).toBeUndefined();
		expect(failure(() => pager.receive(envelope(all, 2, 100))).reason).toBe('no-progress');
	});
});

describe('the pager, start and count', () => {
	const withTotal = (total: number) => ({ 'X-Total-Count': String(total) });

	it('advances by the items received and stops at X-Total-Count', () => {
		const all = ids(0, 600);
		const pager = new Pager({ paging: 'start', pageSize: 250 });
		const queries: unknown[] = [];
		const seen: unknown[] = [];
		for (let query = pager.next(); query; query = pager.next()) {
			queries.push(query);
			const start = Number(query.start);
			seen.push(...pager.receive(all.slice(start, start + 250), withTotal(600)));
		}
		expect(queries).toEqual([
			{ start: '0', count: '250' },
			{ start: '250', count: '250' },
			{ start: '500', count: '250' },
		]);
		expect(seen).toEqual(all);
	});

	it('with a total, a page shorter than asked is not the end', () => {
		const all = ids(0, 300);
		const pager = new Pager({ paging: 'start', pageSize: 250 });
		const seen: unknown[] = [];
		for (let query = pager.next(); query; query = pager.next()) {
			const start = Number(query.start);
			seen.push(...pager.receive(all.slice(start, start + 100), { 'x-total-count': ['300'] }));
		}
		expect(seen).toEqual(all);
		expect(pager.pagesRead).toBe(3);
	});

	it('without a total, ends at the first short page (and at an empty one)', () => {
		for (const size of [499, 500]) {
			const all = ids(0, size);
			const pager = new Pager({ paging: 'start', pageSize: 250 });
			const seen: unknown[] = [];
			for (let query = pager.next(); query; query = pager.next()) {
				const start = Number(query.start);
				seen.push(...pager.receive(all.slice(start, start + 250)));
			}
			expect(seen).toEqual(all);
			expect(pager.pagesRead).toBe(size === 500 ? 3 : 2);
		}
	});

	it.each([
		['an envelope instead of a list', { content: [] }, withTotal(600), 'not-a-page'],
		['a total that is not a count', ids(250, 500), { 'X-Total-Count': 'many' }, 'not-a-page'],
		['a total that disappeared', ids(250, 500), {}, 'not-a-page'],
		['a total that shrank', ids(250, 500), withTotal(550), 'totals-shrank'],
		['items past the total', ids(250, 500), withTotal(400), 'totals-shrank'],
		['more items than asked for', ids(250, 501), withTotal(700), 'totals-contradict'],
		['an empty page before the total', [], withTotal(600), 'totals-contradict'],
	])('refuses the second page with %s', (_what, body, headers, reason) => {
		const pager = new Pager({ paging: 'start', pageSize: 250 });
		pager.receive(ids(0, 250), withTotal(600));
		expect(failure(() => pager.receive(body, headers)).reason).toBe(reason);
	});

	it('refuses items past a total that did not change', () => {
		const pager = new Pager({ paging: 'start', pageSize: 250 });
		pager.receive(ids(0, 250), withTotal(300));
		expect(failure(() => pager.receive(ids(250, 400), withTotal(300))).reason).toBe('totals-contradict');
	});

	it('stops instead of looping when the same items come back', () => {
		const pager = new Pager({ paging: 'start', pageSize: 2, identify: (item) => (item as { id: string }).id });
		pager.receive(ids(0, 2));
		expect(failure(() => pager.receive(ids(0, 2))).reason).toBe('no-progress');
	});
});

describe('the pager’s options and headers', () => {
	it('refuses a page size or limit that is not a positive integer', () => {
		expect(() => new Pager({ paging: 'page', pageSize: 0 })).toThrow('pageSize must be a positive integer, not 0');
		expect(() => new Pager({ paging: 'start', pageSize: 10, limit: 1.5 })).toThrow('limit must be a positive integer, not 1.5');
	});

	it('reads a header whatever its case, the first of repeated values', () => {
		expect(headerValue({ 'X-Total-Count': '5' }, 'x-total-count')).toBe('5');
		expect(headerValue({ 'retry-after': ['3', '9'] }, 'Retry-After')).toBe('3');
		expect(headerValue({ 'retry-after': 7 }, 'retry-after')).toBe('7');
		expect(headerValue(undefined, 'retry-after')).toBeUndefined();
	});
});
