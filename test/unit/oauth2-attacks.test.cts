// The attack corpus (test/helpers/oauth2-attacks.cts) against the pure token endpoint and bearer
// check: none of them throws, gets a token or gets a notification accepted, and no answer
// carries a secret.
import { BEARER_REFUSAL, checkBearer } from '../../nodes/AppDirect/trigger/oauth2/bearer';
import { answerTokenRequest } from '../../nodes/AppDirect/trigger/oauth2/endpoint';
import { oauth2Attacks } from '../helpers/oauth2-attacks.cjs';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const { endpointAttacks, notificationAttacks, secrets, clientKeys, ownerKeys, goodToken, goodClientRequest, goodOwnerRequest } = oauth2Attacks({
	now: NOW,
	binding: { workflowId: 'wf-1', nodeId: 'node-a' },
	clientId: 'appdirect',
	clientSecret: 'cs_4f9a1c7e2b8d6053aa41f0c9e7b2d81',
	username: 'marketplace-bot',
	password: 'pw_7Hq2xL9vRt4Z',
});
const keys = clientKeys;

describe('attack corpus', () => {
	it('has at least 100 cases', () => {
		expect(endpointAttacks.length + notificationAttacks.length).toBeGreaterThanOrEqual(100);
	});

	it.each(endpointAttacks)('token endpoint: %s', (_case, credential, hostile, [status, error, outcome]) => {
		const answer = answerTokenRequest(hostile, credential === 'client' ? clientKeys : ownerKeys, NOW);
		expect([answer.status, answer.body.error ?? '', answer.outcome]).toEqual([status, error, outcome]);
		if (status !== 200) expect(answer.body.access_token).toBeUndefined();
		expect(answer.headers['Cache-Control']).toBe('no-store');
		const text = JSON.stringify(answer);
		for (const secret of secrets) expect(text).not.toContain(secret);
	});

	it.each(notificationAttacks)('notification: %s', (_case, headers, query, expected) => {
		expect(checkBearer({ headers, query }, keys, NOW)).toBe(expected);
	});

	it('the good token itself passes, so the refusals above are about the changes', () => {
		expect(checkBearer({ headers: { authorization: `Bearer ${goodToken}` } }, keys, NOW)).toBe('valid');
		expect(checkBearer({ headers: { Authorization: `bearer  ${goodToken}` } }, keys, NOW)).toBe('valid');
		expect(answerTokenRequest(goodClientRequest, clientKeys, NOW).status).toBe(200);
		expect(answerTokenRequest(goodOwnerRequest, ownerKeys, NOW).status).toBe(200);
		expect(BEARER_REFUSAL.status).toBe(401);
	});
});
