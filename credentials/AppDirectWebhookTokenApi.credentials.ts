import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The secret that AppDirect sends with every notification when the webhook's
 * authentication type is Token. The AppDirect Trigger compares it; nothing is called with it.
 */
export class AppDirectWebhookTokenApi implements ICredentialType {
	name = 'appDirectWebhookTokenApi';

	displayName = 'AppDirect Webhook Token API';

	icon = { light: 'file:appdirect.svg', dark: 'file:appdirect.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-appdirect/n8n-nodes-appdirect#set-up-the-webhook-in-appdirect';

	properties: INodeProperties[] = [
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'The same token you type in AppDirect when you create the webhook with authentication type Token. Use a long random string.',
		},
	];
}
