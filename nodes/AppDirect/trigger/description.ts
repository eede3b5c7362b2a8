import type { INodeProperties } from 'n8n-workflow';
import { ALL_EVENTS, EVENTS, RESOURCES } from '../shared/catalog';

export const TOKEN_CREDENTIAL = 'appDirectWebhookTokenApi';

/** The two OAuth2 authentication choices: their credential and the grant AppDirect uses. */
export const OAUTH2_AUTHENTICATIONS = {
	oAuth2ClientCredentials: { credential: 'appDirectWebhookClientOAuth2Api', grant: 'clientCredentials' },
	oAuth2Password: { credential: 'appDirectWebhookPasswordOAuth2Api', grant: 'password' },
} as const;

export type OAuth2Authentication = (typeof OAUTH2_AUTHENTICATIONS)[keyof typeof OAUTH2_AUTHENTICATIONS];

/** The OAuth2 settings of an Authentication value, or undefined for Token and None. */
export function oauth2Authentication(value: unknown): OAuth2Authentication | undefined {
	return value === 'oAuth2ClientCredentials' || value === 'oAuth2Password' ? OAUTH2_AUTHENTICATIONS[value] : undefined;
}

/**
 * The token endpoint's webhook, listed under "Webhook URLs" only with an OAuth2 type. Named
 * "setup": n8n's types allow only "default" and "setup", and it is what AppDirect calls first.
 */
export const TOKEN_WEBHOOK_NAME = 'setup';
export const TOKEN_WEBHOOK_PATH = 'appdirect/token';
export const HIDE_TOKEN_URL = '={{ !["oAuth2ClientCredentials", "oAuth2Password"].includes($parameter["authentication"]) }}';

const resourceList = RESOURCES.map((resource) => resource.plural).join(', ');

// Notices keep only <a>, <ul> and <li>: the steps are a list.
const SETUP_HELP = [
	'Connect AppDirect to this node (once, by hand: AppDirect has no API for it):<ul>',
	'<li>Copy the Production URL from "Webhook URLs" above (the one ending in /appdirect) and publish this workflow (n8n 1.x: set it to Active).</li>',
	'<li>In AppDirect open Manage > Marketplace > Settings > Integration > Webhooks and create a webhook.</li>',
	'<li>Paste the URL, choose one resource type and its actions. Create one webhook per resource type (users, companies, subscriptions…), all with the same URL.</li>',
	'<li>Authentication type: the same as this node\'s Authentication. Token: the same token as in the credential.</li>',
	'<li>OAuth2 with Client Credentials: Access Token URI is the second Production URL (the one ending in /appdirect/token); Client ID, Client Secret and Scope as in the credential.</li>',
	'<li>OAuth2 with Resource Owner Password: the same, plus Username and Password as in the credential.</li>',
	'</ul>',
].join('');

/** Sorted by name, as n8n's lint asks of long option lists; "All Events (*)" sorts first. */
const EVENT_OPTIONS = [
	{
		name: 'All Events (*)',
		value: ALL_EVENTS,
		description: 'Every notification, including resource types this node does not know yet',
	},
	...EVENTS.map((event) => ({
		name: event.displayName,
		value: event.name,
		description: `AppDirect ${event.action.toLowerCase()} one of your ${event.resource.plural}`,
	})),
].sort((a, b) => a.name.localeCompare(b.name, 'en'));

