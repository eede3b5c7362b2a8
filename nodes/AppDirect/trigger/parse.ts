import { eventName } from '../shared/catalog';
import { isObject } from '../shared/guards';
import { toEpoch, type ParsedNotification } from '../shared/item';

export type { ParsedNotification };

export type ParseResult =
	| { ok: true; notification: ParsedNotification }
	| { ok: false; problem: string };

/** What every 400 answer shows the caller, so that a wrong sender can see what was expected. */
export const EXPECTED_SHAPE = {
	uuid: 'notification uuid',
	timestamp: 1764230400000,
	resource: { type: 'SUBSCRIPTION', uuid: 'resource uuid', url: 'https://…', content: {} },
	resourceAction: 'ADDED',
};

const MAX_NAME_LENGTH = 200;

/**
 * Real notifications are fewer than ten levels deep. Far deeper bodies are refused: n8n 2.41
 * stores them but then cannot read the execution back (its API and editor fail on it).
 */
export const MAX_DEPTH = 100;

const TOO_DEEP = `The body is nested more than ${MAX_DEPTH} levels deep`;

/**
 * `catalog-product`, `Catalog Product` and `catalog_product` are the same type. Other
 * punctuation becomes `_` too: an odd spelling is an unknown type, never a reason to refuse.
 */
export function normaliseResourceType(value: string): string {
	return value
		.trim()
		.replace(/[^A-Za-z0-9]+/g, '_')
		.replace(/^_+|_+$/g, '')
		.toUpperCase();
}

/** Older AppDirect material says DELETED where the wire now says REMOVED. */
export function normaliseAction(value: string): string {
	const action = normaliseResourceType(value);
	return action === 'DELETED' ? 'REMOVED' : action;
}

// JSON.parse keeps `__proto__` as an own key; dropping it means no later copy of the
// item (ours or n8n's) can turn it into a prototype.
function withoutProtoKeys(key: string, value: unknown): unknown {
	return key === '__proto__' ? undefined : value;
}

function stringOrNull(value: unknown): string | null {
	if (typeof value === 'string' && value.length > 0) return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

function nameProblem(value: unknown, path: string): string | null {
	if (value === undefined || value === null) return `${path} is missing`;
	if (typeof value !== 'string') return `${path} must be a string, got ${kindOf(value)}`;
	if (value.trim().length === 0) return `${path} is empty`;
	if (value.length > MAX_NAME_LENGTH) return `${path} is longer than ${MAX_NAME_LENGTH} characters`;
	if (normaliseResourceType(value).length === 0) return `${path} has no letters or digits`;
	return null;
}

function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (value === undefined) return 'nothing';
	if (Array.isArray(value)) return 'an array';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Whether objects and arrays nest deeper than `limit`, walked without recursion. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
	const stack: Array<[unknown, number]> = [[value, 1]];
	while (stack.length > 0) {
		const [current, depth] = stack.pop()!;
		if (typeof current !== 'object' || current === null) continue;
		if (depth > limit) return true;
		for (const child of Object.values(current)) {
			if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
		}
	}
	return false;
}

/** Whether a text has at most `limit` `{` and `[`: then it cannot nest deeper, and no walk is needed. */
function fewBrackets(text: string, limit: number): boolean {
	let count = 0;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if ((code === 0x7b || code === 0x5b) && ++count > limit) return false;
	}
	return true;
}

/** What n8n hands a trigger: the exact bytes once it has read them, and a way to read them. */
export interface WebhookRequestBody {
	rawBody?: { toString(encoding: 'utf8'): string };
	readRawBody?: () => Promise<void>;
}

/**
 * The request body as text when its bytes can be had, otherwise what n8n parsed. n8n reads the
 * bytes of most requests before the trigger runs, but not of every content type (multipart
 * ones, and any type it does not parse itself): those are read here, so
 * that a notification is accepted whatever Content-Type the sender declared.
 */
export async function requestBodyText(request: WebhookRequestBody, parsedBody: () => unknown): Promise<unknown> {
	if (!request.rawBody && typeof request.readRawBody === 'function') {
		try {
			await request.readRawBody();
		} catch {
			// n8n's form-data parser has consumed the stream already: its fields are all there is.
		}
	}
	return request.rawBody ? request.rawBody.toString('utf8') : parsedBody();
}

/**
 * Reads a request body (its text, or what n8n already parsed) into a
 * notification, or says in one sentence what is wrong with it.
 */
export function parseNotification(body: unknown): ParseResult {
	let envelope: unknown = body;
	if (typeof body === 'string') {
		// Some senders start UTF-8 JSON with a byte order mark; JSON.parse does not accept it.
		const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
		if (text.trim().length === 0) return { ok: false, problem: 'The request body is empty' };
		try {
			// A reviver makes parsing several times slower, so only bodies that could spell
			// `__proto__` (directly or with \u escapes) pay for it.
			envelope = /__proto__|\\u/.test(text) ? JSON.parse(text, withoutProtoKeys) : JSON.parse(text);
		} catch (error) {
			// JSON.parse with a reviver recurses, and runs out of stack on absurdly deep bodies.
			return { ok: false, problem: error instanceof RangeError ? TOO_DEEP : 'The request body is not valid JSON' };
		}
	}
	const mayBeDeep = typeof body !== 'string' || !fewBrackets(body, MAX_DEPTH);
	if (mayBeDeep && nestedDeeperThan(envelope, MAX_DEPTH)) return { ok: false, problem: TOO_DEEP };
	if (!isObject(envelope)) {
		return { ok: false, problem: `The body must be a JSON object, got ${kindOf(envelope)}` };
	}
	const resource = envelope.resource;
	if (!isObject(resource)) {
		return {
			ok: false,
			problem:
				resource === undefined
					? 'resource is missing: this is not an AppDirect webhook notification'
					: `resource must be an object, got ${kindOf(resource)}`,
		};
	}
	const problem =
		nameProblem(resource.type, 'resource.type') ?? nameProblem(envelope.resourceAction, 'resourceAction');
	if (problem) return { ok: false, problem };

	const resourceType = normaliseResourceType(resource.type as string);
	const action = normaliseAction(envelope.resourceAction as string);
	return {
		ok: true,
		notification: {
			resourceType,
			action,
			event: eventName(resourceType, action),
			notificationId: stringOrNull(envelope.uuid),
			timestamp: toEpoch(envelope.timestamp),
			resourceId: stringOrNull(resource.uuid),
			resourceUrl: typeof resource.url === 'string' && resource.url.length > 0 ? resource.url : null,
			content: resource.content ?? null,
			raw: envelope,
		},
	};
}
