// What both CRM template tests do as AppDirect: notifications about chosen resources at chosen
// times, the AppDirect API stand-in showing each resource as its notification does, and delivery
// to the published template with the reason when n8n answers anything but 200.
import { randomUUID } from 'crypto';
import type { N8nInstance } from '../helpers/runtime.cjs';

type Send = (url: string, notification: unknown, options: { token: string }) => Promise<{ status: number; text: string }>;

export interface AppDirectSide {
	/** A sample notification about another resource of the same kind, at a given time. */
	notificationAbout(event: string, resourceId: string, timestamp: number, content?: Record<string, unknown>): any;
	/** As AppDirect: the API shows the resource as the notification does, then (unless `send: false`) sends it. */
	happen(notification: any, options?: { send?: boolean }): Promise<void>;
	deliver(notification: any): Promise<void>;
	/** What AppDirect's API shows now for a path, or null when it answers otherwise than 200. */
	current(path: string): Promise<any>;
}

export function appDirectSide(options: { api: any; n8n: () => N8nInstance & Record<string, any>; url: () => string; token: string; send: Send; clientId: string }): AppDirectSide {
	const { api, token, send } = options;
	/** Why the latest failed execution failed: the step and n8n's message. */
	async function lastError(): Promise<string> {
		const { data } = await options.n8n().api('GET', '/executions?status=error&includeData=true&limit=1');
		const error = data?.[0]?.data?.resultData?.error;
		return error ? `${error.node?.name ?? ''}: ${error.message} ${error.description ?? ''}` : 'no failed execution';
	}
	async function deliver(notification: any): Promise<void> {
		const answer = await send(options.url(), notification, { token });
		if (answer.status !== 200) throw new Error(`n8n answered ${answer.status} for ${notification.resource.type} ${notification.resourceAction}: ${await lastError()}`);
	}
	return {
		notificationAbout(event, resourceId, timestamp, content) {
			const sample = api.notification(event);
			const copy = JSON.parse(JSON.stringify(sample).split(sample.resource.uuid).join(resourceId));
			copy.uuid = randomUUID();
			copy.timestamp = timestamp;
			if (content && copy.resource.content) Object.assign(copy.resource.content, content);
			return copy;
		},
		async happen(notification, { send: sendIt = true } = {}) {
			if (notification.resourceAction === 'REMOVED') api.removeResource(notification.resource.url);
			else api.setResource(notification.resource.url, notification.resource.content);
			if (sendIt) await deliver(notification);
		},
		deliver,
		async current(path) {
			const answer = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${api.issueToken(options.clientId)}` } });
			return answer.status === 200 ? answer.json() : null;
		},
	};
}

/**
 * Runs a template's Manual Trigger as the editor's "Execute workflow" does (n8n's REST call), and
 * waits until that execution and the ones it started have finished. Fails with n8n's message
 * when the execution did not succeed.
 */
export async function runManually(n8n: N8nInstance & Record<string, any>, workflowId: string, trigger: string): Promise<void> {
	const started = await n8n.rest('POST', `/workflows/${workflowId}/run`, { triggerToStartFrom: { name: trigger } });
	const executionId = started?.executionId;
	if (!executionId) throw new Error(`n8n did not start "${trigger}": ${JSON.stringify(started)}`);
	const deadline = Date.now() + 120_000;
	for (;;) {
		const execution = await n8n.api('GET', `/executions/${executionId}?includeData=true`).catch(() => null);
		if (execution?.finished || ['success', 'error', 'crashed', 'canceled'].includes(execution?.status)) {
			if (execution.status !== 'success') {
				const error = execution.data?.resultData?.error;
				throw new Error(`"${trigger}" ended ${execution.status}: ${error?.node?.name ?? ''} ${error?.message ?? ''} ${error?.description ?? ''}`);
			}
			return;
		}
		if (Date.now() > deadline) throw new Error(`"${trigger}" still running after 120 s`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

const IMPORTED: Array<[string, string]> = [
	['COMPANY', '/api/account/v1/companies/'],
	['USER', '/api/account/v1/users/'],
	['SUBSCRIPTION', '/api/billing/v1/subscriptions/'],
];

/**
 * After an import: every company, user and subscription the AppDirect stand-in holds (at least 3 of
 * each) has exactly one CRM record (`recordsOf(type, id)`), and `check(type, record, resource)` holds.
 */
export function expectImported(api: any, recordsOf: (type: string, id: string) => any[], check: (type: string, record: any, resource: any) => void): void {
	for (const [type, prefix] of IMPORTED) {
		const paths = api.paths(type).filter((path: string) => path.startsWith(prefix));
		expect(paths.length).toBeGreaterThan(2);
		for (const path of paths) {
			const id = path.slice(prefix.length);
			const found = recordsOf(type, id);
			expect([type, id, found.length]).toEqual([type, id, 1]);
			check(type, found[0], api.resource(path));
		}
	}
}

/** A user the seeded company `number` has as a member. */
export const seededMember = (api: any, number: number) =>
	api.paths('USER').map((path: string) => api.resource(path)).find((user: any) => user.email?.endsWith(`@company-${number}.example`));

/**
 * What AppDirect does while nobody listens (the notifications never reach n8n): renames the
 * seeded company `number` and removes its first subscription. Returns their ids.
 */
export function missedNotifications(api: any, number: number): { companyId: string; name: string; subscriptionId: string } {
	const companyId = seededMember(api, number).memberships[0].company.id;
	const companyPath = `/api/account/v1/companies/${companyId}`;
	const name = `Renamed while nobody listened ${number}`;
	api.setResource(companyPath, { ...api.resource(companyPath), name });
	const subscriptionPath = api.paths('SUBSCRIPTION').find((path: string) => api.resource(path).company?.id === companyId);
	api.removeResource(subscriptionPath);
	return { companyId, name, subscriptionId: subscriptionPath.split('/').pop() };
}
