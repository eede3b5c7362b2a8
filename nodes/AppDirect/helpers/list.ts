import { NodeApiError, NodeOperationError, sleep, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { findResource } from '../shared/catalog';
import { isObject } from '../shared/guards';
import { listEndpointOf, listItemId, type ListEndpoint } from '../listing/endpoints';
import { ListingError } from '../listing/error';
import type { HeaderBag } from '../listing/pager';
import { toListedItem } from '../listing/items';
import type { ListFilters } from '../listing/query';
import type { LeakyBucket } from '../listing/rate-limit';
import { walkList, type ListIo } from '../listing/walk';
import { appDirectApiRequest, marketplaceOf } from '../transport';

/** Answered statuses the listing decides about itself (wait and retry); anything else fails the request. */
const RETRIED_STATUSES = [429, 500, 502, 503, 504] as const;

/** The values of the Companies parameter. */
export type CompanyScope = 'all' | 'one';

/** A date the date picker gives without a zone ("2026-01-31T00:00:00") is read as UTC, as the field says. */
export function modifiedSinceOf(value: unknown): string | number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (isObject(value) && typeof value.toISO === 'function') return String((value.toISO as () => string)());
	if (typeof value === 'number') return value;
	const text = String(value).trim();
	return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}Z` : text;
}

/** Limit as entered: a whole number of at least 1, or a clear error. */
export function limitOf(value: unknown): number {
	const limit = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
		throw new ListingError('bad-filter', `Limit must be a whole number of at least 1, not "${String(value)}"`);
	}
	return limit;
}

/** Which lists to read: the marketplace's, one company's, or (for per-company lists) every company's. */
function companiesToList(endpoint: ListEndpoint, scope: CompanyScope, companyId: string): 'marketplace' | 'every' | string {
	if (scope === 'one') {
		if (companyId === '') throw new ListingError('bad-filter', 'Company ID is empty: enter the id of the company whose resources to list');
		return companyId;
	}
	return endpoint.perCompany ? 'every' : 'marketplace';
}

const NOTHING_PASSED_ON =
	'Nothing was output for this item, so that a partial list is never taken for the whole one. Run the workflow again; if it keeps failing, check the marketplace and the credential.';

/** The node's words for a listing that stopped: which list, and that nothing was passed on. */
function explain(context: IExecuteFunctions, itemIndex: number, endpoint: ListEndpoint | undefined, error: ListingError) {
	if (['bad-filter', 'filter-not-offered', 'unknown-resource'].includes(error.reason)) {
		return new NodeOperationError(context.getNode(), error.message, { itemIndex });
	}
	const what = endpoint ? findResource(endpoint.resourceType)?.plural ?? endpoint.resourceType : 'resources';
	const cause = (error as Error & { cause?: unknown }).cause;
	// The transport already explained what to check (token, marketplace URL, permissions): keep its words.
	const explained = error.reason === 'request-failed' && (cause instanceof NodeApiError || cause instanceof NodeOperationError) ? cause : undefined;
	return new NodeOperationError(context.getNode(), `The list of ${what} stopped before it was complete: ${explained?.message ?? error.message}`, {
		itemIndex,
		description: `${explained?.description ?? ''} ${NOTHING_PASSED_ON}`.trim(),
	});
}

/**
 * Get Many for one input item: every page of the chosen list (or of every company's), at most
 * as fast as `bucket` allows, shared by the whole execution. The items come back only once the
 * listing is complete; a listing that stops throws, with no items.
 */
export async function listResources(context: IExecuteFunctions, itemIndex: number, bucket: LeakyBucket): Promise<IDataObject[]> {
	let endpoint: ListEndpoint | undefined;
	try {
		endpoint = listEndpointOf(String(context.getNodeParameter('resourceType', itemIndex)));
		const returnAll = context.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? undefined : limitOf(context.getNodeParameter('limit', itemIndex, 50));
		const rawFilters = context.getNodeParameter('filters', itemIndex, {}) as IDataObject;
		const filters: ListFilters = { modifiedSince: modifiedSinceOf(rawFilters.modifiedSince), status: rawFilters.status as string | undefined };
		const scope = endpoint.companyPath ? (context.getNodeParameter('companies', itemIndex, 'all') as CompanyScope) : 'all';
		const companyId = scope === 'one' ? String(context.getNodeParameter('companyId', itemIndex, '')).trim() : '';
		const which = companiesToList(endpoint, scope, companyId);

		const marketplace = await marketplaceOf(context, itemIndex);
		const io: ListIo = {
			request: async (path, qs) => {
				const response = await appDirectApiRequest(context, itemIndex, { method: 'GET', url: path, qs, answerStatuses: RETRIED_STATUSES });
				return { status: response.statusCode, body: response.body, headers: response.headers as HeaderBag };
			},
			sleep,
			now: () => Date.now(),
			// Retried statuses come back as answers; whatever the transport throws is final and already explained.
			failureOf: () => undefined,
			bucket,
		};

		let companies: Array<string | undefined> = [which === 'marketplace' || which === 'every' ? undefined : which];
		if (which === 'every') {
			const companyList = listEndpointOf('COMPANY');
			const listed = await walkList(companyList, {}, io);
			companies = listed.items.map((item) => listItemId(companyList, item)).filter((id): id is string => id !== undefined);
		}
		const items: IDataObject[] = [];
		const fetchedAt = new Date().toISOString();
		for (const company of companies) {
			const remaining = limit === undefined ? undefined : limit - items.length;
			if (remaining !== undefined && remaining <= 0) break;
			const listed = await walkList(endpoint, { companyId: company, filters, limit: remaining }, io);
			for (const item of listed.items) {
				items.push(toListedItem(endpoint, item, { marketplace, companyId: company, fetchedAt }) as IDataObject);
			}
		}
		return items;
	} catch (error) {
		if (error instanceof ListingError) throw explain(context, itemIndex, endpoint, error);
		throw error instanceof NodeApiError || error instanceof NodeOperationError
			? error
			: new NodeOperationError(context.getNode(), error as Error, { itemIndex });
	}
}
