/**
 * Types for AppDirect webhook notifications and for the items the AppDirect Trigger and the
 * AppDirect node emit.
 * AppDirect adds fields over time: every content type stays open (`[key: string]: unknown`).
 */

export type AppDirectAction = 'ADDED' | 'CHANGED' | 'REMOVED';

/** Epoch milliseconds, as AppDirect sends dates. */
export type EpochMillis = number;

export interface AppDirectLink {
	id?: string;
	href?: string;
	[key: string]: unknown;
}

export interface AppDirectNotification<TType extends string = string, TContent = unknown> {
	uuid: string;
	timestamp: EpochMillis;
	resource: {
		type: TType;
		uuid: string;
		url: string;
		/** Absent for REMOVED. */
		content?: TContent;
		[key: string]: unknown;
	};
	resourceAction: AppDirectAction | 'DELETED';
	[key: string]: unknown;
}

export interface AppDirectAddress {
	street1?: string;
	street2?: string;
	city?: string;
	state?: string;
	zip?: string;
	country?: string;
	[key: string]: unknown;
}

export interface AppDirectContact {
	phoneNumber?: string;
	mobilePhone?: string;
	address?: AppDirectAddress;
	[key: string]: unknown;
}

export interface AppDirectCompanyContent {
	id: string;
	name?: string;
	enabled?: boolean;
	status?: string;
	size?: string;
	website?: string;
	externalId?: string | null;
	contact?: AppDirectContact;
	customAttributes?: unknown;
	[key: string]: unknown;
}

export interface AppDirectUserContent {
	id: string;
	email?: string;
	username?: string;
	firstName?: string;
	lastName?: string;
	language?: string;
	locale?: string;
	status?: 'ACTIVE' | 'INACTIVE' | string;
	creationDate?: EpochMillis;
	lastSuccessfulLogin?: EpochMillis | null;
	externalId?: string | null;
	internalId?: string | null;
	contact?: AppDirectContact;
	customAttributes?: unknown;
	memberships?: Array<{ enabled?: boolean; company?: Partial<AppDirectCompanyContent>; [key: string]: unknown }>;
	[key: string]: unknown;
}

export interface AppDirectMembershipContent extends Partial<AppDirectUserContent> {
	roles?: string[];
	enabled?: boolean;
}

export interface AppDirectOrderLine {
	type?: string;
	unit?: string;
	quantity?: number;
	price?: number;
	totalPrice?: number;
	applicationName?: string;
	editionName?: string;
	description?: string;
	[key: string]: unknown;
}

export interface AppDirectOrderContent {
	id?: string;
	status?: string;
	frequency?: string;
	currency?: string;
	totalPrice?: number;
	nextBillingDate?: EpochMillis;
	orderLines?: AppDirectOrderLine[];
	company?: AppDirectLink;
	user?: AppDirectLink;
	[key: string]: unknown;
}

export interface AppDirectSubscriptionContent {
	id: string;
	status?: 'ACTIVE' | 'FREE_TRIAL' | 'SUSPENDED' | 'CANCELLED' | string;
	creationDate?: EpochMillis;
	endDate?: EpochMillis | null;
	externalAccountId?: string | null;
	maxUsers?: number | null;
	assignedUsers?: number | null;
	parentSubscriptionId?: string | null;
	customAttributes?: unknown;
	user?: AppDirectLink;
	company?: AppDirectLink;
	product?: AppDirectLink;
	edition?: AppDirectLink;
	order?: AppDirectOrderContent;
	[key: string]: unknown;
}

export interface AppDirectInvoiceContent {
	id?: string;
	uuid?: string;
	billingRelationshipOwnerInvoiceNumber?: string;
	status?: 'PAID' | 'UNPAID' | 'CARRIED' | 'VOIDED' | string;
	currency?: string;
	invoiceDate?: EpochMillis;
	paymentTerms?: { dueDate?: EpochMillis; [key: string]: unknown };
	seller?: unknown;
	partner?: unknown;
	[key: string]: unknown;
}

export interface AppDirectAppAssignmentContent {
	status?: string;
	userUuid?: string;
	companyUuid?: string;
	subscriptionUuid?: string;
	externalVendorIdentifier?: string | null;
	links?: unknown[];
	[key: string]: unknown;
}

export interface AppDirectProductContent {
	application?: {
		id?: string | number;
		uuid?: string;
		name?: string;
		productRefId?: string;
		vendor?: { name?: string; [key: string]: unknown };
		[key: string]: unknown;
	};
	[key: string]: unknown;
}

