// What bench:n8n measures: the n8n settings (one n8n each), the scenarios (one workflow each:
// what a user would build with n8n's Webhook node, and the AppDirect Trigger) and the
// credentials both sides authenticate with.
import { randomBytes } from 'node:crypto';

const TUNED_POOL_SIZE = '2';
/** One n8n instance each. `env` is added to n8n's environment; nothing else differs. */
export const CONFIGS = {
	defaults: { label: "n8n's defaults", env: {} },
	compile: { label: 'COMPILE_CACHE=true', env: { N8N_EXPRESSION_ENGINE_COMPILE_CACHE: 'true' } },
	pool: { label: `POOL_SIZE=${TUNED_POOL_SIZE}`, env: { N8N_EXPRESSION_ENGINE_POOL_SIZE: TUNED_POOL_SIZE } },
	lazy: { label: 'LAZY_ACQUIRE=true', env: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' } },
	tuned: {
		label: `LAZY_ACQUIRE=true, COMPILE_CACHE=true, POOL_SIZE=${TUNED_POOL_SIZE}`,
		env: {
			N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true',
			N8N_EXPRESSION_ENGINE_COMPILE_CACHE: 'true',
			N8N_EXPRESSION_ENGINE_POOL_SIZE: TUNED_POOL_SIZE,
		},
	},
	legacy: { label: 'ENGINE=legacy (diagnostic only)', env: { N8N_EXPRESSION_ENGINE: 'legacy' } },
};

export const EVENTS = ['subscription.added', 'subscription.removed', 'user.added', 'company.changed'];
const OUTPUTS = EVENTS.map((event, index) => `Out ${index}: ${event}`);

/** One workflow each, so that each one's executions can be counted on their own. */
export const SCENARIOS = {
	a: { id: 'benchA0000000000', kind: 'webhook', auth: false, route: false, answer: 'immediately', label: '(a) Webhook, no auth → NoOp' },
	b: { id: 'benchB0000000000', kind: 'webhook', auth: true, route: true, answer: 'immediately', label: '(b) Webhook + Header Auth → Switch → NoOps' },
	bLast: { id: 'benchBLast000000', kind: 'webhook', auth: true, route: true, answer: 'whenFinished', label: '(b) same, answer when finished' },
	c: { id: 'benchC0000000000', kind: 'appdirect', version: 2, auth: true, answer: 'immediately', label: '(c) AppDirect Trigger v2, token → NoOps' },
	cLast: { id: 'benchCLast000000', kind: 'appdirect', version: 2, auth: true, answer: 'whenFinished', label: '(c) same, answer when finished' },
	d: { id: 'benchD0000000000', kind: 'appdirect', version: 2, auth: false, answer: 'immediately', label: '(d) AppDirect Trigger v2, no auth → NoOps' },
	o: { id: 'benchO0000000000', kind: 'appdirect', version: 2, auth: 'oauth2', answer: 'immediately', label: '(o) AppDirect Trigger v2, OAuth2 client credentials → NoOps' },
	aLarge: { id: 'benchALarge00000', kind: 'webhook', auth: false, route: false, answer: 'immediately', large: true, label: '(a) Webhook, no auth, ~1 MB body' },
	cLarge: { id: 'benchCLarge00000', kind: 'appdirect', version: 2, auth: true, answer: 'immediately', large: true, label: '(c) AppDirect Trigger v2, token, ~1 MB body' },
};
export const ALL_SMALL = ['a', 'b', 'bLast', 'c', 'cLast', 'd', 'o'];
export const PLAN_DEFAULT = 'defaults:a,b,bLast,c,cLast,d,aLarge,cLarge;compile:a,b,c;pool:a,c;lazy:a,b,c;tuned:a,b,bLast,c,cLast,d';

export const TOKEN = randomBytes(16).toString('hex');
// Public API credential ids are at most 16 characters.
export const CREDENTIAL = { id: 'benchAppDirTok01', name: 'AppDirect webhook token (benchmark)' };
export const HEADER_CREDENTIAL = { id: 'benchHeaderAuth1', name: 'Header auth (benchmark)' };
export const OAUTH2_CREDENTIAL = { id: 'benchAppDirOAu01', name: 'AppDirect webhook OAuth2 (benchmark)', type: 'appDirectWebhookClientOAuth2Api' };
export const OAUTH2_CLIENT = { clientId: 'appdirect-benchmark', clientSecret: randomBytes(24).toString('hex'), scope: '' };
/** The bearer token (o) sends, fetched once from its token endpoint, as AppDirect reuses it. Sent to every scenario alike. */
export const BEARER = { token: '' };

function noOp(name, index) {
	return { id: `noop-${index}`, name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [600, index * 120], parameters: {} };
}

const RESOURCE_OF = (event) => event.split('.')[0].toUpperCase();
const ACTION_OF = (event) => event.split('.')[1].toUpperCase();

/** Switch v3.4 in rules mode: one rule per event on resource.type AND resourceAction, as a user would set it up. */
function switchNode() {
	const condition = (id, field, value) => ({
		id,
		leftValue: `={{ $json.body.${field} }}`,
		rightValue: value,
		operator: { type: 'string', operation: 'equals' },
	});
	return {
		id: 'switch',
		name: 'Switch',
		type: 'n8n-nodes-base.switch',
		typeVersion: 3.4,
		position: [300, 0],
		parameters: {
			mode: 'rules',
			rules: {
				values: EVENTS.map((event, index) => ({
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 3 },
						conditions: [condition(`type-${index}`, 'resource.type', RESOURCE_OF(event)), condition(`action-${index}`, 'resourceAction', ACTION_OF(event))],
						combinator: 'and',
					},
					renameOutput: true,
					outputKey: event,
				})),
			},
			options: {},
		},
	};
}

