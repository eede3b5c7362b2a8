/**
 * The one list of AppDirect webhook resource types and actions. Parameter options, output
 * names, item fields and the README's reference tables are all derived from it.
 *
 * Event names (`subscription.added`) are stored in users' workflows: never rename one.
 */

export type Action = 'ADDED' | 'CHANGED' | 'REMOVED';

const ACTIONS: readonly Action[] = ['ADDED', 'CHANGED', 'REMOVED'];

/** Where AppDirect puts the webhook token: the current header first, then the legacy one. */
export const WEBHOOK_TOKEN_HEADERS = ['x-appdirect-webhook-token', 'appdirect-webhook-token'] as const;

/** Every notification may be selected with this value, whatever its type or action. */
export const ALL_EVENTS = '*';

export type FieldType = 'string' | 'number' | 'boolean' | 'array';

/**
 * A flat, well-named item field taken from the notification. `paths` are dotted paths into
 * `resource.content`, tried in order; `urlPattern` takes the first capture group from
 * `resource.url` instead (memberships identify their company only there).
 */
export interface FieldSpec {
	name: string;
	type: FieldType;
	description: string;
	paths?: readonly string[];
	urlPattern?: RegExp;
	/** AppDirect dates are epoch milliseconds; CRMs want ISO 8601. */
	epochToIso?: boolean;
}

export interface ResourceSpec {
	/** `resource.type` on the wire, upper snake case. */
	type: string;
	/** Plural noun used in help texts. */
	plural: string;
	actions: readonly Action[];
	/**
	 * Path of the resource's REST URL after the marketplace origin. The AppDirect node reads
	 * resources there; `{name}` marks an id, the last one being the resource's own.
	 */
	restPath?: string;
	/** False where the wire spelling is our best reading of AppDirect's docs. */
	confirmedSpelling: boolean;
	/** Flat fields that CRM mappings need; empty where AppDirect documents no content. */
	fields: readonly FieldSpec[];
}

const NO_REMOVE: readonly Action[] = ['ADDED', 'CHANGED'];

function fieldMaker(type: FieldType, epochToIso = false) {
	return (name: string, description: string, ...paths: string[]): FieldSpec => ({
		name,
		type,
		description,
		paths,
		...(epochToIso ? { epochToIso } : {}),
	});
}
const s = fieldMaker('string');
const n = fieldMaker('number');
const b = fieldMaker('boolean');
const date = fieldMaker('string', true);

/**
 * Subscriptions carry their order under `order` (the marketplace-wide list's example under
 * `_embedded.order`); order notifications carry it at the top.
 */
function orderFields(...prefixes: string[]): FieldSpec[] {
	const at = (key: string) => prefixes.map((prefix) => `${prefix}${key}`);
	return [
		s('frequency', 'Billing frequency, for example MONTHLY or YEARLY', ...at('frequency')),
		s('currency', 'Currency code of the order, for example USD', ...at('currency')),
		n('totalPrice', 'Total price of the order, in its currency', ...at('totalPrice')),
		date('nextBillingDate', 'Next billing date (ISO 8601)', ...at('nextBillingDate')),
	];
}

// Later paths are where AppDirect's lists (Get Many) put the same fact: the list shapes differ
// from the single reads (docs/appdirect-listing.md, "What the list items look like").

// Notifications nest the product under `application`; a GET on the product's URL returns the
// REST product definition instead, with the same facts at the top level (second paths).
const PRODUCT_FIELDS: readonly FieldSpec[] = [
	s('productName', 'Product name', 'application.name', 'name'),
	s('productId', 'Product id', 'application.id', 'id'),
	s('productUuid', 'Product uuid', 'application.uuid', 'uuid'),
	s('productRefId', 'Product reference id', 'application.productRefId'),
	s('vendorName', 'Vendor name', 'application.vendor.name', 'vendorName'),
];

