// A small local "CRM" for the outage runs: it records every write by notification id and can be
// made to answer 500 for a while, as a CRM that is down or overloaded would.
import http from 'node:http';

export async function startCrm() {
	const accepted = new Map();
	let refused = 0;
	let downUntil = 0;
	const server = http.createServer((request, response) => {
		const chunks = [];
		request.on('data', (chunk) => chunks.push(chunk));
		request.on('end', () => {
			if (Date.now() < downUntil) {
				refused++;
				response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"CRM unavailable"}');
				return;
			}
			let id = null;
			try {
				id = JSON.parse(Buffer.concat(chunks).toString('utf8')).notificationId ?? null;
			} catch {
				// recorded under null: a write the CRM could not attribute
			}
			accepted.set(id, (accepted.get(id) ?? 0) + 1);
			response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	return {
		url: `http://127.0.0.1:${port}/records`,
		/** Answers 500 to every write for the next `ms` milliseconds. */
		goDown(ms) {
			downUntil = Date.now() + ms;
		},
		/** How many writes of this notification the CRM accepted. */
		writesOf: (id) => accepted.get(id) ?? 0,
		get refused() {
			return refused;
		},
		get acceptedTotal() {
			return [...accepted.values()].reduce((a, b) => a + b, 0);
		},
		close: () => new Promise((resolve) => server.close(resolve)),
	};
}
