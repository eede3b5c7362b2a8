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
