// Everything a test needs to run n8n's own HubSpot and Salesforce nodes on this machine: a test
// certificate authority, the intercepting proxy, and the two stand-ins behind it; plus the
// environment that sends n8n's vendor calls through the proxy (README.md beside this file says why
// these variables, with the places in n8n's source that read them).
//
//   const vendors = await startVendorStandIns({ hubspot: { token }, salesforce: { … } });
//   await startN8n({ env: vendors.env, … });
//   vendors.hubspot.calls; vendors.salesforce.calls; vendors.proxy.refused
//   await vendors.stop();
import { createTestAuthority } from './authority.mjs';
import { startHubSpotStandIn } from './hubspot.mjs';
import { startVendorProxy } from './proxy.mjs';
import { makeKeyPair, startSalesforceStandIn } from './salesforce.mjs';

export { createTestAuthority } from './authority.mjs';
export { requestThroughProxy } from './client.mjs';
export { startHubSpotStandIn } from './hubspot.mjs';
export { startVendorProxy } from './proxy.mjs';
export { makeKeyPair, startSalesforceStandIn } from './salesforce.mjs';

export const HUBSPOT_HOST = 'api.hubapi.com';

/** Hosts that must never go through the proxy: n8n's own, the tests' local servers. */
export const LOCAL_HOSTS = ['127.0.0.1', 'localhost', '::1'];

/**
 * The environment for n8n (and any Node or npm process): every http and https request goes to the
 * proxy except those for local addresses, and the test authority is trusted. Both spellings of the
 * proxy variables are set: proxy-from-env reads the lower-case one first. npm does not take the
 * authority from NODE_EXTRA_CA_CERTS (it fails with UNABLE_TO_VERIFY_LEAF_SIGNATURE), so it gets its
 * own `cafile` setting; with it npm trusts this authority only, and only vendor hosts are reachable.
 */
export function proxyEnvironment(proxyUrl, certificatePath) {
	const noProxy = LOCAL_HOSTS.join(',');
	return {
		HTTPS_PROXY: proxyUrl,
		https_proxy: proxyUrl,
		HTTP_PROXY: proxyUrl,
		http_proxy: proxyUrl,
		NO_PROXY: noProxy,
		no_proxy: noProxy,
		NODE_EXTRA_CA_CERTS: certificatePath,
		npm_config_cafile: certificatePath,
	};
}

/**
 * Starts the authority, the HubSpot and Salesforce stand-ins and the proxy in front of them.
 * `hubspot`: options of startHubSpotStandIn (false: none). `salesforce`: options of
 * startSalesforceStandIn without the key (a key pair is made here; `keys.privateKey` goes into
 * n8n's credential), or false. `routes`: more hosts for the proxy (`{ host: 'http://127.0.0.1:port' }`).
 */
export async function startVendorStandIns({ hubspot: hubspotOptions = {}, salesforce: salesforceOptions = {}, routes = {} } = {}) {
	const started = [];
	try {
		const authority = await createTestAuthority();
		started.push({ stop: async () => authority.dispose() });
		const all = { ...routes };
		let hubspot;
		if (hubspotOptions) {
			hubspot = await startHubSpotStandIn({ token: 'pat-na1-test-token', ...hubspotOptions });
			started.push(hubspot);
			all[HUBSPOT_HOST] = hubspot.url;
		}
		let salesforce;
		let keys;
		if (salesforceOptions) {
			keys = makeKeyPair();
			salesforce = await startSalesforceStandIn({
				instanceHost: 'appdirect-test.my.salesforce.com',
				username: 'sync@appdirect-test.example',
				...salesforceOptions,
				connectedApp: { clientId: '3MVG9-test-consumer-key', clientSecret: 'test-consumer-secret', ...salesforceOptions.connectedApp, publicKey: keys.publicKey },
			});
			started.push(salesforce);
			for (const host of salesforce.hosts) all[host] = salesforce.url;
		}
		const proxy = await startVendorProxy({ authority, routes: all });
		started.push(proxy);
		return {
			authority,
			proxy,
			hubspot,
			salesforce,
			keys,
			env: proxyEnvironment(proxy.url, authority.certificatePath),
			async stop() {
				for (const part of [...started].reverse()) await part.stop();
			},
		};
	} catch (error) {
		for (const part of [...started].reverse()) await part.stop().catch(() => {});
		throw error;
	}
}
