import { checkResourceUrl, marketplaceOrigin } from '../../nodes/AppDirect/transport/origin';

const MARKETPLACE = 'https://marketplace.example.com';
const SUBSCRIPTION = '/api/billing/v1/subscriptions/b7d2f0a4-6c1e-4b8f-9d3a-2e5f7a9c1d00';

const refused = (input: unknown) => {
	const result = checkResourceUrl(input, MARKETPLACE);
	if (result.ok) throw new Error(`accepted ${String(input)}`);
	return result.problem;
};

describe('marketplaceOrigin (the credential’s Marketplace URL)', () => {
	it.each([
		['https://marketplace.example.com', MARKETPLACE],
		['  https://marketplace.example.com/  ', MARKETPLACE],
		['https://Marketplace.EXAMPLE.com:443', MARKETPLACE],
		['http://127.0.0.1:8090', 'http://127.0.0.1:8090'],
	])('%s is the marketplace %s', (input, origin) => {
		expect(marketplaceOrigin(input)).toEqual({ ok: true, value: origin });
	});

	it.each([
		[undefined, /has no Marketplace URL/],
		['', /has no Marketplace URL/],
		['marketplace.example.com', /not an http\(s\) address/],
		['ftp://marketplace.example.com', /not an http\(s\) address/],
		['https://admin:pw@marketplace.example.com', /contains a user name or password/],
		['https://marketplace.example.com/api', /without a path \(got https:\/\/marketplace\.example\.com\/api\)/],
		['https://marketplace.example.com/?x=1', /without a path/],
	])('%s is refused with a fix', (input, problem) => {
		const result = marketplaceOrigin(input);
		expect(result.ok).toBe(false);
		if (!result.ok) {
			expect(result.problem).toMatch(problem);
			expect(result.problem).toContain('for example https://marketplace.example.com');
			expect(result.problem).not.toContain('pw');
		}
	});
});

describe('checkResourceUrl: the token goes to the marketplace only', () => {
	it('accepts the marketplace’s own resource URLs, normalised, with their query', () => {
		expect(checkResourceUrl(`${MARKETPLACE}${SUBSCRIPTION}`, MARKETPLACE)).toEqual({ ok: true, value: `${MARKETPLACE}${SUBSCRIPTION}` });
		expect(checkResourceUrl(` https://MARKETPLACE.example.com:443/api/account/v1/users/u1?isExternalId=true#x `, MARKETPLACE)).toEqual({
			ok: true,
			value: `${MARKETPLACE}/api/account/v1/users/u1?isExternalId=true`,
		});
	});

	it.each([
		['another host', `https://evil.example${SUBSCRIPTION}`, 'https://evil.example'],
		['a look-alike host', `https://marketplace.example.com.evil.example${SUBSCRIPTION}`, 'https://marketplace.example.com.evil.example'],
		['a subdomain', `https://api.marketplace.example.com${SUBSCRIPTION}`, 'https://api.marketplace.example.com'],
		['another port', `https://marketplace.example.com:8443${SUBSCRIPTION}`, 'https://marketplace.example.com:8443'],
		['another scheme', `http://marketplace.example.com${SUBSCRIPTION}`, 'http://marketplace.example.com'],
		['a backslash trick', `https://evil.example\\@marketplace.example.com${SUBSCRIPTION}`, 'https://evil.example'],
		['a protocol-relative trick', `https:/\\evil.example${SUBSCRIPTION}`, 'https://evil.example'],
		['a trailing-dot host', `https://marketplace.example.com.${SUBSCRIPTION}`, 'https://marketplace.example.com.'],
	])('refuses %s and names where the token would have gone', (_case, url, origin) => {
		expect(refused(url)).toBe(
			`Refused to send the AppDirect API token to ${origin}: the resource URL must be on the credential's marketplace, ${MARKETPLACE} (same scheme, host and port). A notification can name any URL; check that it comes from your marketplace, or correct the credential's Marketplace URL.`,
		);
	});

	it('refuses user info in the URL, even on the marketplace, without repeating it', () => {
		for (const url of [`https://user:hunter2@marketplace.example.com${SUBSCRIPTION}`, `https://user@marketplace.example.com${SUBSCRIPTION}`]) {
			const problem = refused(url);
			expect(problem).toMatch(/^Refused to read a resource URL that contains a user name or password/);
			expect(problem).not.toMatch(/hunter2|user@/);
		}
	});

	it('refuses paths outside /api/, also when dot segments lead there', () => {
		expect(refused(`${MARKETPLACE}/oauth2/token`)).toBe(
			`Refused to read ${MARKETPLACE}/oauth2/token: AppDirect resources are under ${MARKETPLACE}/api/.`,
		);
		expect(refused(`${MARKETPLACE}/api/../oauth2/token`)).toMatch(/^Refused to read https:\/\/marketplace\.example\.com\/oauth2\/token/);
		expect(refused(`${MARKETPLACE}/api/%2e%2e/oauth2/token`)).toMatch(/\/oauth2\/token/);
		expect(refused(`${MARKETPLACE}/apix/y`)).toMatch(/AppDirect resources are under/);
	});

	it('says what is wrong with empty, relative and non-text input', () => {
		expect(refused('')).toMatch(/^Resource URL is empty\. Connect the node after the AppDirect Trigger/);
		expect(refused('   ')).toMatch(/^Resource URL is empty/);
		expect(refused(undefined)).toMatch(/^Resource URL is empty/);
		expect(refused(null)).toMatch(/^Resource URL is empty/);
		expect(refused(SUBSCRIPTION)).toBe(
			`Resource URL is not an http(s) URL of your marketplace, for example ${MARKETPLACE}/api/billing/v1/subscriptions/<id>.`,
		);
		expect(refused('javascript:alert(1)')).toMatch(/is not an http\(s\) URL/);
		expect(refused(42)).toBe('Resource URL must be text, got a number.');
		expect(refused(['x'])).toBe('Resource URL must be text, got a list.');
	});
});
