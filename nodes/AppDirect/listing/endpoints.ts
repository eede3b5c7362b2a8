/**
 * AppDirect's list endpoints, keyed by the catalog's resource types. Facts and their sources:
 * docs/appdirect-listing.md.
 */
import { findResource } from '../shared/catalog';
import { ListingError } from './error';

/** `page`/`size` with a `{content, page}` envelope, or `start`/`count` with a plain array. */
export type PagingStyle = 'page' | 'start';

export interface ListEndpoint {
	/** The catalog's `resource.type`, e.g. `SUBSCRIPTION`. */
	resourceType: string;
	/** Path after the marketplace origin; `{companyId}` where AppDirect lists per company. */
	path: string;
	/** Listing the whole marketplace needs one request series per company. */
	perCompany: boolean;
	/** Where one company's resources can be listed on their own (for "one company"). */
	companyPath?: string;
	paging: PagingStyle;
	/** Items per request the node asks for (why these numbers: docs/appdirect-listing.md). */
	pageSize: number;
	/** AppDirect's default when the size is not sent. */
	defaultPageSize: number;
	/** The query parameter for "modified since" (epoch ms), where AppDirect has one. */
	modifiedSince?: 'lastModified';
	/** Status values AppDirect filters on, where it has a `status` filter. */
	statuses?: readonly string[];
	/** Dotted path of an item's id in the list's answer (the list shapes differ from the single reads). */
	idPath: string;
	/** `operationId` in AppDirect's OpenAPI file. */
	operationId: string;
}

const SUBSCRIPTION_STATUSES = ['INITIALIZED', 'FAILED', 'FREE_TRIAL', 'FREE_TRIAL_EXPIRED', 'ACTIVE', 'SUSPENDED', 'CANCELLED'] as const;
const INVOICE_STATUSES = ['CARRIED', 'PAID', 'UNPAID', 'VOIDED'] as const;

// size=100: no maximum is documented; the pager copes with a server that answers fewer.
// count=250: the documented default, so certainly accepted.
const PAGED = { paging: 'page', pageSize: 100, defaultPageSize: 50 } as const;
const STARTED = { paging: 'start', pageSize: 250, defaultPageSize: 250 } as const;

export const LIST_ENDPOINTS: readonly ListEndpoint[] = [
	{
		resourceType: 'USER',
		idPath: 'uuid',
		path: '/api/account/v2/users',
		perCompany: false,
		...PAGED,
		modifiedSince: 'lastModified',
		operationId: 'resource_User_readAllUsers_GET',
	},
	{
		resourceType: 'COMPANY',
		idPath: 'uuid',
		path: '/api/account/v2/companies',
		perCompany: false,
		...PAGED,
		operationId: 'resource_Company_readAllCompanies_GET',
	},
	{
		resourceType: 'MEMBERSHIP',
		idPath: 'user.uuid',
		path: '/api/account/v2/companies/{companyId}/memberships',
		perCompany: true,
		companyPath: '/api/account/v2/companies/{companyId}/memberships',
		...PAGED,
		operationId: 'resource_Company_readCompanyMemberships_GET',
	},
	{
		resourceType: 'SUBSCRIPTION',
		idPath: 'id',
		path: '/api/billing/v1/subscriptions',
		perCompany: false,
		companyPath: '/api/billing/v1/companies/{companyId}/subscriptions',
		...STARTED,
		modifiedSince: 'lastModified',
		statuses: SUBSCRIPTION_STATUSES,
		operationId: 'resource_Subscription_readSubscriptions_GET',
	},
	{
		resourceType: 'INVOICE',
		idPath: 'invoiceId',
		path: '/api/billing/v1/companies/{companyId}/invoices',
		perCompany: true,
		companyPath: '/api/billing/v1/companies/{companyId}/invoices',
		...STARTED,
		statuses: INVOICE_STATUSES,
		operationId: 'resource_Other_readCompanyInvoices_GET',
	},
];

const BY_TYPE = new Map(LIST_ENDPOINTS.map((endpoint) => [endpoint.resourceType, endpoint]));

/** An item's id as text (invoices have numeric ids), or undefined when it has none. */
export function listItemId(endpoint: ListEndpoint, item: unknown): string | undefined {
	let value: unknown = item;
	for (const key of endpoint.idPath.split('.')) {
		value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
	}
	return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** The resource types that can be listed, in catalog order. */
export function listableTypes(): string[] {
	return LIST_ENDPOINTS.map((endpoint) => endpoint.resourceType);
}

export function listEndpointOf(resourceType: string): ListEndpoint {
	const endpoint = BY_TYPE.get(resourceType);
	if (!endpoint) {
		const known = findResource(resourceType);
		const what = known ? `AppDirect has no documented list of ${known.plural}` : `"${resourceType}" is not an AppDirect resource type`;
		throw new ListingError('unknown-resource', `${what}; lists exist for ${listableTypes().join(', ')}`);
	}
	return endpoint;
}

/**
 * The path of one listing: the whole marketplace (no company) or one company's resources. A
 * per-company resource without a company is refused rather than guessed.
 */
export function listPath(endpoint: ListEndpoint, companyId?: string): string {
	if (companyId === undefined || companyId === '') {
		if (endpoint.perCompany) {
			throw new ListingError('bad-filter', `AppDirect lists ${endpoint.resourceType} only per company: a company id is needed`);
		}
		return endpoint.path;
	}
	if (!endpoint.companyPath) {
		throw new ListingError('filter-not-offered', `AppDirect cannot list ${endpoint.resourceType} for one company`);
	}
	return endpoint.companyPath.replace('{companyId}', encodeURIComponent(companyId));
}
