import * as n8nWorkflow from 'n8n-workflow';
import type { INodeParameters, IWebhookDescription } from 'n8n-workflow';

// "Answer AppDirect" → n8n's response settings. n8n inlines each function's source as the
// expression it falls back to, so they must not use anything from outside their own body.

// Anything but "immediately" waits for the workflow: the default, and the safe reading of a
// value this version does not know.

/** Immediately: n8n answers once the execution started; when finished: after the last node. */
export const responseModeOf = (parameters: INodeParameters): string =>
	parameters.respond === 'immediately' ? 'onReceived' : 'lastNode';

/** An object here is the JSON body of n8n's immediate answer; "noData" sends no body. */
export const responseDataOf = (parameters: INodeParameters): string | INodeParameters =>
	parameters.respond === 'immediately' ? { received: true } : 'noData';

/** The same settings as plain expressions: what n8n versions without native resolution evaluate. */
export const EXPRESSION_ANSWER_FIELDS = {
	responseMode: '={{ $parameter["respond"] === "immediately" ? "onReceived" : "lastNode" }}',
	responseData: '={{ $parameter["respond"] === "immediately" ? ({ received: true }) : "noData" }}',
};

type Helpers = Partial<Pick<typeof n8nWorkflow, 'webhookDescriptionFields' | 'fromFunction'>>;

/**
 * The webhook description's response fields. With n8n-workflow's webhookDescriptionFields
 * (n8n 2.41 and later) n8n resolves them from the node's parameters without its expression
 * engine, so a request needs no expression sandbox for them. Older n8n versions lack these
 * helpers and get the expressions: checked at run time, so the package loads everywhere.
 */
export function answerFields(helpers: Helpers = n8nWorkflow): Pick<IWebhookDescription, 'responseMode' | 'responseData'> {
	const { webhookDescriptionFields, fromFunction } = helpers;
	if (typeof webhookDescriptionFields !== 'function' || typeof fromFunction !== 'function') {
		return { ...EXPRESSION_ANSWER_FIELDS };
	}
	return webhookDescriptionFields({
		responseMode: fromFunction(responseModeOf),
		responseData: fromFunction(responseDataOf),
	});
}
