// The AppDirect node's and its credential's descriptions: names stored in users' workflows, the
// settings n8n's OAuth2 code reads, and expressions evaluated by n8n-workflow itself.
import { readFileSync } from 'fs';
import { join } from 'path';
import { NodeHelpers, traverseNodeParameters, Workflow, type INode, type INodeParameters, type INodeType, type INodeTypeDescription, type INodeTypes, type FromAIArgument } from 'n8n-workflow';
import { AppDirectOAuth2Api } from '../../credentials/AppDirectOAuth2Api.credentials';
import { AppDirect } from '../../nodes/AppDirect/AppDirect.node';
import { TOOL_RESOURCE_TYPES } from '../../nodes/AppDirect/AppDirectDescription';

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

/** The parameters a new node starts with, as n8n resolves them (display options included). */
function defaults(description: INodeTypeDescription, set: INodeParameters = {}): INodeParameters {
	const instance: INode = { id: 'n1', name: 'AppDirect', type: `n8n-nodes-appdirect.${description.name}`, typeVersion: 1, position: [0, 0], parameters: set };
	return NodeHelpers.getNodeParameters(description.properties, set, true, false, instance, description) ?? {};
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

	it('is a regular node, connecting after the trigger by default', () => {
		expect(node.description.inputs).toEqual(['main']);
		expect(node.description.outputs).toEqual(['main']);
		expect(defaults(node.description)).toEqual({ operation: 'getCurrentState', currentStateNotice: '', resourceUrl: '={{ $json.resourceUrl }}' });
		expect(defaults(node.description, { operation: 'get' })).toEqual({ operation: 'get', resourceType: 'SUBSCRIPTION', id: '' });
		const operation = node.description.properties.find((candidate) => candidate.name === 'operation')!;
		expect(operation.options?.map((option) => ('value' in option ? option.value : undefined))).toEqual(['getCurrentState', 'get', 'getAll']);
	});

	it('has a subtitle that reads well for every operation', () => {
		const subtitle = node.description.subtitle as string;
		expect(evaluate(subtitle, { operation: 'getCurrentState' })).toBe('Get current state');
		expect(evaluate(subtitle, { operation: 'get', resourceType: 'APP_ASSIGNMENT' })).toBe('Get app assignment');
		expect(evaluate(subtitle, { operation: 'getAll', resourceType: 'INVOICE' })).toBe('Get many invoices');
		expect(evaluate(subtitle, { operation: 'getAll', resourceType: 'COMPANY' })).toBe('Get many companies');
	});
});

describe('the AppDirect node as an AI agent’s tool', () => {
	// What n8n does to a node with usableAsTool (its convertNodeToAiTool): the name gains "Tool",
	// the replacements apply, and `@tool` display options hold.
	const toolDescription = { ...node.description, ...(node.description.usableAsTool as { replacements: object }).replacements, name: 'appDirectTool' };

	it('reads by type and ID, both filled by the agent, instead of following a notification it does not have', () => {
		const parameters = defaults(toolDescription);
		expect(parameters).toEqual({ operation: 'get', resourceType: expect.stringContaining('$fromAI('), id: expect.stringContaining('$fromAI(') });
		const asked: FromAIArgument[] = [];
		traverseNodeParameters(parameters, asked);
		expect(asked.map(({ key, type }) => ({ key, type }))).toEqual([
			{ key: 'resourceType', type: 'string' },
			{ key: 'id', type: 'string' },
		]);
		expect(asked[0].description).toBe(`The kind of AppDirect resource to read, one of ${TOOL_RESOURCE_TYPES.join(', ')}`);
		expect(TOOL_RESOURCE_TYPES).toEqual(['SUBSCRIPTION', 'USER', 'COMPANY', 'ORDER', 'INVOICE', 'APP_ASSIGNMENT', 'CATALOG_PRODUCT']);
		expect(asked[1].description).toMatch(/numeric product ID/);
		// Get Current State and its Resource URL are not offered: an agent has no trigger item.
		const operations = toolDescription.properties.filter((property) => property.name === 'operation' && NodeHelpers.displayParameter(parameters, property, null, toolDescription));
		expect(operations.flatMap((property) => property.options!.map((option) => ('value' in option ? option.value : undefined)))).toEqual(['get']);
	});

	it('tells the agent what it does, with a subtitle that needs no parameter value', () => {
		expect(toolDescription.description).toMatch(/^Reads one resource from the AppDirect marketplace, as it is now, by its type and ID/);
		expect(toolDescription.subtitle).toBe('Get by type and ID');
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
