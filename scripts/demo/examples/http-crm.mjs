// New subscriptions sent to a CRM's HTTP API, and cancellations.
import { pinnedSubscriptionNotifications } from '../notifications.mjs';
import { TRIGGER_NAME, chain, itemFor, pinNote, sticky, triggerConnections, triggerNode } from './nodes.mjs';

const SUBSCRIPTION_EVENTS = ['subscription.added', 'subscription.changed', 'subscription.removed'];

export const SUBSCRIPTIONS_TO_CRM = {
	file: 'appdirect-subscriptions-to-crm.json',
	id: 'appdirectSubsCrm',
	webhookId: 'f3b9a7c2-4d6e-4a1b-9c8d-2e7f6a5b4c31',
	events: SUBSCRIPTION_EVENTS,
	/** The placeholder the user replaces; tests point it at a local receiver. */
	crmBaseUrl: 'https://crm.example.com/api',
};

function httpNode({ id, name, url, body, position }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.5,
		position,
		parameters: {
			method: 'POST',
			url,
			authentication: 'none',
			sendHeaders: true,
			specifyHeaders: 'keypair',
			headerParameters: {
				// AppDirect may deliver a notification twice; a CRM that honours the key creates one record.
				parameters: [{ name: 'Idempotency-Key', value: '={{ $json.notificationId }}' }],
			},
			sendBody: true,
			contentType: 'json',
			specifyBody: 'json',
			jsonBody: body,
			options: {},
		},
	};
}

export function subscriptionsToCrmWorkflow() {
	const pins = pinnedSubscriptionNotifications();
	const base = SUBSCRIPTIONS_TO_CRM.crmBaseUrl;
	const names = {
		create: 'Create subscription in CRM',
		onlyCancelled: 'Only cancellations',
		cancel: 'Mark subscription cancelled in CRM',
	};
	const nodes = [
		triggerNode({
			id: '3c4d5e6f-0001-4a7b-8c9d-0e1f2a3b4c71',
			webhookId: SUBSCRIPTIONS_TO_CRM.webhookId,
			events: SUBSCRIPTION_EVENTS,
			position: [160, 400],
		}),
		httpNode({
			id: '3c4d5e6f-0002-4a7b-8c9d-0e1f2a3b4c72',
			name: names.create,
			url: `${base}/subscriptions`,
			position: [640, 220],
			body: `={{ JSON.stringify({
  appdirectSubscriptionId: $json.resourceId,
  companyId: $json.companyId,
  userId: $json.userId,
  status: $json.status,
  productId: $json.productId,
  editionId: $json.editionId,
  seats: $json.maxUsers,
  amount: $json.totalPrice,
  currency: $json.currency,
  frequency: $json.frequency,
  startedAt: $json.createdAt,
  nextBillingDate: $json.nextBillingDate,
  marketplace: $json.marketplaceUrl
}) }}`,
		}),
		{
			id: '3c4d5e6f-0003-4a7b-8c9d-0e1f2a3b4c73',
			name: names.onlyCancelled,
			type: 'n8n-nodes-base.filter',
			typeVersion: 2.3,
			position: [400, 420],
			parameters: {
				conditions: {
					options: { caseSensitive: true, leftValue: '', typeValidation: 'loose', version: 3 },
					conditions: [
						{
							id: '4d5e6f7a-0001-4b8c-9d0e-1f2a3b4c5d81',
							leftValue: '={{ $json.status }}',
							rightValue: 'CANCELLED',
							operator: { type: 'string', operation: 'equals' },
						},
					],
					combinator: 'and',
				},
				options: {},
			},
		},
		httpNode({
			id: '3c4d5e6f-0004-4a7b-8c9d-0e1f2a3b4c74',
			name: names.cancel,
			url: `=${base}/subscriptions/{{ encodeURIComponent($json.resourceId) }}/cancel`,
			position: [640, 560],
			body: `={{ JSON.stringify({
  appdirectSubscriptionId: $json.resourceId,
  reason: $json.action === 'REMOVED' ? 'removed in AppDirect' : 'cancelled in AppDirect',
  cancelledAt: $json.endsAt ?? $json.occurredAt,
  event: $json.event
}) }}`,
		}),
		sticky({
			id: '3c4d5e6f-0005-4a7b-8c9d-0e1f2a3b4c75',
			name: 'About this workflow',
			position: [-360, 160],
			width: 460,
			height: 380,
			content: [
				'## AppDirect subscriptions → CRM',
				'New subscriptions become records in your CRM; cancellations (a *Subscription Changed* with status CANCELLED, or a *Subscription Removed*) mark them cancelled.',
				'',
				'**Replace `https://crm.example.com/api`** in both HTTP Request steps with your CRM\'s API and set their **Authentication** (for example a Header Auth credential with your API key). Adjust the JSON bodies to your CRM\'s fields.',
				'',
				'The trigger answers AppDirect only when the workflow has finished: if the CRM is down, AppDirect retries the notification later.',
			].join('\n'),
		}),
		pinNote('3c4d5e6f-0006-4a7b-8c9d-0e1f2a3b4c76', [-360, 580], 'Subscription Added', names.create, SUBSCRIPTION_EVENTS.length),
	];
	return {
		id: SUBSCRIPTIONS_TO_CRM.id,
		name: 'AppDirect subscriptions → CRM (HTTP API)',
		nodes,
		connections: {
			...triggerConnections([names.create, names.onlyCancelled, names.cancel]),
			...chain(names.onlyCancelled, names.cancel),
		},
		pinData: { [TRIGGER_NAME]: SUBSCRIPTION_EVENTS.map((event) => ({ json: itemFor(pins[event]) })) },
		settings: { executionOrder: 'v1' },
		meta: { templateCredsSetupCompleted: false },
		tags: [],
	};
}

// ---- example 3: live sync into Salesforce -------------------------------------------------