/** Content types for the resource types whose content AppDirect documents. */
export interface AppDirectContentByType {
	USER: AppDirectUserContent;
	COMPANY: AppDirectCompanyContent;
	MEMBERSHIP: AppDirectMembershipContent;
	SUBSCRIPTION: AppDirectSubscriptionContent;
	ORDER: AppDirectOrderContent;
	INVOICE: AppDirectInvoiceContent;
	APP_ASSIGNMENT: AppDirectAppAssignmentContent;
	CATALOG_PRODUCT: AppDirectProductContent;
	STAGING_PRODUCT: AppDirectProductContent;
}

/** The fields every item has (see the README's item contract). */
export interface AppDirectTriggerItemBase<TContent = unknown> {
	event: string;
	resourceType: string;
	action: AppDirectAction | string;
	notificationId: string | null;
	timestamp: EpochMillis | null;
	occurredAt: string | null;
	resourceId: string | null;
	resourceUrl: string | null;
	marketplaceUrl: string | null;
	/** As sent; null for removals. */
	content: TContent | null;
	/** With the "Include Raw Notification" option. */
	notification?: AppDirectNotification;
	/** With the "Include Request Headers" option; token and authorization headers removed. */
	headers?: Record<string, string | string[]>;
}

/**
 * The fields every item of the AppDirect node (Get Current State, Get) has; the resource type's
 * flat fields follow, the same as in the trigger's items (for example `AppDirectSubscriptionItem`).
 */
export interface AppDirectFetchedItemBase<TContent = unknown> {
	/** Null for a URL whose path the catalog does not know. */
	resourceType: string | null;
	/** The id in the resource URL. */
	resourceId: string | null;
	resourceUrl: string;
	marketplaceUrl: string | null;
	/** False when AppDirect answered 404. */
	exists: boolean;
	/** ISO 8601. */
	fetchedAt: string;
	/** As AppDirect returned it; null when the resource does not exist. */
	content: TContent | null;
	/** Get Current State right after the trigger: the notification's fields, from the trigger's item. */
	event?: string;
	action?: AppDirectAction | string | null;
	notificationId?: string | null;
	timestamp?: EpochMillis | null;
	occurredAt?: string | null;
}

type Nullable<T> = { [K in keyof T]: T[K] | null };

export type AppDirectSubscriptionItem = AppDirectTriggerItemBase<AppDirectSubscriptionContent> &
	Nullable<{
		status: string;
		companyId: string;
		userId: string;
		productId: string;
		editionId: string;
		frequency: string;
		currency: string;
		totalPrice: number;
		nextBillingDate: string;
		maxUsers: number;
		externalAccountId: string;
		parentSubscriptionId: string;
		createdAt: string;
		endsAt: string;
	}>;

export type AppDirectUserItem = AppDirectTriggerItemBase<AppDirectUserContent> &
	Nullable<{
		email: string;
		firstName: string;
		lastName: string;
		username: string;
		status: string;
		locale: string;
		phoneNumber: string;
		externalId: string;
		companyId: string;
		companyName: string;
		createdAt: string;
	}>;

export type AppDirectCompanyItem = AppDirectTriggerItemBase<AppDirectCompanyContent> &
	Nullable<{
		name: string;
		status: string;
		enabled: boolean;
		size: string;
		website: string;
		phoneNumber: string;
		city: string;
		country: string;
		externalId: string;
	}>;

export type AppDirectMembershipItem = AppDirectTriggerItemBase<AppDirectMembershipContent> &
	Nullable<{
		companyId: string;
		userId: string;
		email: string;
		firstName: string;
		lastName: string;
		roles: string[];
		enabled: boolean;
	}>;

export type AppDirectOrderItem = AppDirectTriggerItemBase<AppDirectOrderContent> &
	Nullable<{
		status: string;
		companyId: string;
		userId: string;
		totalPrice: number;
		currency: string;
		frequency: string;
		nextBillingDate: string;
	}>;

export type AppDirectInvoiceItem = AppDirectTriggerItemBase<AppDirectInvoiceContent> &
	Nullable<{
		invoiceNumber: string;
		status: string;
		currency: string;
		total: number;
		invoiceDate: string;
		dueDate: string;
	}>;

export type AppDirectAppAssignmentItem = AppDirectTriggerItemBase<AppDirectAppAssignmentContent> &
	Nullable<{ status: string; userId: string; companyId: string; subscriptionId: string }>;

export type AppDirectProductItem = AppDirectTriggerItemBase<AppDirectProductContent> &
	Nullable<{
		productName: string;
		productId: string;
		productUuid: string;
		productRefId: string;
		vendorName: string;
	}>;