export const properties: INodeProperties[] = [
	{
		displayName: SETUP_HELP,
		name: 'setupHelp',
		type: 'callout',
		default: '',
	},
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: [
			{
				name: 'Token',
				value: 'token',
				description: 'AppDirect sends a secret token with every notification; others are refused',
			},
			{
				name: 'OAuth2 With Client Credentials',
				value: 'oAuth2ClientCredentials',
				description:
					'AppDirect fetches a short-lived token from this node\'s Access Token URI with a client ID and secret, then sends it with each notification',
			},
			{
				name: 'OAuth2 With Resource Owner Password',
				value: 'oAuth2Password',
				description: 'As OAuth2 With Client Credentials, with a username and password as well',
			},
			{
				name: 'None',
				value: 'none',
				description: 'Accept notifications from anyone who knows the URL',
			},
		],
		default: 'token',
		description: 'How the node checks that a notification really comes from your AppDirect marketplace',
	},
	{
		displayName:
			'Warning: with no authentication, anyone who knows this URL can post events into this workflow. Choose Token unless the URL is protected some other way.',
		name: 'noAuthWarning',
		type: 'notice',
		default: '',
		displayOptions: { show: { authentication: ['none'] } },
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		required: true,
		options: EVENT_OPTIONS,
		default: [ALL_EVENTS],
		description: `Which notifications start the workflow. AppDirect can send events about ${resourceList}.`,
	},
	{
		// n8n's editor keeps connections at their position when a community node's outputs change:
		// the panel is the only place to tell the user before they remove an event.
		displayName:
			'Outputs are connected by position. Adding an event adds its output at the end and moves nothing. Removing an event moves the outputs after it up one place while their connections stay where they were, so check where each output leads afterwards (the same after changing Outputs or Other Notifications).',
		name: 'outputsMoveNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { splitBy: ['event', 'resource'] } },
	},
	{
		displayName: 'Outputs',
		name: 'splitBy',
		type: 'options',
		options: [
			{
				name: 'One Output per Event',
				value: 'event',
				description: 'For example "Subscription Added" and "Subscription Removed" each get their own output',
			},
			{
				name: 'One Output per Resource Type',
				value: 'resource',
				description: 'For example all selected subscription events leave on "Subscription"',
			},
			{
				name: 'A Single Output',
				value: 'none',
				description: 'Every selected event leaves on the same output',
			},
		],
		default: 'event',
		description:
			'How events are split between outputs. With All Events (*), everything not selected separately leaves on an "All Other Events" output.',
	},
	{
		displayName: 'Other Notifications',
		name: 'unmatched',
		type: 'options',
		options: [
			{
				name: 'Acknowledge and Ignore',
				value: 'ignore',
				description: 'Answer AppDirect with success and start nothing',
			},
			{
				name: 'Send to an "Other" Output',
				value: 'otherOutput',
				description: 'Add a first output named "Other" for them, before the events\' outputs',
			},
		],
		default: 'ignore',
		description:
			'What to do with notifications for events you did not select, or for resource types this node does not know. They are never refused: AppDirect would retry them for days.',
	},
	{
		displayName: 'Answer AppDirect',
		name: 'respond',
		type: 'options',
		options: [
			{
				name: 'When the Workflow Has Finished',
				value: 'whenFinished',
				description: 'Answer 200 only if the workflow succeeds; on failure AppDirect retries the notification later',
			},
			{
				name: 'Immediately',
				value: 'immediately',
				description: 'Answer 200 as soon as the workflow starts; if it then fails, AppDirect does not send the notification again',
			},
		],
		// A CRM sync must not lose a notification: only this mode lost none when steps failed or n8n was killed.
		default: 'whenFinished',
		description: 'When AppDirect is told that the notification arrived',
		hint: 'AppDirect waits up to 30 seconds for the answer. Waiting for the workflow means a failed step (a CRM that is down) makes AppDirect send the notification again later; keep the workflow well under 30 seconds. Answer immediately only if losing a notification is acceptable.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Raw Notification',
				name: 'includeRawNotification',
				type: 'boolean',
				default: false,
				description: 'Whether to add the notification exactly as AppDirect sent it, in a "notification" field',
			},
			{
				displayName: 'Include Request Headers',
				name: 'includeHeaders',
				type: 'boolean',
				default: false,
				description:
					'Whether to add the HTTP request headers in a "headers" field. The token and authorization headers are never included.',
			},
		],
	},
];
