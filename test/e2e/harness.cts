// One real n8n with the packed package, a token credential and published AppDirect workflows,
// plus what the tests need to talk to it and to read its execution records.
import { request as httpRequest } from 'http';
import { RESOURCES, type FieldSpec } from '../../nodes/AppDirect/shared/catalog';
import { importScript, loadInstanceModule, packPackage, type InstanceModule, type N8nInstance } from '../helpers/runtime.cjs';
import {
	buildWorkflow,
	CREDENTIAL,
	CREDENTIAL_TYPE,
	TRIGGER_NAME,
	WEBHOOK_PATH,
	webhookId,
	workflowId,
	type TriggerWorkflow,
} from './workflows.cjs';

export type Instance = N8nInstance & {
	waitForPublished(id: string, options?: { timeoutMs?: number }): Promise<void>;
	/** POST /workflows/{id}/publish, or /activate on n8n versions before it. */
	publishWorkflow(id: string): Promise<unknown>;
	n8nVersion: string;
	waitForWebhook(webhook: { webhookId: string; path: string; method?: string }, options?: { timeoutMs?: number }): Promise<void>;
};

export type Execution = Record<string, any>;
export type Notification = Record<string, any>;


type SendNotification = (
	url: string,
	notification: unknown,
	options?: { token?: string; legacy?: boolean; body?: string },
) => Promise<{ status: number; text: string }>;

export interface Harness {
	n8n: Instance;
	token: string;
	nodeOutputs: InstanceModule['nodeOutputs'];
	/** The production URL of a workflow's trigger. */
	url(key: string): string;
	/** The id n8n gave a credential the tests named `id` (the same id, unless n8n chose its own). */
	credentialId(id: string): string;
	/** Saves a new token in a credential the tests named `id`, as a user editing it does. */
	changeToken(id: string, token: string): Promise<void>;
	/** Posts a notification exactly as AppDirect does (scripts/send/run.mjs). */
	send(key: string, notification: unknown, options?: { legacy?: boolean; body?: string; token?: string }): Promise<Sent>;
	/** Stops n8n. */
	stop(): Promise<void>;
}

export interface Sent {
	status: number;
	text: string;
	json: any;
}

export interface Answer extends Sent {
	contentType: string | null;
}

