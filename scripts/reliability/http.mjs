// One HTTP/1.1 request exactly as given, for hostile input: any method, headers as a list of
// [name, value] pairs (one name may appear twice; Latin-1 bytes go out as they are), the body's
// exact bytes, over a fresh connection, with a deadline. Written on a plain socket because
// Node's HTTP client adds and normalises headers. Never rejects.
import net from 'node:net';

/** The body of a chunked response. */
function dechunk(buffer) {
	const parts = [];
	let offset = 0;
	for (;;) {
		const lineEnd = buffer.indexOf('\r\n', offset);
		if (lineEnd === -1) break;
		const size = parseInt(buffer.subarray(offset, lineEnd).toString('latin1'), 16);
		if (!Number.isFinite(size) || size === 0) break;
		parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
		offset = lineEnd + 2 + size + 2;
	}
	return Buffer.concat(parts);
}

function parseResponse(buffer) {
	const split = buffer.indexOf('\r\n\r\n');
	if (split === -1) return { error: 'incomplete answer' };
	const [statusLine, ...headerLines] = buffer.subarray(0, split).toString('latin1').split('\r\n');
	const status = Number(statusLine.split(' ')[1]);
	const headers = {};
	for (const line of headerLines) {
		const colon = line.indexOf(':');
		headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
	}
	let body = buffer.subarray(split + 4);
	if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
	else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
	const text = body.toString('utf8');
	let json;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	return { status, headers, text, json };
}

export function rawRequest(url, { method = 'POST', headers = [], body, timeoutMs = 30_000 } = {}) {
	const target = new URL(url);
	const started = performance.now();
	return new Promise((resolve) => {
		let settled = false;
		const chunks = [];
		const finish = (result) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			socket.destroy();
			resolve({ status: null, text: '', json: undefined, ...result, ms: performance.now() - started });
		};
		let head = `${method} ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n`;
		for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
		if (body !== undefined) head += `Content-Length: ${body.length}\r\n`;
		head += '\r\n';
		const socket = net.connect(Number(target.port || 80), target.hostname);
		socket.on('connect', () => socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body ?? Buffer.alloc(0)])));
		socket.on('data', (chunk) => chunks.push(chunk));
		// The server closes the connection once it has answered (Connection: close).
		socket.on('end', () => finish(parseResponse(Buffer.concat(chunks))));
		socket.on('error', (error) => {
			// A server may answer early and close while the body is still being written.
			if (chunks.length > 0) finish(parseResponse(Buffer.concat(chunks)));
			else finish({ error: error.code ?? error.message });
		});
		const timer = setTimeout(() => finish({ timedOut: true, error: 'timeout' }), timeoutMs);
	});
}
