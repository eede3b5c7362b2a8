// A reverse proxy that forwards a request to n8n only while n8n's /healthz/readiness answers 200,
// and otherwise answers 503 itself: what a load balancer with a readiness check (a Kubernetes
// readiness probe, a health-checked upstream in nginx, Traefik or a cloud load balancer) does.
//
// Why: while n8n starts, between opening its port and finishing its database migrations, it
// answers every request, webhooks included, "200 n8n is starting up. Please wait"
// (n8n/dist/abstract-server.js, setupHealthCheck). AppDirect takes that 200 as delivered. Behind
// this gate such requests get 503 instead, and AppDirect retries them.
import http from 'node:http';

export async function startReadyGate(upstreamBaseUrl) {
	const upstream = new URL(upstreamBaseUrl);
	let refused = 0;
	const isReady = async () => {
		try {
			return (await fetch(new URL('/healthz/readiness', upstream), { signal: AbortSignal.timeout(5000) })).ok;
		} catch {
			return false;
		}
	};
	const server = http.createServer(async (request, response) => {
		if (!(await isReady())) {
			refused++;
			request.resume();
			response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' }).end('{"error":"n8n is not ready"}');
			return;
		}
		const forward = http.request(new URL(request.url, upstream), { method: request.method, headers: request.headers }, (answer) => {
			response.writeHead(answer.statusCode, answer.headers);
			answer.pipe(response);
		});
		forward.on('error', () => {
			// n8n went away mid-request: a gateway error, which AppDirect retries.
			if (response.headersSent) response.destroy();
			else response.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"n8n did not answer"}');
		});
		request.pipe(forward);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const base = `http://127.0.0.1:${server.address().port}`;
	return {
		/** The gate's URL for one of n8n's URLs (same path and query). */
		urlFor(n8nUrl) {
			const target = new URL(n8nUrl);
			return `${base}${target.pathname}${target.search}`;
		},
		get refused() {
			return refused;
		},
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections?.();
				server.close(resolve);
			}),
	};
}