/** Every answer body n8n gave during the run: the token must not be in any of them. */
export const answerTexts: string[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** After the executions we expect are finished, how long we keep watching for unexpected ones. */
const SETTLE_MS = 600;

/** A token credential besides the harness's own, created before the workflows are published. */
export interface ExtraCredential {
	id: string;
	name: string;
	token: string;
}

export async function startHarness(specs: TriggerWorkflow[], token: string, credentials: ExtraCredential[] = []): Promise<Harness> {
	const { startN8n, nodeOutputs } = await loadInstanceModule();
	const { sendNotification } = (await importScript('scripts/send/run.mjs')) as {
		sendNotification: SendNotification;
	};
	let n8n: Instance | undefined;
	let credentialIds = new Map<string, string>();
	try {
		n8n = (await startN8n({
			packages: [packPackage()],
			workflows: specs.map((spec) => buildWorkflow(spec)),
			// Published below, after the credential they use exists: the order a user follows.
			publish: false,
			// Debug level in JSON: the token check covers everything n8n logs, and levels are exact.
			logLevel: 'debug',
			env: { N8N_LOG_FORMAT: 'json' },
			// APPDIRECT_E2E_KEEP=1 keeps the user folder (log, database) for a look after a failure.
			keepUserFolder: process.env.APPDIRECT_E2E_KEEP === '1',
		})) as Instance;
		credentialIds = await createCredentials(n8n, specs, [{ ...CREDENTIAL, token }, ...credentials]);
		for (const spec of specs) {
			await n8n.publishWorkflow(workflowId(spec.key));
			await n8n.waitForPublished(workflowId(spec.key));
			await n8n.waitForWebhook({ webhookId: webhookId(spec.key), path: WEBHOOK_PATH, method: 'POST' });
		}
	} catch (error) {
		await n8n?.stop();
		throw error;
	}
	const instance = n8n;
	const url = (key: string) => instance.productionWebhookUrl(webhookId(key), WEBHOOK_PATH);
	return {
		n8n: instance,
		token,
		nodeOutputs,
		url,
		credentialId: (id) => credentialIds.get(id) ?? id,
		async changeToken(id, token) {
			const actual = credentialIds.get(id) ?? id;
			try {
				await instance.api('PATCH', `/credentials/${actual}`, { data: { token } });
			} catch (error) {
				// The public API has no PATCH for credentials before n8n 2.x (405): use the editor's call.
				if ((error as { status?: number }).status !== 405) throw error;
				const name = [CREDENTIAL, ...credentials].find((credential) => credential.id === id)?.name;
				await instance.rest('PATCH', `/credentials/${actual}`, { name, type: CREDENTIAL_TYPE, data: { token } });
			}
		},
		async send(key, notification, options = {}) {
			const { status, text } = await sendNotification(url(key), notification, { token, ...options });
			answerTexts.push(text);
			return { status, text, json: parseJson(text) };
		},
		async stop() {
			await instance.stop();
		},
	};
}

/**
 * Creates the token credentials under the ids the workflows name. n8n versions whose public API
 * refuses a chosen id (1.x, early 2.x) give them their own: the workflows are then pointed at
 * those. Returns the ids n8n chose, by the id asked for.
 */
async function createCredentials(n8n: Instance, specs: TriggerWorkflow[], credentials: ExtraCredential[]): Promise<Map<string, string>> {
	const chosen = new Map<string, string>();
	for (const { id, name, token } of credentials) {
		const actual = await createCredentialUnderId(n8n, { id, name, type: CREDENTIAL_TYPE, data: { token } });
		if (actual !== id) chosen.set(id, actual);
	}
	for (const spec of specs) {
		const wanted = spec.credential ?? CREDENTIAL;
		const id = chosen.get(wanted.id);
		if (id === undefined) continue;
		const { name, nodes, connections, settings } = buildWorkflow(spec, { id, name: wanted.name });
		await n8n.api('PUT', `/workflows/${workflowId(spec.key)}`, { name, nodes, connections, settings });
	}
	return chosen;
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/**
 * Any request, sent with node:http so that header names keep their case on the wire and no
 * header is added; with a deadline, since a hang must fail the test rather than stall the suite.
 */
export function request(
	url: string,
	init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const body = init.body === undefined ? undefined : Buffer.from(init.body);
		const headers = { ...init.headers, ...(body ? { 'Content-Length': String(body.length) } : {}) };
		const req = httpRequest(url, { method: init.method ?? 'POST', headers, timeout: 30_000 }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				answerTexts.push(text);
				resolve({ status: res.statusCode ?? 0, text, contentType: res.headers['content-type'] ?? null, json: parseJson(text) });
			});
			res.on('error', reject);
		});
		req.on('timeout', () => req.destroy(new Error(`no answer within 30 s from ${init.method ?? 'POST'} ${url}`)));
		req.on('error', reject);
		req.end(body);
	});
}

/** Ids of a workflow's executions so far, to tell the new ones apart later. */
export async function executionIds(n8n: Instance, key: string): Promise<Set<string>> {
	const all = await n8n.getExecutions({ workflowId: workflowId(key), includeData: false });
	return new Set(all.map((execution) => String(execution.id)));
}

/**
 * Waits for `count` executions that were not in `before`, then keeps watching a little so that
 * one too many shows up too; returns every new execution (finished or not), oldest first.
 */
export async function newExecutions(
	n8n: Instance,
	key: string,
	before: Set<string>,
	count: number,
	timeoutMs = 60_000,
): Promise<Execution[]> {
	if (count > 0) await n8n.waitForExecutions({ workflowId: workflowId(key), count: before.size + count, timeoutMs, includeData: false });
	await sleep(SETTLE_MS);
	const all = await n8n.getExecutions({ workflowId: workflowId(key) });
	return all.filter((execution) => !before.has(String(execution.id))).sort((a, b) => Number(a.id) - Number(b.id));
}

export interface Landing {
	/** How many outputs the trigger produced (empty ones included). */
	outputCount: number;
	/** Outputs that carried items, with their item counts. */
	filled: Array<{ index: number; items: number }>;
	/** The first item of the first filled output. */
	item: Record<string, any> | undefined;
	/** Nodes that ran, sorted. */
	ran: string[];
}

