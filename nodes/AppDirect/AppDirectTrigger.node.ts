import type {
	ICredentialTestFunctions,
	ICredentialsDecrypted,
	IDataObject,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { findResource, titleOf, type Action } from './shared/catalog';
import { answerFields } from './trigger/answer';
import { properties, TOKEN_CREDENTIAL } from './trigger/description';
import { toItem } from './shared/item';
import { outputIndex, outputLayout, outputsExpression, type OutputSettings } from './trigger/outputs';
import { EXPECTED_SHAPE, parseNotification, requestBodyText, type WebhookRequestBody } from './trigger/parse';
import { checkOAuth2Credential } from './trigger/oauth2/credential-check';
import { TokenCache } from './trigger/token-cache';
import { checkToken, receivedToken, type TokenCheck } from './trigger/verify';

/** Shared by every AppDirect Trigger in this n8n process. */
const tokenCache = new TokenCache();

/** Answers the request ourselves and starts no execution. */
function answer(context: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	context.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

/**
 * Remembers a keyed hash of the token for a few seconds (see TokenCache), per workflow and
 * credential, so a request rarely pays for reading the credential.
 */
async function tokenCheck(context: IWebhookFunctions, headers: Record<string, unknown>): Promise<TokenCheck> {
	const readToken = async () => (await context.getCredentials<{ token?: string }>(TOKEN_CREDENTIAL)).token ?? '';
	const credentialId = context.getNode().credentials?.[TOKEN_CREDENTIAL]?.id;
	// Without an id there is nothing to remember it by: n8n will report the missing credential.
	if (!credentialId) return checkToken(headers, await readToken());
	return await tokenCache.check(`${context.getWorkflow().id ?? ''}/${credentialId}`, receivedToken(headers), async () => {
		// Debug level: lets an operator (and the tests) see how rarely this happens.
		context.logger.debug(`AppDirect Trigger: reading the token credential ${credentialId}`);
		return await readToken();
	});
}

export class AppDirectTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'AppDirect Trigger',
		name: 'appDirectTrigger',
		icon: { light: 'file:appdirect.svg', dark: 'file:appdirect.dark.svg' },
		group: ['trigger'],
		// 2, not 1: n8n evaluates a binary-data expression on every request to a version-1 node (CPU).
		version: 2,
		subtitle:
			'={{ ($parameter["events"] || []).includes("*") ? "All events" : ($parameter["events"] || []).join(", ") }}',
		description: 'Starts the workflow when your AppDirect marketplace sends a webhook notification',
		defaults: { name: 'AppDirect Trigger' },
		inputs: [],
		triggerPanel: {
			header: 'Waiting for an AppDirect notification',
			executionsHelp: {
				inactive:
					'While you build the workflow, copy the Test URL from "Webhook URLs", click "Execute step" and send a sample notification to it (the package README has a ready-made command). Once it works, publish the workflow (n8n 1.x: set it to Active) and enter the Production URL in AppDirect.',
				active:
					'This workflow is published (n8n 1.x: active): every notification AppDirect sends to the Production URL starts an execution, listed under Executions.',
			},
			activationHint:
				'Publish the workflow (n8n 1.x: set it to Active), then create the webhooks in AppDirect with the Production URL (see the steps in the node settings).',
		},
		outputs: outputsExpression(titleOf),
		credentials: [
			{
				// Spelled out (not TOKEN_CREDENTIAL): n8n's lint only recognises a literal here.
				name: 'appDirectWebhookTokenApi',
				required: true,
				testedBy: 'appDirectWebhookToken',
				displayOptions: { show: { authentication: ['token'] } },
			},
			{
				name: 'appDirectWebhookClientOAuth2Api',
				required: true,
				testedBy: 'appDirectWebhookClientOAuth2',
				displayOptions: { show: { authentication: ['oAuth2ClientCredentials'] } },
			},
			{
				name: 'appDirectWebhookPasswordOAuth2Api',
				required: true,
				testedBy: 'appDirectWebhookPasswordOAuth2',
				displayOptions: { show: { authentication: ['oAuth2Password'] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				...answerFields(),
				path: 'appdirect',
			},
		],
		properties,
	};

	methods = {
		credentialTest: {
			// No AppDirect endpoint can vouch for a webhook token; check what can be checked here.
			async appDirectWebhookToken(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const token = String(credential.data?.token ?? '');
				if (token.trim().length === 0) return { status: 'Error', message: 'The token is empty' };
				if (token.trim() !== token) {
					return { status: 'Error', message: 'The token starts or ends with a space or line break; AppDirect would not send it' };
				}
				if (token.length < 16) {
					return { status: 'Error', message: 'Use a token of at least 16 characters: it is the only thing protecting the URL' };
				}
				return { status: 'OK', message: 'Token saved. Notifications are accepted only when they carry it.' };
			},
			async appDirectWebhookClientOAuth2(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				return checkOAuth2Credential('clientCredentials', credential.data);
			},
			async appDirectWebhookPasswordOAuth2(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				return checkOAuth2Credential('password', credential.data);
			},
		},
	};

	webhookMethods = {
		default: {
			// AppDirect publishes no API to register webhooks: the manager creates them in the
			// AppDirect UI (see the setup help in the node panel). So "registered" can only mean
			// "the user was told which URL to use", which is recorded in the node's static data.
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const staticData = this.getWorkflowStaticData('node');
				return staticData.announcedUrl === this.getNodeWebhookUrl('default');
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const url = this.getNodeWebhookUrl('default');
				// While the editor listens for a test event there is nothing to set up in AppDirect.
				if (this.getMode() === 'manual') return true;
				this.logger.info(
					`AppDirect Trigger: make sure AppDirect's webhooks (Manage > Marketplace > Settings > Integration > Webhooks, one per resource type) point at ${url}`,
				);
				this.getWorkflowStaticData('node').announcedUrl = url;
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				const staticData = this.getWorkflowStaticData('node');
				if (this.getMode() !== 'manual' && staticData.announcedUrl !== undefined) {
					this.logger.info(
						`AppDirect Trigger: ${String(staticData.announcedUrl)} stopped receiving events; if the workflow stays unpublished, delete its webhooks in AppDirect`,
					);
				}
				delete staticData.announcedUrl;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const headers = this.getHeaderData() as Record<string, unknown>;

		if (this.getNodeParameter('authentication', 'token') === 'token') {
			let check: TokenCheck;
			try {
				check = await tokenCheck(this, headers);
			} catch (error) {
				// Not the sender's fault: a non-2xx answer makes AppDirect retry once it is fixed.
				this.logger.error(`AppDirect Trigger: cannot read the token credential: ${(error as Error).message}`);
				return answer(this, 500, {
					error: 'Internal Server Error',
					message: 'The AppDirect Trigger cannot read its token credential',
				});
			}
			if (check !== 'valid') {
				if (check === 'notConfigured') this.logger.warn('AppDirect Trigger: the token credential is empty');
				return answer(this, 401, {
					error: 'Unauthorized',
					message:
						check === 'missing'
							? 'The x-appdirect-webhook-token header is missing'
							: 'The webhook token does not match',
				});
			}
		}

		// The exact bytes, parsed here: one behaviour whatever Content-Type the sender used.
		const body = await requestBodyText(this.getRequestObject() as WebhookRequestBody, () => this.getBodyData());
		const parsed = parseNotification(body);
		if (!parsed.ok) {
			return answer(this, 400, {
				error: 'Bad Request',
				message: `${parsed.problem}. This URL expects an AppDirect webhook notification: a JSON object like the one in "expected".`,
				expected: EXPECTED_SHAPE,
			});
		}

		const settings: OutputSettings = {
			events: this.getNodeParameter('events', []),
			splitBy: this.getNodeParameter('splitBy', 'event'),
			unmatched: this.getNodeParameter('unmatched', 'ignore'),
		};
		const slots = outputLayout(settings, titleOf);
		const index = outputIndex(slots, settings, parsed.notification.event);
		if (index === -1) {
			const { event, resourceType, action } = parsed.notification;
			// An unknown spelling may be AppDirect's real one: leave a trace, since nothing else will.
			const known = findResource(resourceType)?.actions.includes(action as Action) === true;
			this.logger[known ? 'debug' : 'info'](
				`AppDirect Trigger: ignored ${known ? 'an unselected' : 'an unknown'} event ${event} (notification ${parsed.notification.notificationId ?? 'without uuid'})`,
			);
			return answer(this, 200, { received: true, ignored: true, event });
		}

		const options = this.getNodeParameter('options', {}) as IDataObject;
		const item = toItem(parsed.notification, {
			includeRawNotification: options.includeRawNotification === true,
			headers: options.includeHeaders === true ? headers : undefined,
		});
		return {
			workflowData: slots.map((_, slot) => (slot === index ? [{ json: item as IDataObject }] : [])),
		};
	}
}
