// The list endpoints of the API stand-in, as AppDirect's OpenAPI files describe them
// (docs/appdirect-listing.md): which path lists what, its paging style and defaults, its sort
// orders and filters, and the leaky bucket of the rate limit.

const byDate = (item) => item.content.creationDate ?? 0;
const text = (value) => String(value ?? '').toLowerCase();

/** Sort keys AppDirect documents per list; the first is the default. */
const USER_SORTS = { DATE: byDate, FIRST_NAME: (item) => text(item.content.firstName), LAST_NAME: (item) => text(item.content.lastName) };
const SUBSCRIPTION_SORTS = {
	DATE: byDate,
	APPLICATION: (item) => text(item.content.product?.id),
	COMPANY: (item) => text(item.content.company?.id),
	OWNER: (item) => text(item.content.user?.id),
	STATUS: (item) => text(item.content.status),
	SUBSCRIPTION_ID: (item) => text(item.content.id),
};
const SUBSCRIPTION_STATUSES = ['INITIALIZED', 'FAILED', 'FREE_TRIAL', 'FREE_TRIAL_EXPIRED', 'ACTIVE', 'SUSPENDED', 'CANCELLED'];
/** The marketplace's and a company's subscription lists take the same parameters. */
const SUBSCRIPTION_LIST = {
	type: 'SUBSCRIPTION',
	paging: 'start',
	defaultSize: 250,
	sorts: SUBSCRIPTION_SORTS,
	order: 'ASC',
	lastModified: true,
	statuses: SUBSCRIPTION_STATUSES,
};

/**
 * Each list: `match` (path → company id or ''), the stored type it lists, paging style,
 * documented default size, sorts and default order, and the filters it honours.
 */
export const LISTS = [
	{
		name: 'users',
		match: (path) => (path === '/api/account/v2/users' ? '' : undefined),
		type: 'USER',
		paging: 'page',
		defaultSize: 50,
		sorts: USER_SORTS,
		order: 'ASC',
		lastModified: true,
	},
	{
		name: 'companies',
		match: (path) => (path === '/api/account/v2/companies' ? '' : undefined),
		type: 'COMPANY',
		paging: 'page',
		defaultSize: 50,
		sorts: { NAME: (item) => text(item.content.name) },
		order: 'DESC',
	},
	{
		name: 'memberships',
		match: (path) => /^\/api\/account\/v2\/companies\/([^/]+)\/memberships$/.exec(path)?.[1],
		type: 'MEMBERSHIP',
		paging: 'page',
		defaultSize: 50,
		sorts: USER_SORTS,
		order: 'ASC',
		inCompany: (item, companyId) => item.ids[0] === companyId,
	},
	{
		name: 'subscriptions',
		match: (path) => (path === '/api/billing/v1/subscriptions' ? '' : undefined),
		list: 'marketplace',
		...SUBSCRIPTION_LIST,
	},
	{
		name: 'company subscriptions',
		match: (path) => /^\/api\/billing\/v1\/companies\/([^/]+)\/subscriptions$/.exec(path)?.[1],
		list: 'company',
		...SUBSCRIPTION_LIST,
		inCompany: (item, companyId) => item.content.company?.id === companyId,
	},
	{
		name: 'company invoices',
		match: (path) => /^\/api\/billing\/v1\/companies\/([^/]+)\/invoices$/.exec(path)?.[1],
		type: 'INVOICE',
		paging: 'start',
		defaultSize: 250,
		sorts: {
			INVOICE_ID: (item) => Number(item.content.id) || 0,
			DATE: (item) => item.content.invoiceDate ?? 0,
			TOTAL: (item) => item.content.total ?? 0,
		},
		order: 'DESC',
		statuses: ['CARRIED', 'PAID', 'UNPAID', 'VOIDED'],
		inCompany: (item, companyId) => item.content.company?.id === companyId,
	},
];

/** The list a path names, and the company in it ('' for marketplace-wide lists). */
export function findList(path) {
	for (const list of LISTS) {
		const companyId = list.match(path);
		if (companyId !== undefined) return { list, companyId: decodeURIComponent(companyId) };
	}
	return undefined;
}

class BadRequest extends Error {}

