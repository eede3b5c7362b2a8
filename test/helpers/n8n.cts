// Runs the node's description and webhook() through n8n-workflow's real parameter and
// expression handling; only the HTTP request/response surface is a stand-in.
import { Workflow, NodeHelpers, type INode, type INodeParameters, type INodeType, type INodeTypes } from 'n8n-workflow';
import { AppDirectTrigger } from '../../nodes/AppDirect/AppDirectTrigger.node';

export const trigger = new AppDirectTrigger();
export const description = trigger.description;

const nodeTypes: INodeTypes = {
	getByName: () => trigger as INodeType,
	getByNameAndVersion: () => trigger as INodeType,
	getKnownTypes: () => ({}),
};

export function workflowWith(
	parameters: INodeParameters,
	credentialId?: string,
	credentialType = 'appDirectWebhookTokenApi',
): { workflow: Workflow; node: INode } {
	const node: INode = {
		id: 'a1',
		name: 'AppDirect Trigger',
		type: 'n8n-nodes-appdirect.appDirectTrigger',
		typeVersion: 2,
		position: [0, 0],
		parameters,
		...(credentialId ? { credentials: { [credentialType]: { id: credentialId, name: 'AppDirect credential' } } } : {}),
	};
	const workflow = new Workflow({ id: 'w1', nodes: [node], connections: {}, active: false, nodeTypes });
	return { workflow, node: workflow.getNode(node.name)! };
}

/** Output names as n8n computes them from the `outputs` expression. */
export function outputNames(parameters: INodeParameters): string[] {
	const { workflow, node } = workflowWith(parameters);
	return NodeHelpers.getNodeOutputs(workflow, node, description).map((output) =>
		typeof output === 'string' ? output : String(output.displayName),
	);
}

/** A webhook description value (responseMode, responseData) as n8n evaluates it. */
export function webhookSetting(parameters: INodeParameters, key: 'responseMode' | 'responseData'): unknown {
	const { workflow, node } = workflowWith(parameters);
	return workflow.expression.getSimpleParameterValue(node, description.webhooks![0][key] as string, 'internal', {});
}

export interface WebhookCall {
	parameters?: INodeParameters;
	/**
	 * The id of the node's token credential. The node remembers a token per credential for a
	 * few seconds, so each call gets a fresh id unless a test shares one on purpose.
	 */
	credentialId?: string;
	/** The request as n8n hands it over; default: the raw body bytes of `body`. */
	request?: Record<string, unknown>;
	headers?: Record<string, unknown>;
	/** The raw request text; leave it out to test what n8n already parsed (`parsedBody`). */
	body?: string;
	parsedBody?: Record<string, unknown>;
	token?: string;
	/** What n8n throws when the credential is missing or cannot be decrypted. */
	credentialError?: Error;
	/** Which of the node's webhooks n8n runs: 'default' (notifications) or 'setup' (the OAuth2 token endpoint). */
	webhookName?: string;
	method?: string;
	query?: Record<string, unknown>;
	/** The fields of an OAuth2 credential; with it the node's credential is of that type. */
	oauth2?: { type: string; data: Record<string, unknown> };
	workflowId?: string;
}

export interface WebhookOutcome {
	status?: number;
	json?: unknown;
	headers: Record<string, string>;
	result: Awaited<ReturnType<AppDirectTrigger['webhook']>>;
	logs: string[];
	/** How often the node read its credential. */
	credentialReads: number;
}

let calls = 0;

export async function callWebhook(call: WebhookCall): Promise<WebhookOutcome> {
	const credentialType = call.oauth2?.type ?? 'appDirectWebhookTokenApi';
	const { workflow, node } = workflowWith(call.parameters ?? {}, call.credentialId ?? `unit-credential-${++calls}`, credentialType);
	const parameters = node.parameters;
	const outcome: Partial<WebhookOutcome> = { logs: [], credentialReads: 0, headers: {} };
	const response = {
		set(headers: Record<string, string>) {
			Object.assign(outcome.headers!, headers);
			return response;
		},
		status(code: number) {
			outcome.status = code;
			return response;
		},
		json(body: unknown) {
			outcome.json = body;
			return response;
		},
	};
	const log = (level: string) => (message: string) => outcome.logs!.push(`${level}: ${message}`);
	const context = {
		getHeaderData: () => call.headers ?? {},
		getRequestObject: () =>
			call.request ?? { method: call.method ?? 'POST', rawBody: call.body === undefined ? undefined : Buffer.from(call.body) },
		getQueryData: () => call.query ?? {},
		getWebhookName: () => call.webhookName ?? 'default',
		getBodyData: () => call.parsedBody ?? {},
		getResponseObject: () => response,
		getNodeParameter: (name: string, fallback?: unknown) => parameters[name] ?? fallback,
		getNode: () => node,
		getWorkflow: () => ({ id: call.workflowId ?? workflow.id, name: workflow.name, active: workflow.active }),
		getCredentials: async (type: string) => {
			outcome.credentialReads! += 1;
			// The name must match the credential the package ships.
			if (type !== credentialType) throw new Error(`Unknown credential type ${type}`);
			if (call.credentialError) throw call.credentialError;
			if (call.oauth2) return { ...call.oauth2.data };
			return { token: call.token ?? '' };
		},
		logger: { info: log('info'), warn: log('warn'), debug: log('debug'), error: log('error') },
	};
	outcome.result = await trigger.webhook.call(context as never);
	return outcome as WebhookOutcome;
}
