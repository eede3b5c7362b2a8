// A local forward proxy for tests that answers CONNECT only for chosen vendor hosts (HubSpot,
// Salesforce, the npm registry…): it ends TLS itself with a certificate from the test authority
// and hands the decrypted requests to a local stand-in. Every other host is refused with 403,
// so nothing leaves the machine. n8n reaches it through HTTPS_PROXY (see README.md beside this file).
//
//   const proxy = await startVendorProxy({ authority, routes: { 'api.hubapi.com': hubspot.url } });
//   proxy.url          // http://127.0.0.1:<port>, for HTTPS_PROXY
//   proxy.refused      // every request for a host it does not answer for
//   proxy.forwarded    // every request it handed to a stand-in
//   await proxy.stop();
import http from 'node:http';
import tls from 'node:tls';

import { listenOnLoopback } from './loopback.mjs';


/** `host:port` of a CONNECT request; brackets around IPv6 addresses are removed. */
export function parseConnectTarget(target) {
	const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(String(target ?? ''));
	if (!match) return undefined;
	const port = Number(match[2]);
	if (port < 1 || port > 65535) return undefined;
	return { host: match[1].replace(/^\[|\]$/g, '').toLowerCase(), port };
}

/** Routes keyed by lower-case host name, each a stand-in's origin (`http://127.0.0.1:<port>`). */
function normaliseRoutes(routes) {
	const normalised = new Map();
	for (const [host, target] of Object.entries(routes ?? {})) {
		const url = new URL(target);
		if (url.protocol !== 'http:') throw new Error(`route for ${host}: the stand-in must be plain http on this machine, got ${target}`);
		normalised.set(host.toLowerCase(), url);
	}
	return normalised;
}

/**
 * Starts the proxy on 127.0.0.1 (a port the OS picks unless `port` is given).
 * `routes`: `{ 'api.hubapi.com': 'http://127.0.0.1:1234', … }`; only port 443 of these hosts is answered.
 * `authority`: from createTestAuthority() (authority.mjs).
 */
export async function startVendorProxy({ routes, authority, port = 0 }) {
	if (!authority) throw new Error('startVendorProxy needs the test authority that signs the vendor certificates');
	const table = normaliseRoutes(routes);
	const refused = [];
	const forwarded = [];
	const tunnels = [];
	const tlsErrors = [];
	const sockets = new Set();
	const contexts = new Map();

	const contextFor = (host) => {
		if (!contexts.has(host)) {
			contexts.set(host, authority.issue(host).then(({ key, cert }) => tls.createSecureContext({ key, cert })));
		}
		return contexts.get(host);
	};

	function refuse(res, entry, status = 403) {
		refused.push({ ...entry, at: new Date().toISOString() });
		const text = `Refused by the test proxy: ${entry.target} is not a host it answers for; nothing leaves this machine.\n`;
		res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), connection: 'close' });
		res.end(text);
	}

	// Decrypted requests from the tunnels: each socket carries the host its CONNECT named.
	const inner = http.createServer((req, res) => {
		const host = req.socket.vendorHost;
		const target = table.get(host);
		const entry = { host, method: req.method, path: req.url, status: 0 };
		forwarded.push(entry);
		const upstream = http.request(
			{
				host: target.hostname,
				port: target.port,
				method: req.method,
				path: req.url,
				// The Host header stays the vendor's: a stand-in serving two hosts tells them apart by it.
				headers: { ...req.headers, host: req.headers.host ?? host },
			},
			(answer) => {
				entry.status = answer.statusCode;
				res.writeHead(answer.statusCode, answer.statusMessage, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', (error) => {
			entry.status = 502;
			entry.error = error.message;
			if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
			res.end(`The stand-in for ${host} did not answer: ${error.message}\n`);
		});
		req.pipe(upstream);
	});

	const server = http.createServer((req, res) => {
		// A plain-http request through the proxy (absolute URL), or a request to the proxy itself.
		let target = req.url;
		try {
			target = new URL(req.url).host;
		} catch {
			// not an absolute URL
		}
		refuse(res, { method: req.method, target, reason: 'only CONNECT to a routed host is answered' });
	});

	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	server.on('connect', (req, socket, head) => {
		socket.on('error', () => {});
		const parsed = parseConnectTarget(req.url);
		if (!parsed || parsed.port !== 443 || !table.has(parsed.host)) {
			refused.push({ method: 'CONNECT', target: req.url, reason: parsed ? 'host not routed' : 'not host:port', at: new Date().toISOString() });
			const text = `Refused by the test proxy: ${req.url} is not a host it answers for; nothing leaves this machine.\n`;
			socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
			return;
		}
		tunnels.push({ host: parsed.host, at: new Date().toISOString() });
		contextFor(parsed.host).then(
			(secureContext) => {
				if (socket.destroyed) return;
				socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
				if (head?.length) socket.unshift(head);
				const secure = new tls.TLSSocket(socket, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
				secure.vendorHost = parsed.host;
				secure.on('error', (error) => tlsErrors.push({ host: parsed.host, message: error.message }));
				inner.emit('connection', secure);
			},
			(error) => {
				tlsErrors.push({ host: parsed.host, message: error.message });
				socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
			},
		);
	});

	const listening = await listenOnLoopback(server, port);
	return {
		url: listening.url,
		port: listening.port,
		hosts: [...table.keys()],
		refused,
		forwarded,
		tunnels,
		tlsErrors,
		async stop() {
			for (const socket of sockets) socket.destroy();
			inner.closeAllConnections?.();
			await listening.close();
		},
	};
}
