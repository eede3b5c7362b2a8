import type { INodeProperties } from 'n8n-workflow';
import { findResource, titleOf } from './shared/catalog';
import { idLabel, idNames, READABLE_RESOURCES } from './helpers/resource-url';
import { LIST_ENDPOINTS } from './listing/endpoints';

const MEMBERSHIP = 'MEMBERSHIP';

// n8n shows `@tool` parameters only in the node's AI tool form ("AppDirect Tool"). An agent has no
// notification to follow, so the tool reads by type and ID, and the agent fills both ($fromAI).
const IN_TOOL = { '@tool': [true] };

/** Options of the Resource Type parameter: the catalog types AppDirect has a REST URL for. */
const resourceTypeOptions = READABLE_RESOURCES.map((resource) => ({
	name: titleOf(resource.type),
	value: resource.type,
	description: `${resource.restPath}${resource.type === 'CATALOG_PRODUCT' ? ' (staging products too)' : ''}`,
}));

/** One text field per id of a resource type's REST path (memberships have two). */
const idFields: INodeProperties[] = [
	{
		displayName: 'ID',
		name: 'id',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'b7d2f0a4-6c1e-4b8f-9d3a-2e5f7a9c1d00',
		description: 'The ID of the resource, as in the resourceId field of the AppDirect Trigger (for products, the numeric product ID)',
		displayOptions: { show: { operation: ['get'] }, hide: { resourceType: [MEMBERSHIP], ...IN_TOOL } },
	},
	...idNames(READABLE_RESOURCES.find((resource) => resource.type === MEMBERSHIP)!).map(
		(name): INodeProperties => ({
			displayName: idLabel(name),
			name,
			type: 'string',
			required: true,
			default: '',
			description: `The membership's ${idLabel(name).replace(' ID', '').toLowerCase()} ID (the companyId and userId fields of a membership item)`,
			// First: n8n shows a field whose condition meets an expression (a $fromAI type) without reading on.
			displayOptions: { show: { '@tool': [false], operation: ['get'], resourceType: [MEMBERSHIP] } },
		}),
	),
];

const GET_CURRENT_STATE = {
	name: 'Get Current State',
	value: 'getCurrentState',
	action: 'Get the current state of a notified resource',
	description: 'Read the resource a notification is about, as it is now',
};
const GET = {
	name: 'Get',
	value: 'get',
	action: 'Get a resource by ID',
	description: 'Read a company, user, subscription or other resource by its ID',
};

const GET_MANY = {
	name: 'Get Many',
	value: 'getAll',
	action: 'Get many resources',
	description: 'List users, companies, memberships, subscriptions or invoices, for an import or a reconciliation',
};

const LISTED = (types: string[]) => ({ show: { operation: ['getAll'], resourceType: types } });

/** Types AppDirect can list for one company. */
const PER_COMPANY_TYPES = LIST_ENDPOINTS.filter((endpoint) => endpoint.companyPath !== undefined).map((endpoint) => endpoint.resourceType);