function webhookWorkflow(key) {
	const scenario = SCENARIOS[key];
	const branches = scenario.route ? OUTPUTS : ['NoOp'];
	const webhook = {
		id: 'trigger',
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2.1,
		position: [0, 0],
		// import:workflow assigns no webhook id; a fixed one gives a known URL.
		webhookId: `bench-${key}`,
		// The Webhook node's path is the whole URL path (no webhook id in it): keep it unique.
		parameters: {
			httpMethod: 'POST',
			path: `bench-${key}`,
			responseMode: scenario.answer === 'whenFinished' ? 'lastNode' : 'onReceived',
			...(scenario.answer === 'whenFinished' ? { responseData: 'noData' } : {}),
			...(scenario.auth ? { authentication: 'headerAuth' } : {}),
			options: {},
		},
		...(scenario.auth ? { credentials: { httpHeaderAuth: HEADER_CREDENTIAL } } : {}),
	};
	const connect = (targets) => targets.map((node) => [{ node, type: 'main', index: 0 }]);
	return {
		id: scenario.id,
		name: `Benchmark ${key}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [webhook, ...(scenario.route ? [switchNode()] : []), ...branches.map(noOp)],
		connections: scenario.route
			? { Webhook: { main: connect(['Switch']) }, Switch: { main: connect(OUTPUTS) } }
			: { Webhook: { main: connect(['NoOp']) } },
	};
}

function appDirectWorkflow(key) {
	const scenario = SCENARIOS[key];
	return {
		id: scenario.id,
		name: `Benchmark ${key}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'trigger',
				name: 'AppDirect Trigger',
				type: 'n8n-nodes-appdirect.appDirectTrigger',
				typeVersion: scenario.version,
				position: [0, 0],
				webhookId: `bench-${key}`,
				parameters: {
					authentication: scenario.auth === 'oauth2' ? 'oAuth2ClientCredentials' : scenario.auth ? 'token' : 'none',
					events: EVENTS,
					splitBy: 'event',
					unmatched: 'ignore',
					respond: scenario.answer,
				},
				...(scenario.auth === 'oauth2'
					? { credentials: { [OAUTH2_CREDENTIAL.type]: { id: OAUTH2_CREDENTIAL.id, name: OAUTH2_CREDENTIAL.name } } }
					: scenario.auth
						? { credentials: { appDirectWebhookTokenApi: CREDENTIAL } }
						: {}),
			},
			...OUTPUTS.map(noOp),
		],
		connections: { 'AppDirect Trigger': { main: OUTPUTS.map((node) => [{ node, type: 'main', index: 0 }]) } },
	};
}

export const workflowOf = (key) => (SCENARIOS[key].kind === 'appdirect' ? appDirectWorkflow(key) : webhookWorkflow(key));

/** Webhook spec as startN8n's waitForWebhook wants it: URL = /webhook/<webhookId>[/<path>]. */
export function webhookOf(key) {
	return SCENARIOS[key].kind === 'appdirect'
		? { webhookId: `bench-${key}`, path: 'appdirect', method: 'POST' }
		: { webhookId: `bench-${key}`, path: '', method: 'POST' };
}

/** The Access Token URI of an OAuth2 scenario. */
export const tokenUrlOf = (n8n, key) => n8n.productionWebhookUrl(`bench-${key}`, 'appdirect/token');

export function urlOf(n8n, key) {
	if (SCENARIOS[key].kind === 'webhook') return `${n8n.baseUrl}/webhook/bench-${key}`;
	const { webhookId, path: webhookPath } = webhookOf(key);
	return n8n.productionWebhookUrl(webhookId, webhookPath);
}