export const RESOURCES: readonly ResourceSpec[] = [
	{
		type: 'SUBSCRIPTION',
		plural: 'subscriptions',
		actions: ACTIONS,
		restPath: '/api/billing/v1/subscriptions/{id}',
		confirmedSpelling: true,
		fields: [
			s('status', 'Subscription status, for example ACTIVE, FREE_TRIAL, SUSPENDED or CANCELLED', 'status'),
			s('companyId', 'Id of the company that owns the subscription', 'company.id'),
			s('userId', 'Id of the user who bought it', 'user.id'),
			s('productId', 'Id of the product', 'product.id'),
			s('editionId', 'Id of the edition (plan)', 'edition.id'),
			...orderFields('order.', '_embedded.order.'),
			n('maxUsers', 'Number of seats', 'maxUsers'),
			s('externalAccountId', "The vendor's account id for this subscription", 'externalAccountId'),
			s('parentSubscriptionId', 'For add-ons: the subscription they belong to', 'parentSubscriptionId'),
			date('createdAt', 'When the subscription was created (ISO 8601)', 'creationDate'),
			date('endsAt', 'When the subscription ends (ISO 8601)', 'endDate'),
		],
	},
	{
		type: 'USER',
		plural: 'users',
		actions: ACTIONS,
		restPath: '/api/account/v1/users/{id}',
		confirmedSpelling: true,
		fields: [
			s('email', 'Email address', 'email'),
			s('firstName', 'First name', 'firstName'),
			s('lastName', 'Last name', 'lastName'),
			s('username', 'User name', 'username', 'userName'),
			s('status', 'ACTIVE, or INACTIVE until the user activates the account', 'status'),
			s('locale', 'Locale, for example en_US', 'locale', 'language'),
			s('phoneNumber', 'Phone number', 'contact.phoneNumber', 'contact.mobilePhone'),
			s('externalId', 'External id set by an integration', 'externalId'),
			s('companyId', 'Id of the first company the user belongs to', 'memberships.0.company.id'),
			s('companyName', 'Name of the first company the user belongs to', 'memberships.0.company.name'),
			date('createdAt', 'When the user was created (ISO 8601)', 'creationDate'),
		],
	},
	{
		type: 'COMPANY',
		plural: 'companies',
		actions: ACTIONS,
		restPath: '/api/account/v1/companies/{id}',
		confirmedSpelling: true,
		fields: [
			s('name', 'Company name', 'name'),
			s('status', 'Company status', 'status'),
			b('enabled', 'Whether the company is enabled', 'enabled'),
			s('size', 'Company size band', 'size', 'companySize'),
			s('website', 'Website', 'website'),
			s('phoneNumber', 'Phone number', 'contact.phoneNumber', 'phoneNumber'),
			s('city', 'City', 'contact.address.city', 'address.city'),
			s('country', 'Country', 'contact.address.country', 'address.country'),
			s('externalId', 'External id set by an integration', 'externalId'),
		],
	},
	{
		type: 'MEMBERSHIP',
		plural: 'memberships',
		actions: ACTIONS,
		restPath: '/api/account/v1/companies/{companyId}/users/{userId}',
		confirmedSpelling: false,
		fields: [
			{
				name: 'companyId',
				type: 'string',
				description: 'Id of the company (from the resource URL)',
				urlPattern: /\/companies\/([^/?#]+)/,
			},
			{
				name: 'userId',
				type: 'string',
				description: 'Id of the user (from the resource URL)',
				urlPattern: /\/users\/([^/?#]+)/,
			},
			s('email', "The member's email address", 'email', 'user.email'),
			s('firstName', "The member's first name", 'firstName', 'user.firstName'),
			s('lastName', "The member's last name", 'lastName', 'user.lastName'),
			{ name: 'roles', type: 'array', description: 'Roles in the company', paths: ['roles'] },
			b('enabled', 'Whether the membership is enabled', 'enabled'),
		],
	},
	{
		type: 'ORDER',
		plural: 'orders',
		actions: ACTIONS,
		restPath: '/api/billing/v1/orders/{id}',
		confirmedSpelling: false,
		fields: [
			s('status', 'Order status, for example ACTIVE, PENDING_USER_APPROVAL or CANCELLED', 'status'),
			s('companyId', 'Id of the company', 'company.id'),
			s('userId', 'Id of the user', 'user.id'),
			...orderFields(''),
		],
	},
	{
		type: 'INVOICE',
		plural: 'invoices',
		actions: ACTIONS,
		restPath: '/api/appmarket/v1/invoices/{id}',
		confirmedSpelling: false,
		fields: [
			s('invoiceNumber', 'Invoice number', 'billingRelationshipOwnerInvoiceNumber'),
			s('status', 'PAID, UNPAID, CARRIED or VOIDED', 'status'),
			s('currency', 'Currency code, for example USD', 'currency'),
			n('total', 'Invoice total, in its currency', 'total', 'totalPrice', 'totals.total'),
			date('invoiceDate', 'Invoice date (ISO 8601)', 'invoiceDate', 'creationDate'),
			date('dueDate', 'Payment due date (ISO 8601)', 'paymentTerms.dueDate', 'dueDate'),
		],
	},
	{
		type: 'APP_ASSIGNMENT',
		plural: 'app assignments',
		actions: ACTIONS,
		restPath: '/api/account/v2/subscriptions/assignments/{id}',
		confirmedSpelling: false,
		fields: [
			s('status', 'Assignment status, for example ACTIVE or PENDING_USER_ACTIVATION', 'status'),
			s('userId', 'Id of the assigned user', 'userUuid'),
			s('companyId', 'Id of the company', 'companyUuid'),
			s('subscriptionId', 'Id of the subscription', 'subscriptionUuid'),
		],
	},
	{ type: 'PAYMENT_INSTRUMENT', plural: 'payment instruments', actions: NO_REMOVE, confirmedSpelling: false, fields: [] },
	{
		type: 'CATALOG_PRODUCT',
		plural: 'catalog products',
		actions: ACTIONS,
		restPath: '/api/marketplace/v1/products/{id}',
		confirmedSpelling: true,
		fields: PRODUCT_FIELDS,
	},
	{
		type: 'STAGING_PRODUCT',
		plural: 'staging products',
		actions: NO_REMOVE,
		restPath: '/api/marketplace/v1/products/{id}',
		confirmedSpelling: true,
		fields: PRODUCT_FIELDS,
	},
	{ type: 'DISCOUNT', plural: 'discounts', actions: ACTIONS, confirmedSpelling: false, fields: [] },
	{ type: 'SALES_LEAD', plural: 'sales leads', actions: ACTIONS, confirmedSpelling: false, fields: [] },
	{ type: 'SALES_OPPORTUNITY', plural: 'sales opportunities', actions: NO_REMOVE, confirmedSpelling: false, fields: [] },
	{ type: 'QUOTE', plural: 'quotes', actions: ACTIONS, confirmedSpelling: false, fields: [] },
	{ type: 'RESELLER_REGISTRANT', plural: 'reseller registrants', actions: ['ADDED'], confirmedSpelling: false, fields: [] },
];

/** `SALES_LEAD` → `sales_lead`: the first half of an event name. */
function eventPrefix(resourceType: string): string {
	return resourceType.toLowerCase();
}

/** `sales_lead.added` → `Sales Lead Added`; also used for output names. */
export function titleOf(key: string): string {
	return key
		.split(/[._]/)
		.filter((word) => word.length > 0)
		.map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
		.join(' ');
}

export function eventName(resourceType: string, action: string): string {
	return `${eventPrefix(resourceType)}.${action.toLowerCase()}`;
}

export interface EventSpec {
	name: string;
	displayName: string;
	resource: ResourceSpec;
	action: Action;
}

export const EVENTS: readonly EventSpec[] = RESOURCES.flatMap((resource) =>
	resource.actions.map((action) => {
		const name = eventName(resource.type, action);
		return { name, displayName: titleOf(name), resource, action };
	}),
);

const RESOURCE_BY_TYPE = new Map(RESOURCES.map((resource) => [resource.type, resource]));

export function findResource(resourceType: string): ResourceSpec | undefined {
	return RESOURCE_BY_TYPE.get(resourceType);
}

/** The item fields every notification has, whatever its type; resource fields may not reuse them. */
export const ENVELOPE_FIELDS: readonly FieldSpec[] = [
	s('event', 'Event name, for example subscription.added'),
	s('resourceType', 'Resource type in upper snake case, for example SUBSCRIPTION'),
	s('action', 'ADDED, CHANGED or REMOVED'),
	s('notificationId', "The notification's uuid: use it to recognise a notification delivered twice"),
	n('timestamp', 'When the event happened, in epoch milliseconds (a notification that sends seconds is converted)'),
	s('occurredAt', 'When the event happened (ISO 8601)'),
	s('resourceId', 'Uuid of the resource the event is about'),
	s('resourceUrl', 'REST URL of the resource on the marketplace'),
	s('marketplaceUrl', 'Base URL of the marketplace that sent the event'),
];

/** The item fields of a resource read through AppDirect's API (the AppDirect node), before the flat fields. */
export const FETCHED_FIELDS: readonly FieldSpec[] = [
	s('resourceType', 'Resource type in upper snake case, for example SUBSCRIPTION; null when the URL is not one the catalog knows'),
	s('resourceId', 'The id in the resource URL (for products the numeric product id; a notification names the product by its uuid)'),
	s('resourceUrl', 'The REST URL that was read'),
	s('marketplaceUrl', 'Base URL of the marketplace'),
	b('exists', 'Whether the resource exists; false when AppDirect answered 404 (it was removed)'),
	s('fetchedAt', 'When the node read the resource (ISO 8601)'),
];
