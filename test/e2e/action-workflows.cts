// Workflow JSON for the AppDirect node's end-to-end tests. Node type and credential names are
// spelled out: they are stored in users' workflows, and a rename must fail here too.
export const ACTION_TYPE = 'n8n-nodes-appdirect.appDirect';
export const TRIGGER_TYPE = 'n8n-nodes-appdirect.appDirectTrigger';
export const API_CREDENTIAL_TYPE = 'appDirectOAuth2Api';
export const ACTION_NAME = 'AppDirect';
export const TRIGGER_NAME = 'AppDirect Trigger';

export interface ApiCredential {
	id: string;
	name: string;
}

type Node = Record<string, unknown>;

function appDirectNode(parameters: Record<string, unknown>, credential: ApiCredential, continueOnFail: boolean): Node {
	return {
		id: 'appdirect-action',
		name: ACTION_NAME,
		type: ACTION_TYPE,
		typeVersion: 1,
		position: [300, 0],
		parameters,
		credentials: { [API_CREDENTIAL_TYPE]: credential },
		...(continueOnFail ? { onError: 'continueRegularOutput' } : {}),
	};
}

function workflow(id: string, name: string, nodes: Node[], chain: string[]): Record<string, unknown> {
	const connections: Record<string, unknown> = {};
	for (let index = 0; index < chain.length - 1; index++) {
		connections[chain[index]] = { main: [[{ node: chain[index + 1], type: 'main', index: 0 }]] };
	}
	return { id, name, active: false, settings: { executionOrder: 'v1' }, nodes, connections };
}

/**
 * The pattern the README recommends: the AppDirect Trigger (authentication None, so that a test can
 * post anything, as an attacker could) straight into "Get Current State" with its default input.
 */
export function currentStateWorkflow(options: { id: string; webhookId: string; credential: ApiCredential; continueOnFail?: boolean }) {
	const trigger = {
		id: 'appdirect-trigger',
		name: TRIGGER_NAME,
		type: TRIGGER_TYPE,
		typeVersion: 2,
		position: [0, 0],
		webhookId: options.webhookId,
		// Answered at once: these tests read failed executions, not AppDirect's retries.
		parameters: { authentication: 'none', respond: 'immediately' },
	};
	return workflow(
		options.id,
		`AppDirect e2e: ${options.id}`,
		[trigger, appDirectNode({}, options.credential, options.continueOnFail ?? false)],
		[TRIGGER_NAME, ACTION_NAME],
	);
}

/** n8n's Webhook node, answering with the last node's output items. */
function answeringWebhook(path: string): Node {
	return {
		id: 'webhook',
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [-300, 0],
		webhookId: `${path}-webhook`,
		parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
	};
}

/**
 * n8n's Webhook node answers with the AppDirect node's output items: the test posts
 * `{ items: [...] }`, one item per resource to read, and reads the answer. `parameters` are the
 * AppDirect node's.
 */
export function itemsWorkflow(options: {
	id: string;
	path: string;
	credential: ApiCredential;
	parameters: Record<string, unknown>;
	continueOnFail?: boolean;
}) {
	const webhook = answeringWebhook(options.path);
	const split = {
		id: 'split',
		name: 'Items',
		type: 'n8n-nodes-base.splitOut',
		typeVersion: 1,
		position: [0, 0],
		parameters: { fieldToSplitOut: 'body.items', options: {} },
	};
	return workflow(
		options.id,
		`AppDirect e2e: ${options.id}`,
		[webhook, split, appDirectNode(options.parameters, options.credential, options.continueOnFail ?? false)],
		['Webhook', 'Items', ACTION_NAME],
	);
}

/**
 * The AppDirect node in its AI tool form ("AppDirect Tool", parameters as a new node has them),
 * called the way an agent calls it but without a language model: n8n's Tool Executor passes the
 * posted `args` as the tool's arguments, and the Webhook answers with what the tool returned.
 */
export function toolWorkflow(options: { id: string; path: string; credential: ApiCredential }) {
	const webhook = answeringWebhook(options.path);
	const executor = {
		id: 'tool-executor',
		name: 'Tool Executor',
		type: '@n8n/n8n-nodes-langchain.toolExecutor',
		typeVersion: 1,
		position: [0, 0],
		parameters: { query: `={{ { ${ACTION_NAME}: $json.body.args } }}` },
	};
	const tool = { ...appDirectNode({}, options.credential, false), type: `${ACTION_TYPE}Tool`, position: [0, 200] };
	const built = workflow(options.id, `AppDirect e2e: ${options.id}`, [webhook, executor, tool], ['Webhook', 'Tool Executor']);
	(built.connections as Record<string, unknown>)[ACTION_NAME] = { ai_tool: [[{ node: 'Tool Executor', type: 'ai_tool', index: 0 }]] };
	return built;
}
