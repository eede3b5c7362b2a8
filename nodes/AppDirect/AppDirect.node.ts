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
import { readResource } from './helpers/read';
import { API_CREDENTIAL } from './transport';

export class AppDirect implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AppDirect',
		name: 'appDirect',
		icon: { light: 'file:appdirect.svg', dark: 'file:appdirect.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle:
			'={{ $parameter["operation"] === "get" ? "Get " + String($parameter["resourceType"]).toLowerCase().replace(/_/g, " ") : "Get current state" }}',
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
		for (let itemIndex = 0; itemIndex < count; itemIndex++) {
			try {
				results.push({ json: await readResource(this, itemIndex), pairedItem: { item: itemIndex } });
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
