import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * What AppDirect presents to the AppDirect Trigger's own token endpoint when the webhook's
 * authentication type is "OAuth2 with Client Credentials". The trigger checks these values and
 * signs its access tokens with a key derived from them; it calls nothing with them. Not an
 * oAuth2Api credential: here n8n is the OAuth2 server, not the client.
 */
export class AppDirectWebhookClientOAuth2Api implements ICredentialType {
	name = 'appDirectWebhookClientOAuth2Api';

	displayName = 'AppDirect Webhook Client Credentials OAuth2 API';

	icon = { light: 'file:appdirect.svg', dark: 'file:appdirect.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-appdirect/n8n-nodes-appdirect#set-up-the-webhook-in-appdirect';

	properties: INodeProperties[] = [
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			required: true,
			default: '',
			description: 'The same Client ID you type in AppDirect for the webhook. You choose it; any name will do.',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'The same Client Secret you type in AppDirect. Use a long random string (at least 32 characters): the access tokens are signed with a key derived from it.',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: '',
			placeholder: 'webhooks',
			description:
				'Optional. When set, a token request may ask only for these scopes (separated by spaces). Leave empty to accept whatever Scope you type in AppDirect.',
		},
	];
}
