// One HTTPS request through the test proxy, as a client configured with HTTPS_PROXY and the test
// authority would send it (CONNECT, then TLS to the vendor host). Tests use it to play the part of
// a browser or another client; n8n itself needs nothing of this (it reads HTTPS_PROXY).
import http from 'node:http';
import tls from 'node:tls';

/**
 * `requestThroughProxy({ proxyUrl, ca, url, method, headers, body })` → `{ status, headers, text, json }`.
 * Rejects when the proxy refuses the tunnel (the error carries `status`), or TLS fails.
 */
export function requestThroughProxy({ proxyUrl, ca, url, method = 'GET', headers = {}, body, timeoutMs = 15_000 }) {
	const target = new URL(url);
	const proxy = new URL(proxyUrl);
	const port = Number(target.port || 443);
	return new Promise((resolve, reject) => {
		const connect = http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: `${target.hostname}:${port}`, timeout: timeoutMs });
		connect.on('timeout', () => connect.destroy(new Error(`no answer from the proxy within ${timeoutMs} ms`)));
		connect.on('error', reject);
		connect.on('connect', (answer, socket) => {
			if (answer.statusCode !== 200) {
				socket.destroy();
				reject(Object.assign(new Error(`the proxy refused ${target.hostname}:${port} with ${answer.statusCode}`), { status: answer.statusCode }));
				return;
			}
			const secure = tls.connect({ socket, servername: target.hostname, ca, ALPNProtocols: ['http/1.1'] });
			secure.on('error', reject);
			const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
			const req = http.request(
				{
					host: target.hostname,
					method,
					path: `${target.pathname}${target.search}`,
					headers: { host: target.host, ...(payload && { 'content-length': payload.length }), ...(payload && typeof body !== 'string' && { 'content-type': 'application/json' }), ...headers },
					// The tunnel is already TLS: plain http.request over it, with no agent.
					createConnection: () => secure,
				},
				(res) => {
					const chunks = [];
					res.on('data', (chunk) => chunks.push(chunk));
					res.on('end', () => {
						const text = Buffer.concat(chunks).toString('utf8');
						let json;
						try {
							json = text ? JSON.parse(text) : undefined;
						} catch {
							json = undefined;
						}
						secure.destroy();
						resolve({ status: res.statusCode, headers: res.headers, text, json });
					});
				},
			);
			req.on('error', reject);
			req.end(payload);
		});
		connect.end();
	});
}
