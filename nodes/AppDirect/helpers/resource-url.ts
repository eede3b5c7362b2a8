import { RESOURCES, titleOf, type ResourceSpec } from '../shared/catalog';
import { decodeOrRaw } from '../shared/item';
import type { Checked } from '../transport/origin';

/**
 * The resource types the Get operation offers: every catalog type with a REST path, each path
 * once (a staging product is read at its catalog product's URL).
 */
export const READABLE_RESOURCES: readonly ResourceSpec[] = RESOURCES.filter(
	(resource, index) =>
		resource.restPath !== undefined && RESOURCES.findIndex((other) => other.restPath === resource.restPath) === index,
);

const PLACEHOLDER = /\{(\w+)\}/g;

/** `{companyId}` and `{userId}` for memberships, `{id}` for everything else. */
export function idNames(resource: ResourceSpec): string[] {
	return [...(resource.restPath ?? '').matchAll(PLACEHOLDER)].map((match) => match[1]);
}

/** "ID", "Company ID", "User ID": how the node panel labels an id field. */
export function idLabel(name: string): string {
	return name === 'id' ? 'ID' : `${titleOf(name.replace(/Id$/, ''))} ID`;
}

/** The REST URL of one resource on the marketplace, with every id percent-encoded. */
export function restUrl(marketplace: string, resource: ResourceSpec, ids: Record<string, unknown>): Checked<string> {
	if (!resource.restPath) return { ok: false, problem: `AppDirect documents no REST URL for ${resource.plural}` };
	let missing: string | undefined;
	const path = resource.restPath.replace(PLACEHOLDER, (_placeholder, name: string) => {
		const raw = ids[name];
		const value = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
		if (value.length === 0) missing ??= name;
		return encodeURIComponent(value);
	});
	if (missing) {
		return { ok: false, problem: `${idLabel(missing)} is empty: enter the id of the ${titleOf(resource.type).toLowerCase()} to read` };
	}
	return { ok: true, value: `${marketplace}${path}` };
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const PATTERNS = RESOURCES.filter((resource) => resource.restPath !== undefined).map((resource) => ({
	resource,
	pattern: new RegExp(
		`^${resource
			.restPath!.split(PLACEHOLDER)
			.map((part, index) => (index % 2 === 1 ? '([^/]+)' : escapeRegExp(part)))
			.join('')}/?$`,
	),
}));

export interface Identified {
	/** The catalog type whose REST path the URL has; null for a path the catalog does not know. */
	resourceType: string | null;
	/** The last id in the path (a membership's user); for an unknown path its last segment. */
	resourceId: string | null;
}

/** Which resource a REST URL's path names. Products come out as CATALOG_PRODUCT (staging products share the path). */
export function identifyResource(pathname: string): Identified {
	for (const { resource, pattern } of PATTERNS) {
		const match = pattern.exec(pathname);
		if (match) return { resourceType: resource.type, resourceId: decodeOrRaw(match[match.length - 1]) };
	}
	const last = pathname.split('/').filter((segment) => segment.length > 0).pop();
	return { resourceType: null, resourceId: last === undefined ? null : decodeOrRaw(last) };
}
