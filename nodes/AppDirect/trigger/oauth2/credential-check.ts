/** What the node's credential test says about an OAuth2 webhook credential: only what can be checked here. */
import type { Grant } from './token';

/** Shorter client secrets are refused: tokens are signed with a key derived from the secret. */
export const MIN_CLIENT_SECRET_CHARS = 32;

export interface CredentialCheckResult {
	status: 'OK' | 'Error';
	message: string;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value : '';
}

/** Values AppDirect would not send as typed: empty, or with spaces or line breaks at either end. */
function problemWith(label: string, value: string): string | undefined {
	if (value.trim().length === 0) return `The ${label} is empty`;
	if (value.trim() !== value) return `The ${label} starts or ends with a space or line break; AppDirect would not send it`;
	return undefined;
}

export function checkOAuth2Credential(grant: Grant, data: Record<string, unknown> | undefined): CredentialCheckResult {
	const password = grant === 'password';
	const fields: Array<[string, string]> = [
		['client ID', text(data?.clientId)],
		['client secret', text(data?.clientSecret)],
		...(password
			? ([
					['username', text(data?.username)],
					['password', text(data?.password)],
				] as Array<[string, string]>)
			: []),
	];
	for (const [label, value] of fields) {
		const problem = problemWith(label, value);
		if (problem !== undefined) return { status: 'Error', message: problem };
	}
	if (text(data?.clientSecret).length < MIN_CLIENT_SECRET_CHARS) {
		return {
			status: 'Error',
			message: `Use a client secret of at least ${MIN_CLIENT_SECRET_CHARS} random characters: whoever sees a token could otherwise guess it`,
		};
	}
	return {
		status: 'OK',
		message: 'Saved. AppDirect gets access tokens from the trigger’s Access Token URI only with these values.',
	};
}