/** A whole number ≥ `min` from the query, the default when absent; a BadRequest otherwise. */
function whole(params, name, fallback, min) {
	const raw = params.get(name);
	if (raw === null) return fallback;
	if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
		throw new BadRequest(`Parameter '${name}' must be a whole number of at least ${min}, not '${raw}'`);
	}
	return Number(raw);
}

/**
 * One page of a list: `{ status, body, headers }`. `items` are `{ path, ids, content, modified }`
 * in storage order; `show(item)` turns one into its list shape.
 *
 * options: maxPageSize (refuse a larger size/count; the files document none, so none by
 * default), totalCount ('documented' | 'always' | 'never': send X-Total-Count)
 */
export function listPage(list, companyId, params, items, show, options = {}) {
	try {
		const [positionName, sizeName] = list.paging === 'page' ? ['page', 'size'] : ['start', 'count'];
		const position = whole(params, positionName, 0, 0);
		const size = whole(params, sizeName, list.defaultSize, 1);
		if (options.maxPageSize !== undefined && size > options.maxPageSize) {
			throw new BadRequest(`Parameter '${sizeName}' must be at most ${options.maxPageSize}, not ${size}`);
		}
		const sortField = params.get('sortField') ?? Object.keys(list.sorts)[0];
		const sortKey = list.sorts[sortField];
		if (!sortKey) throw new BadRequest(`Parameter 'sortField' must be one of ${Object.keys(list.sorts).join(', ')}`);
		const sortOrder = params.get('sortOrder') ?? list.order;
		if (sortOrder !== 'ASC' && sortOrder !== 'DESC') throw new BadRequest("Parameter 'sortOrder' must be ASC or DESC");

		let selected = companyId && list.inCompany ? items.filter((item) => list.inCompany(item, companyId)) : items;
		const lastModified = list.lastModified ? params.get('lastModified') : null;
		if (lastModified !== null) {
			if (!/^\d+$/.test(lastModified)) throw new BadRequest(`Parameter 'lastModified' must be epoch milliseconds, not '${lastModified}'`);
			selected = selected.filter((item) => item.modified >= Number(lastModified));
		}
		const status = list.statuses ? params.get('status') : null;
		if (status !== null) {
			if (!list.statuses.includes(status)) throw new BadRequest(`Parameter 'status' must be one of ${list.statuses.join(', ')}`);
			selected = selected.filter((item) => item.content.status === status);
		}
		const direction = sortOrder === 'ASC' ? 1 : -1;
		// Ties broken by path, so that pages never overlap or skip while nothing changes.
		const sorted = selected
			.map((item) => ({ item, key: sortKey(item) }))
			.sort((a, b) => (a.key < b.key ? -direction : a.key > b.key ? direction : a.item.path < b.item.path ? -1 : 1))
			.map(({ item }) => item);

		const total = sorted.length;
		if (list.paging === 'page') {
			const content = sorted.slice(position * size, (position + 1) * size).map(show);
			return {
				status: 200,
				body: { links: [], content, page: { size, totalElements: total, totalPages: Math.ceil(total / size), number: position } },
				headers: {},
			};
		}
		// No list the stand-in serves declares X-Total-Count in AppDirect's files (only user and
		// subscription invoices do), so "documented" sends none.
		const headers = options.totalCount === 'always' ? { 'x-total-count': String(total) } : {};
		return { status: 200, body: sorted.slice(position, position + size).map(show), headers };
	} catch (error) {
		if (error instanceof BadRequest) return { status: 400, body: { code: 'BAD_REQUEST', message: error.message }, headers: {} };
		throw error;
	}
}

/**
 * AppDirect's documented leaky bucket (20 requests, leaking 5 per second). `take(now)` admits a
 * request or answers how many milliseconds until one slot is free.
 */
export function leakyBucket({ size = 20, perSecond = 5 } = {}) {
	let level = 0;
	let at = 0;
	return {
		size,
		perSecond,
		take(now) {
			level = Math.max(0, level - ((now - at) * perSecond) / 1000);
			at = now;
			if (level + 1 > size) return { admitted: false, waitMs: Math.ceil(((level + 1 - size) * 1000) / perSecond) };
			level += 1;
			return { admitted: true, waitMs: 0 };
		},
	};
}
