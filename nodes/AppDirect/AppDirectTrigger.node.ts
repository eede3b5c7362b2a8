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
import {
	HIDE_TOKEN_URL,
	oauth2Authentication,
	properties,
	TOKEN_CREDENTIAL,
	TOKEN_WEBHOOK_NAME,
	TOKEN_WEBHOOK_PATH,
	type OAuth2Authentication,
} from './trigger/description';
import { toItem } from './shared/item';
import { outputIndex, outputLayout, outputsExpression, type OutputSettings } from './trigger/outputs';
import { EXPECTED_SHAPE, parseNotification, requestBodyText, type WebhookRequestBody } from './trigger/parse';
import { BEARER_REFUSAL, TokenKeyCache } from './trigger/oauth2/bearer';
import { checkOAuth2Credential } from './trigger/oauth2/credential-check';
import { deriveTokenKeys, type TokenKeys } from './trigger/oauth2/token';
import { TokenCache } from './trigger/token-cache';
import { checkToken, receivedToken, type TokenCheck } from './trigger/verify';

/** Shared by every AppDirect Trigger in this n8n process. */
const tokenCache = new TokenCache();
/** The same for the OAuth2 types: keys derived from the credential, never the secret itself. */
const tokenKeyCache = new TokenKeyCache();

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

/** Our own answer with its headers; starts no execution. */
function answerWith(
	context: IWebhookFunctions,
	reply: { status: number; headers: Record<string, string>; body: IDataObject },
): IWebhookResponseData {
	context.getResponseObject().status(reply.status).set(reply.headers).json(reply.body);
	return { noWebhookResponse: true };
}

/**
 * Runs `use` with the keys of this workflow, node and OAuth2 credential, read at most once per
 * few seconds (see TokenKeyCache). Tokens are bound to the workflow and node (see token.ts).
 */
async function withTokenKeys<R>(
	context: IWebhookFunctions,
	oauth2: OAuth2Authentication,
	use: (cacheKey: string, readKeys: () => Promise<TokenKeys>) => Promise<R>,
): Promise<R> {
	const node = context.getNode();
	const binding = { workflowId: context.getWorkflow().id ?? '', nodeId: node.id };
	const credentialId = node.credentials?.[oauth2.credential]?.id;
	const readKeys = async () => {
		context.logger.debug(`AppDirect Trigger: reading the OAuth2 credential ${credentialId ?? '(no id)'}`);
		const data = await context.getCredentials<Record<string, unknown>>(oauth2.credential);
		return deriveTokenKeys({ ...data, grant: oauth2.grant }, binding);
	};
	// Without an id n8n cannot read the credential either: the failure is remembered as briefly as any.
	const cacheKey = `${binding.workflowId}/${binding.nodeId}/${oauth2.grant}/${credentialId ?? ''}`;
	return await use(cacheKey, readKeys);
}

const CREDENTIAL_UNREADABLE = {
	status: 500,
	headers: { 'Cache-Control': 'no-store' },
	body: { error: 'Internal Server Error', message: 'The AppDirect Trigger cannot read its OAuth2 credential' },
};

/** The Access Token URI (RFC 6749): answers with a token or an OAuth2 error, never runs the workflow. */
async function answerTokenRequest(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const oauth2 = oauth2Authentication(context.getNodeParameter('authentication', 'token'));
	if (oauth2 === undefined) {
		return answer(context, 404, {
			error: 'Not Found',
			message: 'This AppDirect Trigger does not use OAuth2: choose an OAuth2 type in its Authentication to use this URL',
		});
	}
	const request = context.getRequestObject();
	const body = await requestBodyText(request as WebhookRequestBody, () => '');
	const tokenRequest = {
		method: request.method,
		headers: context.getHeaderData() as Record<string, unknown>,
		body: typeof body === 'string' ? body : '',
	};
	try {
		const reply = await withTokenKeys(context, oauth2, async (key, readKeys) => await tokenKeyCache.answerTokenRequest(key, tokenRequest, readKeys));
		if (reply.outcome !== 'issued') context.logger.info(`AppDirect Trigger: refused a token request (${reply.outcome})`);
		return answerWith(context, reply);
	} catch (error) {
		context.logger.error(`AppDirect Trigger: cannot read the OAuth2 credential: ${(error as Error).message}`);
		return answerWith(context, CREDENTIAL_UNREADABLE);
	}
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
			{
				// The Access Token URI of the OAuth2 types. It answers by itself (noWebhookResponse),
				// so the answer mode of the node does not apply to it.
				name: TOKEN_WEBHOOK_NAME,
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: TOKEN_WEBHOOK_PATH,
				ndvHideUrl: HIDE_TOKEN_URL,
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
		if (this.getWebhookName() === TOKEN_WEBHOOK_NAME) return await answerTokenRequest(this);
		const headers = this.getHeaderData() as Record<string, unknown>;
		const authentication = this.getNodeParameter('authentication', 'token');
		const oauth2 = oauth2Authentication(authentication);

		if (oauth2 !== undefined) {
			const request = { headers, query: this.getQueryData() as Record<string, unknown> };
			let check;
			try {
				check = await withTokenKeys(this, oauth2, async (key, readKeys) => await tokenKeyCache.checkBearer(key, request, readKeys));
			} catch (error) {
				// Not the sender's fault: a non-2xx answer makes AppDirect retry once it is fixed.
				this.logger.error(`AppDirect Trigger: cannot read the OAuth2 credential: ${(error as Error).message}`);
				return answerWith(this, CREDENTIAL_UNREADABLE);
			}
			if (check !== 'valid') {
				// The reason stays in the log: the answer is the same for every failure.
				this.logger[check === 'notConfigured' ? 'warn' : 'debug'](`AppDirect Trigger: refused a notification (bearer token ${check})`);
				return answerWith(this, { ...BEARER_REFUSAL, body: { ...BEARER_REFUSAL.body } });
			}
		} else if (authentication === 'token') {
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
