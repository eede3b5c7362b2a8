// The AppDirect node's and its credential's descriptions: names stored in users' workflows, the
// settings n8n's OAuth2 code reads, and expressions evaluated by n8n-workflow itself.
import { readFileSync } from 'fs';
import { join } from 'path';
import { Workflow, type INode, type INodeType, type INodeTypes } from 'n8n-workflow';
import { AppDirectOAuth2Api } from '../../credentials/AppDirectOAuth2Api.credentials';
import { AppDirect } from '../../nodes/AppDirect/AppDirect.node';

const node = new AppDirect();
const credential = new AppDirectOAuth2Api();
const root = join(__dirname, '..', '..');

function evaluate(expression: string, parameters: Record<string, unknown>, additionalKeys: Record<string, unknown> = {}): unknown {
	const nodeTypes: INodeTypes = {
		getByName: () => node as INodeType,
		getByNameAndVersion: () => node as INodeType,
		getKnownTypes: () => ({}),
	};
	const instance: INode = { id: 'n1', name: 'AppDirect', type: 'n8n-nodes-appdirect.appDirect', typeVersion: 1, position: [0, 0], parameters: parameters as INode['parameters'] };
	const workflow = new Workflow({ id: 'w1', nodes: [instance], connections: {}, active: false, nodeTypes });
	return workflow.expression.getSimpleParameterValue(workflow.getNode('AppDirect')!, expression, 'internal', additionalKeys as never);
}

const property = (name: string) => credential.properties.find((candidate) => candidate.name === name)!;

describe('AppDirect node description', () => {
	it('keeps the names stored in workflows, and is listed where n8n loads it', () => {
		expect(node.description.name).toBe('appDirect');
		expect(node.description.credentials).toEqual([{ name: 'appDirectOAuth2Api', required: true }]);
		expect(credential.name).toBe('appDirectOAuth2Api');
		expect(credential.extends).toEqual(['oAuth2Api']);
		const codex = JSON.parse(readFileSync(join(root, 'nodes/AppDirect/AppDirect.node.json'), 'utf8'));
		expect(codex.node).toBe('n8n-nodes-appdirect.appDirect');
		const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
		expect(pkg.n8n.nodes).toEqual(['dist/nodes/AppDirect/AppDirectTrigger.node.js', 'dist/nodes/AppDirect/AppDirect.node.js']);
		expect(pkg.n8n.credentials).toEqual([
			'dist/credentials/AppDirectWebhookTokenApi.credentials.js',
			'dist/credentials/AppDirectOAuth2Api.credentials.js',
			'dist/credentials/AppDirectWebhookClientOAuth2Api.credentials.js',
			'dist/credentials/AppDirectWebhookPasswordOAuth2Api.credentials.js',
		]);
	});

	it('is a regular node usable as an AI tool, connecting after the trigger by default', () => {
		expect(node.description.usableAsTool).toBe(true);
		expect(node.description.inputs).toEqual(['main']);
		expect(node.description.outputs).toEqual(['main']);
		const operation = node.description.properties.find((candidate) => candidate.name === 'operation')!;
		expect(operation.default).toBe('getCurrentState');
		expect(operation.options?.map((option) => ('value' in option ? option.value : undefined))).toEqual(['getCurrentState', 'get']);
		expect(node.description.properties.find((candidate) => candidate.name === 'resourceUrl')?.default).toBe('={{ $json.resourceUrl }}');
	});

	it('has a subtitle that reads well for both operations', () => {
		const subtitle = node.description.subtitle as string;
		expect(evaluate(subtitle, { operation: 'getCurrentState' })).toBe('Get current state');
		expect(evaluate(subtitle, { operation: 'get', resourceType: 'APP_ASSIGNMENT' })).toBe('Get app assignment');
	});
});

describe('AppDirect OAuth2 API credential', () => {
	it('asks n8n for client credentials with HTTP Basic, at <Marketplace URL>/oauth2/token', () => {
		expect(property('grantType')).toMatchObject({ type: 'hidden', default: 'clientCredentials' });
		expect(property('authentication')).toMatchObject({ type: 'hidden', default: 'header' });
		const tokenUrl = property('accessTokenUrl');
		expect(tokenUrl.type).toBe('hidden');
		for (const baseUrl of ['https://marketplace.example.com', ' https://marketplace.example.com// ']) {
			expect(evaluate(tokenUrl.default as string, {}, { $self: { baseUrl } })).toBe('https://marketplace.example.com/oauth2/token');
		}
	});

	it('offers exactly the two scopes AppDirect allows, read-only by default, and keeps the secret a password', () => {
		expect(property('scope').default).toBe('ROLE_PARTNER_READ');
		expect(property('scope').options?.map((option) => ('value' in option ? option.value : undefined))).toEqual(['ROLE_PARTNER_READ', 'ROLE_PARTNER']);
		expect(property('clientSecret').typeOptions?.password).toBe(true);
		expect(property('baseUrl')).toMatchObject({ required: true, type: 'string' });
	});

	it('is tested by reading one company at the Marketplace URL', () => {
		expect(credential.test.request).toMatchObject({ url: '/api/account/v2/companies', method: 'GET', qs: { size: 1 } });
		expect(evaluate(credential.test.request.baseURL as string, {}, { $credentials: { baseUrl: 'https://m.example.com/' } })).toBe('https://m.example.com');
	});
});
