import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type JsonObject,
} from 'n8n-workflow';
import { API_CREDENTIAL, properties, type Operation } from './AppDirectDescription';
import { explainFailure, failureFrom, notAResource } from './transport/errors';
import { notificationOf } from './helpers/notification';
import { marketplaceOrigin } from './transport/origin';
import { targetOf, type Target } from './helpers/target';
import { toFetchedItem } from './shared/item';

const isObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** One GET through n8n's OAuth2 machinery; null when AppDirect says the resource does not exist. */
async function read(context: IExecuteFunctions, target: Target, marketplace: string, itemIndex: number): Promise<IDataObject | null> {
	let body: unknown;
	try {
		body = await context.helpers.httpRequestWithAuthentication.call(context, API_CREDENTIAL, {
			method: 'GET',
			url: target.url,
			headers: { Accept: 'application/json' },
			json: true,
			// A marketplace that never answers must not hold the execution forever.
			timeout: 30_000,
			// The token must not follow a redirect to another host; n8n would send it along by default.
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
			allowedDomains: new URL(marketplace).hostname,
		});
	} catch (error) {
		const failure = failureFrom(error);
		if (failure.status === 404) return null;
		const { message, description } = explainFailure(failure, { marketplace, url: target.url });
		// A new error: NodeApiError hands back n8n's own error unchanged when given one to wrap.
		throw new NodeApiError(context.getNode(), { message, description } as JsonObject, {
			message,
			description,
			itemIndex,
			httpCode: failure.status === undefined ? undefined : String(failure.status),
		});
	}
	if (!isObject(body)) {
		const { message, description } = notAResource(target.url);
		throw new NodeOperationError(context.getNode(), message, { description, itemIndex });
	}
	return body;
}

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
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'appDirectOAuth2Api', required: true }],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const credential = await this.getCredentials<{ baseUrl?: string }>(API_CREDENTIAL);
		const marketplace = marketplaceOrigin(credential.baseUrl);
		const results: INodeExecutionData[] = [];

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				if (!marketplace.ok) throw new NodeOperationError(this.getNode(), marketplace.problem, { itemIndex });
				const operation = this.getNodeParameter('operation', itemIndex) as Operation;
				const target = targetOf(operation, (name) => this.getNodeParameter(name, itemIndex, ''), marketplace.value);
				if (!target.ok) throw new NodeOperationError(this.getNode(), target.problem, { itemIndex });

				const content = await read(this, target.value, marketplace.value, itemIndex);
				// After the trigger, the notification's envelope stays: steps that read $json.occurredAt work unchanged.
				const notification = operation === 'getCurrentState' ? notificationOf(items[itemIndex].json, target.value.url) : undefined;
				const item = toFetchedItem(
					{
						resourceType: target.value.resourceType,
						resourceId: target.value.resourceId,
						resourceUrl: target.value.url,
						exists: content !== null,
						fetchedAt: new Date().toISOString(),
						content,
					},
					notification,
				);
				results.push({ json: item as IDataObject, pairedItem: { item: itemIndex } });
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
