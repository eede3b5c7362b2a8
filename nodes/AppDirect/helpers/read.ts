import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { isObject } from '../shared/guards';
import { toFetchedItem } from '../shared/item';
import { appDirectApiRequest, marketplaceOf } from '../transport';
import { notAResource } from '../transport/errors';
import { notificationOf } from './notification';
import { targetOf, type Operation } from './target';

const NOT_FOUND = 404;

/**
 * Get and Get Current State for one input item: the resource as AppDirect has it now. A 404 is
 * Get Current State's answer (exists = false: the notified resource was removed) and Get's
 * error (the ID names nothing).
 */
export async function readResource(context: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const operation = context.getNodeParameter('operation', itemIndex) as Operation;
	const marketplace = await marketplaceOf(context, itemIndex);
	const target = targetOf(operation, (name) => context.getNodeParameter(name, itemIndex, ''), marketplace);
	if (!target.ok) throw new NodeOperationError(context.getNode(), target.problem, { itemIndex });
	const { url, resourceType, resourceId } = target.value;

	const isCurrentState = operation === 'getCurrentState';
	const response = await appDirectApiRequest(context, itemIndex, { method: 'GET', url, answerStatuses: isCurrentState ? [NOT_FOUND] : [] });
	const removed = response.statusCode === NOT_FOUND;
	if (!removed && !isObject(response.body)) {
		const { message, description } = notAResource(url);
		throw new NodeOperationError(context.getNode(), message, { description, itemIndex });
	}
	const content = removed ? null : (response.body as IDataObject);
	// After the trigger, the notification's envelope stays: steps that read $json.occurredAt work unchanged.
	const input = context.getInputData()[itemIndex]?.json ?? {};
	const notification = isCurrentState ? notificationOf(input, url) : undefined;
	const item = toFetchedItem(
		{ resourceType, resourceId, resourceUrl: url, exists: content !== null, fetchedAt: new Date().toISOString(), content },
		notification,
	);
	return item as IDataObject;
}