/** Get Many's fields: what to list, how many, filters only where AppDirect's list has them. */
const listFields: INodeProperties[] = [
	{
		displayName: 'Resource Type',
		name: 'resourceType',
		type: 'options',
		options: LIST_ENDPOINTS.map((endpoint) => ({
			name: titleOf(endpoint.resourceType),
			value: endpoint.resourceType,
			description: endpoint.perCompany ? `${endpoint.path} (company by company)` : endpoint.path,
		})),
		default: 'USER',
		displayOptions: { show: { operation: ['getAll'] }, hide: IN_TOOL },
	},
	{
		displayName: 'Companies',
		name: 'companies',
		type: 'options',
		options: [
			{ name: 'All Companies', value: 'all', description: 'The whole marketplace (for memberships and invoices the node reads every company in turn)' },
			{ name: 'One Company', value: 'one', description: "Only one company's resources" },
		],
		default: 'all',
		displayOptions: LISTED(PER_COMPANY_TYPES),
	},
	{
		displayName: 'Company ID',
		name: 'companyId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'c0a1e7d2-6c1e-4b8f-9d3a-2e5f7a9c1d00',
		description: 'The ID of the company whose resources to list (the companyId field of an item)',
		displayOptions: { show: { ...LISTED(PER_COMPANY_TYPES).show, companies: ['one'] } },
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show: { operation: ['getAll'] } },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { operation: ['getAll'], returnAll: [false] } },
	},
	// One Filters collection per list: each offers only the filters AppDirect documents for it.
	...LIST_ENDPOINTS.filter((endpoint) => endpoint.modifiedSince || endpoint.statuses).map(
		(endpoint): INodeProperties => ({
			displayName: 'Filters',
			name: 'filters',
			type: 'collection',
			placeholder: 'Add Filter',
			default: {},
			displayOptions: LISTED([endpoint.resourceType]),
			options: [
				...(endpoint.modifiedSince
					? [
							{
								displayName: 'Modified Since',
								name: 'modifiedSince',
								type: 'dateTime' as const,
								default: '',
								description:
									'Only resources changed at or after this moment (UTC unless the date says otherwise), for example the start of the last successful run',
							},
						]
					: []),
				...(endpoint.statuses
					? [
							{
								displayName: 'Status',
								name: 'status',
								type: 'options' as const,
								options: endpoint.statuses.map((status) => ({ name: titleOf(status), value: status })),
								default: endpoint.statuses[0],
								description: `Only ${findResource(endpoint.resourceType)?.plural ?? 'resources'} with this status`,
							},
						]
					: []),
			],
		}),
	),
];

/** What the agent may ask for: every readable type with a single ID (a membership needs two). */
export const TOOL_RESOURCE_TYPES = READABLE_RESOURCES.filter((resource) => resource.type !== MEMBERSHIP).map((resource) => resource.type);

/** What n8n puts in place of the node's subtitle and description in its tool form. */
export const TOOL_DESCRIPTION = {
	subtitle: 'Get by type and ID',
	description:
		'Reads one resource from the AppDirect marketplace, as it is now, by its type and ID: a subscription, user, company, order, invoice, app assignment or product. Fails when no resource has that ID.',
};

const fromAi = (key: string, description: string) => `={{ $fromAI('${key}', '${description}', 'string') }}`;

const toolFields: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [GET],
		default: 'get',
		displayOptions: { show: IN_TOOL },
	},
	{
		displayName: 'Resource Type',
		name: 'resourceType',
		type: 'options',
		options: resourceTypeOptions,
		default: fromAi('resourceType', `The kind of AppDirect resource to read, one of ${TOOL_RESOURCE_TYPES.join(', ')}`),
		displayOptions: { show: IN_TOOL },
	},
	{
		displayName: 'ID',
		name: 'id',
		type: 'string',
		required: true,
		default: fromAi('id', 'The ID of the resource (for CATALOG_PRODUCT the numeric product ID)'),
		displayOptions: { show: IN_TOOL },
	},
];

export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [GET_CURRENT_STATE, GET, GET_MANY],
		default: 'getCurrentState',
		displayOptions: { hide: IN_TOOL },
	},
	{
		displayName:
			'Notifications can arrive late, twice or out of order. This reads what the resource looks like now, so a late notification never writes old data. A removed resource gives exists = false.',
		name: 'currentStateNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['getCurrentState'] } },
	},
	{
		displayName: 'Resource URL',
		name: 'resourceUrl',
		type: 'string',
		required: true,
		default: '={{ $json.resourceUrl }}',
		placeholder: 'https://marketplace.example.com/api/billing/v1/subscriptions/b7d2f0a4-6c1e-4b8f-9d3a-2e5f7a9c1d00',
		description:
			"REST URL of the resource, as in the resourceUrl field of the AppDirect Trigger's items. It must be on the credential's marketplace: the API token is never sent anywhere else.",
		displayOptions: { show: { operation: ['getCurrentState'] } },
	},
	{
		displayName: 'Resource Type',
		name: 'resourceType',
		type: 'options',
		options: resourceTypeOptions,
		default: 'SUBSCRIPTION',
		displayOptions: { show: { operation: ['get'] }, hide: IN_TOOL },
	},
	...idFields,
	...listFields,
	...toolFields,
];
