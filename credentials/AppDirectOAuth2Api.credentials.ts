import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * An AppDirect API client, used with OAuth 2.0 client credentials: n8n's own OAuth2 machinery
 * (oAuth2Api) asks `<marketplace>/oauth2/token` for a token with HTTP Basic (client ID and
 * secret) and `grant_type=client_credentials&scope=…`, stores it encrypted with the credential,
 * and fetches a new one when AppDirect answers 401 (the grant has no refresh token).
 *
 * n8n's lint requires "OAuth2" in the class, name and display name of a credential that extends
 * oAuth2Api. The name is stored in users' workflows: never rename it.
 */
export class AppDirectOAuth2Api implements ICredentialType {
	name = 'appDirectOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'AppDirect OAuth2 API';

	icon = { light: 'file:appdirect.svg', dark: 'file:appdirect.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-appdirect/n8n-nodes-appdirect#connect-n8n-to-the-appdirect-api';

	properties: INodeProperties[] = [
		// Overrides keep oAuth2Api's places in the form; fields of its own come after them.
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'clientCredentials',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: '={{ $self["baseUrl"].trim().replace(/\\/+$/, "") }}/oauth2/token',
		},
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			required: true,
			default: '',
			description:
				'Of an API client of your marketplace. A Marketplace Manager creates one in AppDirect under Manage > Marketplace > Settings > API Clients.',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: "The API client's secret, shown in AppDirect next to its client ID",
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'options',
			options: [
				{
					name: 'Read All Marketplace Data (ROLE_PARTNER_READ)',
					value: 'ROLE_PARTNER_READ',
					description: 'Enough for this node, which only reads',
				},
				{
					name: 'Read and Write (ROLE_PARTNER)',
					value: 'ROLE_PARTNER',
					description: 'Only if the API client is also used to change data',
				},
			],
			default: 'ROLE_PARTNER_READ',
			description: 'The two scopes AppDirect allows for client credentials',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			// HTTP Basic with client ID and secret, as AppDirect's token endpoint requires.
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'header',
		},
		{
			displayName: 'Marketplace URL',
			name: 'baseUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://marketplace.example.com',
			description:
				'The address of your AppDirect marketplace, without a path. The API token is only ever sent to this address.',
		},
	];

	// Obtains a token (when none is stored) and reads one company: proves the address, the
	// client ID and secret, and that the scope can read marketplace data.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ $credentials.baseUrl.trim().replace(/\\/+$/, "") }}',
			url: '/api/account/v2/companies',
			qs: { size: 1 },
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: 'AppDirect refused to list companies (403): choose the scope ROLE_PARTNER_READ or ROLE_PARTNER',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message: 'No AppDirect API at this address (404): check the Marketplace URL',
				},
			},
		],
	};
}
