// Workflow JSON for the end-to-end tests: one AppDirect Trigger per workflow, every output wired
// to its own downstream node, so that an execution shows which branch really ran.

// The type users' workflows carry: <package name>.<node name>. Spelled out, so a rename that would
// break those workflows fails here too.
export const TRIGGER_TYPE = 'n8n-nodes-appdirect.appDirectTrigger';
export const TRIGGER_NAME = 'AppDirect Trigger';
export const WEBHOOK_PATH = 'appdirect';
export const CREDENTIAL_TYPE = 'appDirectWebhookTokenApi';
// The public API keeps a credential id given on creation, so workflows can name it before it exists.
export const CREDENTIAL = { id: 'e2eAppDirectTok1', name: 'AppDirect webhook token (e2e)' };

export type Downstream = 'noOp' | 'stopAndError';

export interface TriggerWorkflow {
	/** Short name: the workflow id and the webhook id are derived from it. */
	key: string;
	/** AppDirect Trigger parameters; anything left out keeps the node's default. */
	parameters: Record<string, unknown>;
	/** The output names the README promises for these parameters, in order. */
	outputs: string[];
	downstream?: Downstream;
	/** Another token credential than CREDENTIAL (created by the harness before publishing). */
	credential?: { id: string; name: string };
}

/** n8n workflow ids are up to 16 characters here; a fixed one lets the test publish it. */
export function workflowId(key: string): string {
	const id = `e2e${key.replace(/[^A-Za-z0-9]/g, '')}`;
	if (id.length > 16) throw new Error(`workflow key too long: ${key}`);
	return id.padEnd(16, '0');
}

export function webhookId(key: string): string {
	return `appdirect-e2e-${key}`;
}

/** Name of the node wired to output `index`; unique within the workflow. */
export function branchNode(index: number, outputName: string): string {
	return `Out ${index}: ${outputName}`;
}

function downstreamNode(kind: Downstream, index: number, outputName: string) {
	const base = { id: `branch-${index}`, name: branchNode(index, outputName), position: [400, index * 120] };
	if (kind === 'stopAndError') {
		// Publishing refuses a Stop and Error node without its required message.
		return { ...base, type: 'n8n-nodes-base.stopAndError', typeVersion: 1, parameters: { errorMessage: 'Downstream failed on purpose' } };
	}
	return { ...base, type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} };
}

export function buildWorkflow(
	spec: TriggerWorkflow,
	credential: { id: string; name: string } = spec.credential ?? CREDENTIAL,
): Record<string, unknown> {
	const kind = spec.downstream ?? 'noOp';
	const usesToken = spec.parameters.authentication !== 'none';
	const trigger = {
		id: `trigger-${spec.key}`,
		name: TRIGGER_NAME,
		type: TRIGGER_TYPE,
		typeVersion: 2,
		position: [0, 0],
		// import:workflow does not assign webhook ids; a fixed one gives a predictable URL.
		webhookId: webhookId(spec.key),
		parameters: spec.parameters,
		...(usesToken ? { credentials: { [CREDENTIAL_TYPE]: credential } } : {}),
	};
	return {
		id: workflowId(spec.key),
		name: `AppDirect e2e: ${spec.key}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [trigger, ...spec.outputs.map((name, index) => downstreamNode(kind, index, name))],
		connections: {
			[TRIGGER_NAME]: {
				main: spec.outputs.map((name, index) => [{ node: branchNode(index, name), type: 'main', index: 0 }]),
			},
		},
	};
}
