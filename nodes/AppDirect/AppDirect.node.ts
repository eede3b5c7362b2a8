import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { properties, TOOL_DESCRIPTION } from './AppDirectDescription';
import { listResources } from './helpers/list';
import { readResource } from './helpers/read';
import { LIST_ENDPOINTS } from './listing/endpoints';
import { LeakyBucket } from './listing/rate-limit';
import { findResource } from './shared/catalog';
import { API_CREDENTIAL } from './transport';

/** `{"USER": "users", …}`: the subtitle's words for what Get Many lists. */
const LISTED_PLURALS = JSON.stringify(Object.fromEntries(LIST_ENDPOINTS.map((endpoint) => [endpoint.resourceType, findResource(endpoint.resourceType)?.plural])));

export class AppDirect implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AppDirect',
		name: 'appDirect',
		icon: { light: 'file:appdirect.svg', dark: 'file:appdirect.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle:
			`={{ $parameter["operation"] === "getCurrentState" ? "Get current state" : $parameter["operation"] === "getAll" ? "Get many " + ((${LISTED_PLURALS})[$parameter["resourceType"]] ?? "resources") : "Get " + String($parameter["resourceType"]).toLowerCase().replace(/_/g, " ") }}`,
		description: 'Reads companies, users, subscriptions and other resources from your AppDirect marketplace',
		defaults: { name: 'AppDirect' },
		// The AI tool form reads by type and ID (the `@tool` parameters); these words are the agent's.
		usableAsTool: { replacements: TOOL_DESCRIPTION },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: API_CREDENTIAL, required: true }],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const results: INodeExecutionData[] = [];
		const count = this.getInputData().length;
		// One bucket for the whole execution: every listing of it counts against AppDirect's rate limit.
		const bucket = new LeakyBucket();
		for (let itemIndex = 0; itemIndex < count; itemIndex++) {
			try {
				const pairedItem = { item: itemIndex };
				if (this.getNodeParameter('operation', itemIndex) === 'getAll') {
					for (const json of await listResources(this, itemIndex, bucket)) results.push({ json, pairedItem });
					continue;
				}
				results.push({ json: await readResource(this, itemIndex), pairedItem });
			} catch (error) {
				if (this.continueOnFail()) {
					results.push({ json: { error: (error as Error).message }, pairedItem: { item: itemIndex } });
					continue;
				}
				throw error instanceof NodeOperationError || error instanceof NodeApiError
					? error
					: new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			}
		}
		return [results];
	}
}
