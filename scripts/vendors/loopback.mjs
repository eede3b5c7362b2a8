// Every server here listens on 127.0.0.1 only, on a port the OS picks unless one is given.
export const LOOPBACK = '127.0.0.1';

/** Starts `server` listening; returns its URL and port, and `close()`, which also ends open connections. */
export async function listenOnLoopback(server, port = 0) {
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, LOOPBACK, resolve);
	});
	const bound = server.address().port;
	return {
		url: `http://${LOOPBACK}:${bound}`,
		port: bound,
		close() {
			server.closeAllConnections?.();
			return new Promise((resolve) => server.close(() => resolve()));
		},
	};
}
