/**
 * A listed resource as a workflow item: the same item Get and Get Current State give for it
 * (type, id, the single-read URL, the catalog's flat fields, content), so that one mapping step
 * serves notifications, imports and reconciliation alike.
 */
import { findResource } from '../shared/catalog';
import { isObject } from '../shared/guards';
import { toFetchedItem } from '../shared/item';
import { parseUrl } from '../shared/url';
import { restUrl } from '../helpers/resource-url';
import type { ListEndpoint } from './endpoints';
import { listItemId } from './endpoints';

type Bag = Record<string, unknown>;

const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);

/** The ids of a list item's single-read URL (the catalog's REST path), by resource type. */
const SINGLE_READ_IDS: Record<string, (item: Bag, companyId?: string) => Record<string, unknown>> = {
	USER: (item) => ({ id: text(item.uuid) }),
	COMPANY: (item) => ({ id: text(item.uuid) }),
	MEMBERSHIP: (item, companyId) => ({
		companyId: text(isObject(item.company) ? item.company.uuid : undefined) ?? companyId,
		userId: text(isObject(item.user) ? item.user.uuid : undefined),
	}),
	SUBSCRIPTION: (item) => ({ id: text(item.id) }),
};

/**
 * Flat fields a list does not carry (the list shape has no such fact), null in Get Many's
 * items where Get Current State has a value. Everything else is equal for the same resource.
 */
export const NOT_IN_LISTS: Readonly<Record<string, readonly string[]>> = {
	// No status (only `activated`), no contact, no memberships in the users list.
	USER: ['status', 'phoneNumber', 'companyId', 'companyName'],
	COMPANY: ['status'],
	// Roles come as ROLE_USER rather than USER: passed on as listed.
	MEMBERSHIP: ['roles'],
	// The company invoices list has no invoice number.
	INVOICE: ['invoiceNumber'],
	// A company's subscriptions name their order only by id; the marketplace-wide list has it all.
	SUBSCRIPTION: [],
};

/** The `self` link of a list item, for types whose list ids are not the single read's (invoices). */
function selfLink(item: Bag): string | undefined {
	const links = Array.isArray(item.links) ? item.links : [];
	const self = links.find((link) => isObject(link) && link.rel === 'self');
	return isObject(self) && typeof self.href === 'string' ? self.href : undefined;
}

export interface ListedContext {
	/** The credential's marketplace origin. */
	marketplace: string;
	/** The company whose list this was, for lists of one company. */
	companyId?: string;
	fetchedAt: string;
}

/**
 * The URL the same resource is read at: the catalog's REST path where the list item carries its
 * ids; otherwise the item's own `self` link when it is on the marketplace (never another host).
 */
export function resourceUrlOf(endpoint: ListEndpoint, item: Bag, context: ListedContext): string | null {
	const ids = SINGLE_READ_IDS[endpoint.resourceType]?.(item, context.companyId);
	const resource = findResource(endpoint.resourceType);
	if (ids && resource) {
		const built = restUrl(context.marketplace, resource, ids);
		if (built.ok) return built.value;
	}
	const self = selfLink(item);
	const url = parseUrl(self, context.marketplace);
	return url?.origin === context.marketplace ? url.href : null;
}

/** One listed resource as a workflow item (exists: true, it was just listed). */
export function toListedItem(endpoint: ListEndpoint, item: unknown, context: ListedContext): Record<string, unknown> {
	const bag = isObject(item) ? item : {};
	const resourceUrl = resourceUrlOf(endpoint, bag, context);
	return toFetchedItem({
		resourceType: endpoint.resourceType,
		resourceId: listItemId(endpoint, item) ?? null,
		resourceUrl: resourceUrl ?? '',
		exists: true,
		fetchedAt: context.fetchedAt,
		content: item,
	});
}
