import { checkToken, findHeader, receivedToken } from '../../nodes/AppDirect/trigger/verify';

const TOKEN = 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

describe('checkToken', () => {
	it.each([
		['the current header', { 'x-appdirect-webhook-token': TOKEN }, 'valid'],
		['the legacy header', { 'appdirect-webhook-token': TOKEN }, 'valid'],
		['a header in other case', { 'X-AppDirect-Webhook-Token': TOKEN }, 'valid'],
		['the legacy header in other case', { 'AppDirect-Webhook-Token': TOKEN }, 'valid'],
		['a repeated header, which Node joins with a comma', { 'x-appdirect-webhook-token': `${TOKEN}, other` }, 'invalid'],
		['an empty current header beside a right legacy one', { 'x-appdirect-webhook-token': '', 'appdirect-webhook-token': TOKEN }, 'valid'],
		['no header', { 'content-type': 'application/json' }, 'missing'],
		['an empty header', { 'x-appdirect-webhook-token': '' }, 'missing'],
		['a wrong token of the same length', { 'x-appdirect-webhook-token': TOKEN.replace('9', '8') }, 'invalid'],
		['a shorter token', { 'x-appdirect-webhook-token': TOKEN.slice(0, 10) }, 'invalid'],
		['a longer token', { 'x-appdirect-webhook-token': `${TOKEN}x` }, 'invalid'],
		['a token with surrounding spaces', { 'x-appdirect-webhook-token': ` ${TOKEN} ` }, 'invalid'],
		['the token in an Authorization header only', { authorization: `Bearer ${TOKEN}` }, 'missing'],
		['a wrong current header beside a right legacy one', { 'x-appdirect-webhook-token': 'nope', 'appdirect-webhook-token': TOKEN }, 'invalid'],
	])('%s → %s', (_case, headers, expected) => {
		expect(checkToken(headers, TOKEN)).toBe(expected);
	});

	it('never accepts anything when no token is configured', () => {
		expect(checkToken({ 'x-appdirect-webhook-token': '' }, '')).toBe('notConfigured');
		expect(checkToken({}, '')).toBe('notConfigured');
	});

	it('finds headers whatever their case', () => {
		expect(findHeader({ 'Content-Type': 'application/json' }, 'content-type')).toBe('application/json');
		expect(findHeader({ other: 'x' }, 'content-type')).toBeUndefined();
	});
});

describe('receivedToken', () => {
	it('takes the first non-empty accepted header, whatever its case', () => {
		expect(receivedToken({ 'X-AppDirect-Webhook-Token': 'a' })).toBe('a');
		expect(receivedToken({ 'x-appdirect-webhook-token': '', 'appdirect-webhook-token': 'b' })).toBe('b');
		expect(receivedToken({ authorization: 'Bearer c' })).toBeUndefined();
	});
});