/** Where the trigger put its item(s) in one execution, read from n8n's execution record. */
export function landing(harness: Harness, execution: Execution): Landing {
	const outputs = harness.nodeOutputs(execution, TRIGGER_NAME) ?? [];
	const filled = outputs
		.map((items, index) => ({ index, items: items.length }))
		.filter((output) => output.items > 0);
	return {
		outputCount: outputs.length,
		filled,
		item: filled.length > 0 ? outputs[filled[0].index][0] : undefined,
		ran: Object.keys(execution.data?.resultData?.runData ?? {}).sort(),
	};
}

function valueAt(source: unknown, path: string): unknown {
	let current = source;
	for (const key of path.split('.')) {
		if (typeof current !== 'object' || current === null) return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

/** A flat field as the README documents it ("Taken from"), derived here independently of item.ts. */
export function documentedValue(field: FieldSpec, notification: Notification): unknown {
	if (field.urlPattern) {
		const match = String(notification.resource.url ?? '').match(field.urlPattern);
		return match ? decodeURIComponent(match[1]) : null;
	}
	for (const path of field.paths ?? []) {
		const value = valueAt(notification.resource.content, path);
		if (value === undefined || value === null) continue;
		if (field.epochToIso) return typeof value === 'number' ? new Date(value).toISOString() : value;
		if (field.type === 'string' && typeof value === 'number') return String(value);
		return value;
	}
	return null;
}

/**
 * The item the README promises for a notification. `resourceType` and `action` are the canonical
 * spellings (callers pass them when the notification uses DELETED or a lower-case type).
 */
export function expectedItem(
	notification: Notification,
	canonical: { resourceType?: string; action?: string } = {},
): Record<string, unknown> {
	const resourceType = canonical.resourceType ?? notification.resource.type;
	const action = canonical.action ?? notification.resourceAction;
	const item: Record<string, unknown> = {
		event: `${resourceType.toLowerCase()}.${action.toLowerCase()}`,
		resourceType,
		action,
		notificationId: notification.uuid,
		timestamp: notification.timestamp,
		occurredAt: new Date(notification.timestamp).toISOString(),
		resourceId: notification.resource.uuid,
		resourceUrl: notification.resource.url,
		marketplaceUrl: new URL(notification.resource.url).origin,
	};
	for (const field of RESOURCES.find((resource) => resource.type === resourceType)?.fields ?? []) {
		item[field.name] = documentedValue(field, notification);
	}
	item.content = notification.resource.content ?? null;
	return item;
}

export interface LogLine {
	level: string;
	message: string;
	raw: string;
}

/** n8n's log (JSON format) from `n8n start` on; lines that are not JSON keep level "raw". */
export function startLog(n8n: Instance): LogLine[] {
	const text = n8n.readLog();
	const start = text.lastIndexOf('===== n8n start =====');
	return parseLog(start === -1 ? text : text.slice(start));
}

export function parseLog(text: string): LogLine[] {
	return text
		.split('\n')
		.filter((line) => line.trim().length > 0)
		.map((raw) => {
			try {
				const parsed = JSON.parse(raw) as { level?: string; message?: string };
				return { level: String(parsed.level), message: String(parsed.message), raw };
			} catch {
				return { level: 'raw', message: raw, raw };
			}
		});
}

/**
 * Creates a credential under the id the workflows name and returns the id it got: n8n versions
 * whose public API refuses a chosen id (1.x, early 2.x) give it their own, and the caller points
 * its workflows there. n8n 1.x's public API also checks an OAuth2 credential against every field
 * it inherits (some required, some refused at once), so a 400 there falls back to the editor's
 * own call, which takes the credential as the editor saves it.
 */
export async function createCredentialUnderId(
	n8n: N8nInstance,
	credential: { id: string; name: string; type: string; data: Record<string, unknown> },
): Promise<string> {
	try {
		await n8n.api('POST', '/credentials', credential);
		return credential.id;
	} catch (error) {
		if (!/request\/body\/id is read-only/.test((error as Error).message)) throw error;
	}
	const { name, type, data } = credential;
	try {
		return String((await n8n.api('POST', '/credentials', { name, type, data })).id);
	} catch (error) {
		if ((error as { status?: number }).status !== 400) throw error;
		return String((await n8n.rest('POST', '/credentials', { name, type, data })).id);
	}
}
