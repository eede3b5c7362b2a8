// Workflows for the reliability runs: an AppDirect Trigger with one output per event, every
// output wired to one step (a NoOp, or an HTTP Request to a CRM), in either answer mode.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const TRIGGER_TYPE = 'n8n-nodes-appdirect.appDirectTrigger';
export const TRIGGER_NAME = 'AppDirect Trigger';
export const WEBHOOK_PATH = 'appdirect';
export const CREDENTIAL = { id: 'reliabilityTok01', name: 'AppDirect webhook token (reliability)', type: 'appDirectWebhookTokenApi' };
/** For workflows with authentication "OAuth2 With Client Credentials". */
export const OAUTH2_CREDENTIAL = { id: 'reliabOAuth2Cli1', name: 'AppDirect webhook OAuth2 (reliability)', type: 'appDirectWebhookClientOAuth2Api' };
export const TOKEN_PATH = 'appdirect/token';

/** The catalog's events from the built node (run `npm run build` first). */
export function catalogEvents() {
	try {
		return require(path.join(root, 'dist/nodes/AppDirect/shared/catalog.js')).EVENTS;
	} catch (error) {
		throw new Error(`Run \`npm run build\` first: ${error.message}`);
	}
}

/** n8n workflow ids are 16 characters here; a fixed one lets a run publish and find it. */
export function workflowIdOf(key) {
	const id = `rel${key.replace(/[^A-Za-z0-9]/g, '')}`;
	if (id.length > 16) throw new Error(`workflow key too long: ${key}`);
	return id.padEnd(16, '0');
}

export const webhookIdOf = (key) => `appdirect-reliability-${key}`;

export const DOWNSTREAM_NAME = 'Process notification';

function downstreamNode(downstream) {
	const base = { id: 'downstream', name: DOWNSTREAM_NAME, position: [500, 0] };
	if (downstream?.crmUrl) {
		return {
			...base,
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'POST',
				url: downstream.crmUrl,
				sendBody: true,
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify({ notificationId: $json.notificationId, event: $json.event }) }}',
				options: {},
			},
		};
	}
	return { ...base, type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} };
}

/**
 * key         short name (workflow and webhook ids derive from it)
 * respond     'immediately' or 'whenFinished'
 * events      event names, in output order [every catalog event]
 * options     the trigger's Options (includeRawNotification, includeHeaders)
 * downstream  { crmUrl } for an HTTP Request to a CRM; a NoOp otherwise
 */
export function reliabilityWorkflow({ key, respond = 'immediately', events = catalogEvents().map((event) => event.name), options = {}, downstream, authentication = 'token' } = {}) {
	const credential = authentication === 'token' ? CREDENTIAL : OAUTH2_CREDENTIAL;
	return {
		id: workflowIdOf(key),
		name: `AppDirect reliability: ${key}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: `trigger-${key}`,
				name: TRIGGER_NAME,
				type: TRIGGER_TYPE,
				typeVersion: 2,
				position: [0, 0],
				webhookId: webhookIdOf(key),
				parameters: { authentication, events, splitBy: 'event', unmatched: 'ignore', respond, options },
				credentials: { [credential.type]: { id: credential.id, name: credential.name } },
			},
			downstreamNode(downstream),
		],
		connections: {
			// Every output to the one step: the trigger's record says which output an item took.
			[TRIGGER_NAME]: { main: events.map(() => [{ node: DOWNSTREAM_NAME, type: 'main', index: 0 }]) },
		},
	};
}

/** Creates the token credential, publishes the workflows and waits for their webhooks. */
export async function publishWithToken(n8n, workflows, token) {
	await n8n.api('POST', '/credentials', { ...CREDENTIAL, data: { token } });
	for (const workflow of workflows) {
		await n8n.api('POST', `/workflows/${workflow.id}/publish`, {});
		await n8n.waitForPublished(workflow.id);
		await n8n.waitForWebhook(webhookOf(workflow));
	}
}

export function webhookOf(workflow) {
	const trigger = workflow.nodes.find((node) => node.type === TRIGGER_TYPE);
	return { webhookId: trigger.webhookId, path: WEBHOOK_PATH, method: 'POST' };
}

export const urlOf = (n8n, workflow) => n8n.productionWebhookUrl(webhookOf(workflow).webhookId, WEBHOOK_PATH);

/** What the scenarios need to know about a published workflow: its answer mode, URL, id and outputs (and its Access Token URI). */
export function targetOf(n8n, workflow) {
	const trigger = workflow.nodes.find((node) => node.type === TRIGGER_TYPE);
	const outputs = new Map(trigger.parameters.events.map((event, index) => [event, index]));
	const tokenUrl = n8n.productionWebhookUrl(trigger.webhookId, TOKEN_PATH);
	return { mode: trigger.parameters.respond, url: urlOf(n8n, workflow), tokenUrl, workflowId: workflow.id, outputOf: (event) => outputs.get(event) };
}
