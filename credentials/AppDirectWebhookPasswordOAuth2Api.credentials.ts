import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * What AppDirect presents to the AppDirect Trigger's own token endpoint when the webhook's
 * authentication type is "OAuth2 with Resource Owner Password": the client ID, secret and scope
 * of the client-credentials type, plus a username and password.
 */
export class AppDirectWebhookPasswordOAuth2Api implements ICredentialType {
	name = 'appDirectWebhookPasswordOAuth2Api';

	extends = ['appDirectWebhookClientOAuth2Api'];

	displayName = 'AppDirect Webhook Resource Owner Password OAuth2 API';

	icon = { light: 'file:appdirect.svg', dark: 'file:appdirect.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-appdirect/n8n-nodes-appdirect#set-up-the-webhook-in-appdirect';

	properties: INodeProperties[] = [
		{
			displayName: 'Username',
			name: 'username',
			type: 'string',
			required: true,
			default: '',
			description: 'The same Username you type in AppDirect for the webhook',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'The same Password you type in AppDirect for the webhook',
		},
	];
}
