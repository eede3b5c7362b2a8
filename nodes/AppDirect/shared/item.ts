import { findResource, WEBHOOK_TOKEN_HEADERS, type FieldSpec } from './catalog';
import { originOf } from './url';

/** A notification after validation and normalisation; `content` and `raw` are as sent. */
export interface ParsedNotification {
	resourceType: string;
	/** ADDED, CHANGED, REMOVED, or an action AppDirect may add later, upper case. */
	action: string;
	event: string;
	notificationId: string | null;
	timestamp: number | null;
	resourceId: string | null;
	resourceUrl: string | null;
	content: unknown;
	raw: Record<string, unknown>;
}

/**
 * Below this an epoch is in seconds, from it on in milliseconds: 10^11 seconds is the year 5138
 * and 10^11 milliseconds is March 1973, so no date AppDirect sends reads both ways.
 */
export const SECONDS_BELOW = 1e11;

/** 10 to 16 digits; fewer (20251127) is a date written out, not an epoch. */
const EPOCH_RANGE = { from: 1e9, below: 1e16 };

/** Epoch milliseconds from a number or a string of digits, in seconds or milliseconds; null for anything else. */
export function toEpoch(value: unknown): number | null {
	const text = typeof value === 'string' ? value.trim() : undefined;
	const number = text !== undefined && /^\d+$/.test(text) ? Number(text) : value;
	if (typeof number !== 'number' || !(number >= EPOCH_RANGE.from && number < EPOCH_RANGE.below)) return null;
	return number < SECONDS_BELOW ? Math.round(number * 1000) : number;
}

export interface ItemOptions {
	includeRawNotification?: boolean;
	/** Request headers to attach; secrets are removed here, whatever the caller passes. */
	headers?: Record<string, unknown>;
}

/** Headers that carry secrets: never copied into workflow data. */
const SECRET_HEADERS = new Set<string>([...WEBHOOK_TOKEN_HEADERS, 'authorization', 'proxy-authorization', 'cookie']);

function valueAt(source: unknown, path: string): unknown {
	let current = source;
	for (const key of path.split('.')) {
		if (typeof current !== 'object' || current === null) return undefined;
		if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

function matchesType(value: unknown, field: FieldSpec): boolean {
	return field.type === 'array' ? Array.isArray(value) : typeof value === field.type;
}

function isoFromEpoch(value: unknown): string | null {
	const epoch = toEpoch(value);
	if (epoch === null) return null;
	const date = new Date(epoch);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** A percent-decoded URL segment; a malformed one as it stands. */
export function decodeOrRaw(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		// Malformed %-escapes: the id as it stands is still better than no id.
		return text;
	}
}

/**
 * What the flat fields are read from: a resource's content and its REST URL. A notification
 * (trigger) and a resource read through the API (AppDirect node) both have them.
 */
export interface ResourceSource {
	content: unknown;
	resourceUrl: string | null;
}

/** One flat field; null when the resource does not carry it in the documented shape. */
function fieldValue(field: FieldSpec, source: ResourceSource): unknown {
	if (field.urlPattern) {
		const match = source.resourceUrl?.match(field.urlPattern);
		return match ? decodeOrRaw(match[1]) : null;
	}
	for (const path of field.paths ?? []) {
		const value = valueAt(source.content, path);
		if (value === undefined || value === null) continue;
		if (field.epochToIso) {
			// Fields that are already dates (YYYY-MM-DD) pass through unchanged.
			return isoFromEpoch(value) ?? (typeof value === 'string' ? value : null);
		}
		if (field.type === 'string' && typeof value === 'number') return String(value);
		if (matchesType(value, field)) return value;
	}
	return null;
}

export function safeHeaders(headers: Record<string, unknown>): Record<string, unknown> {
	const copy: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (!SECRET_HEADERS.has(name.toLowerCase())) copy[name.toLowerCase()] = value;
	}
	return copy;
}

/** The flat CRM fields of a resource type, in catalog order; none for types without documented content. */
function resourceFields(resourceType: string | null, source: ResourceSource): Record<string, unknown> {
	const fields: Record<string, unknown> = {};
	for (const field of (resourceType === null ? undefined : findResource(resourceType))?.fields ?? []) {
		fields[field.name] = fieldValue(field, source);
	}
	return fields;
}

/** The workflow item for one notification: the public contract documented in the README. */
export function toItem(notification: ParsedNotification, options: ItemOptions = {}): Record<string, unknown> {
	const item: Record<string, unknown> = {
		event: notification.event,
		resourceType: notification.resourceType,
		action: notification.action,
		notificationId: notification.notificationId,
		timestamp: notification.timestamp,
		occurredAt: isoFromEpoch(notification.timestamp),
		resourceId: notification.resourceId,
		resourceUrl: notification.resourceUrl,
		marketplaceUrl: originOf(notification.resourceUrl),
	};
	Object.assign(item, resourceFields(notification.resourceType, notification));
	item.content = notification.content;
	if (options.includeRawNotification) item.notification = notification.raw;
	if (options.headers) item.headers = safeHeaders(options.headers);
	return item;
}

/** A resource as the AppDirect node read it from the marketplace's API. */
export interface FetchedResource {
	resourceType: string | null;
	resourceId: string | null;
	resourceUrl: string;
	/** False when AppDirect answered 404: the resource was removed (or never existed). */
	exists: boolean;
	/** ISO 8601. */
	fetchedAt: string;
	/** The JSON AppDirect returned; null when the resource does not exist. */
	content: unknown;
}

/** The envelope of the notification a resource was read for (the trigger's item fields of that name). */
export interface NotificationFields {
	event: string;
	action: string | null;
	notificationId: string | null;
	timestamp: number | null;
	occurredAt: string | null;
}

/**
 * The AppDirect node's item: the trigger's contract for the resource (type, id, URL, the same
 * flat fields from the same catalog, content) plus `exists` and `fetchedAt`. With the notification
 * it was read for, its envelope too, in the trigger's order: the trigger's item, current.
 */
export function toFetchedItem(resource: FetchedResource, notification?: NotificationFields): Record<string, unknown> {
	const content = resource.exists ? resource.content : null;
	const resourceFieldsOf = {
		resourceId: resource.resourceId,
		resourceUrl: resource.resourceUrl,
		marketplaceUrl: originOf(resource.resourceUrl),
		exists: resource.exists,
		fetchedAt: resource.fetchedAt,
		...resourceFields(resource.resourceType, { content, resourceUrl: resource.resourceUrl }),
		content,
	};
	if (!notification) return { resourceType: resource.resourceType, ...resourceFieldsOf };
	return {
		event: notification.event,
		resourceType: resource.resourceType,
		action: notification.action,
		notificationId: notification.notificationId,
		timestamp: notification.timestamp,
		occurredAt: notification.occurredAt,
		...resourceFieldsOf,
	};
}
