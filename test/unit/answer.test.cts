import * as n8nWorkflow from 'n8n-workflow';
import type { INodeParameters } from 'n8n-workflow';
import { answerFields, EXPRESSION_ANSWER_FIELDS, responseDataOf, responseModeOf } from '../../nodes/AppDirect/trigger/answer';
import { description, workflowWith } from '../helpers/n8n.cjs';

const PARAMETER_SETS: INodeParameters[] = [{}, { respond: 'immediately' }, { respond: 'whenFinished' }, { respond: 'somethingElse' }];

/** What n8n's expression engine makes of a description field for these parameters. */
function evaluated(template: string, parameters: INodeParameters): unknown {
	const { workflow, node } = workflowWith(parameters);
	return workflow.expression.getComplexParameterValue(node, template, 'internal', {});
}

describe('the "Answer AppDirect" webhook fields', () => {
	const native = answerFields();

	it('are resolved by n8n 2.41 without its expression engine', () => {
		const webhook = description.webhooks![0];
		expect(n8nWorkflow.webhookDescriptionIsNativelyResolvable(webhook)).toBe(true);
		for (const field of ['responseMode', 'responseData']) {
			const { node } = workflowWith({ respond: 'whenFinished' });
			expect(n8nWorkflow.resolveWebhookDescriptionField(node, webhook, field)).toEqual({
				resolved: true,
				value: field === 'responseMode' ? 'lastNode' : 'noData',
			});
		}
	});

	it.each(PARAMETER_SETS)('give the same values natively, as n8n expressions, and as the old expressions, for %j', (parameters) => {
		const { node } = workflowWith(parameters);
		const expected = { responseMode: responseModeOf(node.parameters), responseData: responseDataOf(node.parameters) };
		expect({
			responseMode: evaluated(native.responseMode as string, parameters),
			responseData: evaluated(native.responseData as string, parameters),
		}).toEqual(expected);
		expect({
			responseMode: evaluated(EXPRESSION_ANSWER_FIELDS.responseMode, parameters),
			responseData: evaluated(EXPRESSION_ANSWER_FIELDS.responseData, parameters),
		}).toEqual(expected);
	});

	it('fall back to plain expressions where n8n-workflow lacks webhookDescriptionFields (n8n before 2.41)', () => {
		expect(answerFields({})).toEqual(EXPRESSION_ANSWER_FIELDS);
		expect(answerFields({ fromFunction: n8nWorkflow.fromFunction })).toEqual(EXPRESSION_ANSWER_FIELDS);
		expect(Object.getOwnPropertySymbols(answerFields({}))).toEqual([]);
	});

	it('the node still loads, with the expressions, where n8n-workflow lacks them', () => {
		jest.isolateModules(() => {
			jest.doMock('n8n-workflow', () => {
				const older = { ...jest.requireActual('n8n-workflow') };
				delete older.webhookDescriptionFields;
				delete older.fromFunction;
				return older;
			});
			const { AppDirectTrigger } = require('../../nodes/AppDirect/AppDirectTrigger.node') as typeof import('../../nodes/AppDirect/AppDirectTrigger.node');
			const webhook = new AppDirectTrigger().description.webhooks![0];
			expect(webhook).toEqual({ name: 'default', httpMethod: 'POST', path: 'appdirect', ...EXPRESSION_ANSWER_FIELDS });
			expect(Object.getOwnPropertySymbols(webhook)).toEqual([]);
		});
		jest.dontMock('n8n-workflow');
	});

	it('the answers themselves: nothing once the workflow finished (also when the setting is missing or unknown), or {"received": true} at once', () => {
		for (const parameters of [{}, { respond: 'whenFinished' }, { respond: 'somethingElse' }]) {
			expect([responseModeOf(parameters), responseDataOf(parameters)]).toEqual(['lastNode', 'noData']);
		}
		expect(responseModeOf({ respond: 'immediately' })).toBe('onReceived');
		expect(responseDataOf({ respond: 'immediately' })).toEqual({ received: true });
	});
});
