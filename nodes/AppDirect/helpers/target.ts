import { checkResourceUrl, type Checked } from '../transport/origin';
import { identifyResource, READABLE_RESOURCES, restUrl } from './resource-url';

/** The values of the node's Operation parameter. */
export type Operation = 'getCurrentState' | 'get';

/** What one item asks the node to read, after the origin check. */
export interface Target {
	/** Normalised, on the credential's marketplace, under /api/. */
	url: string;
	resourceType: string | null;
	resourceId: string | null;
}

/**
 * The URL an item's parameters point at, or why it is refused. `parameter` reads a node
 * parameter for the item. Get builds the URL from the catalog and still goes through the same
 * origin check as a URL taken from a notification.
 */
export function targetOf(operation: Operation, parameter: (name: string) => unknown, marketplace: string): Checked<Target> {
	let candidate: unknown;
	let resourceType: string | undefined;
	if (operation === 'get') {
		const wanted = String(parameter('resourceType'));
		const resource = READABLE_RESOURCES.find((readable) => readable.type === wanted);
		if (!resource) {
			return {
				ok: false,
				problem: `Resource Type "${wanted}" cannot be read; choose one of ${READABLE_RESOURCES.map((readable) => readable.type).join(', ')}`,
			};
		}
		const ids = Object.fromEntries(['id', 'companyId', 'userId'].map((name) => [name, parameter(name)]));
		const built = restUrl(marketplace, resource, ids);
		if (!built.ok) return built;
		candidate = built.value;
		resourceType = resource.type;
	} else {
		candidate = parameter('resourceUrl');
	}
	const checked = checkResourceUrl(candidate, marketplace);
	if (!checked.ok) return checked;
	const identified = identifyResource(new URL(checked.value).pathname);
	return {
		ok: true,
		value: {
			url: checked.value,
			resourceType: resourceType ?? identified.resourceType,
			resourceId: identified.resourceId,
		},
	};
}
