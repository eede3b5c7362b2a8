// A throw-away certificate authority for tests: made at run time with the `openssl` command, kept
// in a temporary folder, never committed. It signs server certificates for the vendor hosts the
// intercepting proxy answers for; n8n trusts it through NODE_EXTRA_CA_CERTS.
//
//   const authority = await createTestAuthority();
//   authority.certificatePath                  // the CA certificate (PEM), for NODE_EXTRA_CA_CERTS
//   const { key, cert } = await authority.issue('api.hubapi.com');
//   authority.dispose();                       // removes the folder and its private keys
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Host names a certificate may name: letters, digits, dots and hyphens (no wildcards, no IPs). */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function openssl(args, cwd) {
	return new Promise((resolve, reject) => {
		execFile('openssl', args, { cwd, timeout: 30_000 }, (error, stdout, stderr) => {
			if (error) reject(new Error(`openssl ${args[0]} failed: ${stderr || error.message}`));
			else resolve(stdout);
		});
	});
}

// P-256 keys: quick to make, and accepted by every TLS client involved (Node, npm).
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Creates the authority in a new temporary folder. `name` goes into its subject, so that a reader
 * of a certificate chain sees at once that it is a test authority.
 */
export async function createTestAuthority({ name = 'n8n-nodes-appdirect test authority', days = 2 } = {}) {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'vendor-authority-'));
	const certificatePath = path.join(folder, 'authority.pem');
	const keyPath = path.join(folder, 'authority.key');
	await openssl(
		[
			'req', '-x509', ...EC_KEY, '-keyout', keyPath, '-out', certificatePath, '-days', String(days),
			'-subj', `/CN=${name}`,
			'-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0',
			'-addext', 'keyUsage=critical,keyCertSign,cRLSign',
			'-addext', 'subjectKeyIdentifier=hash',
		],
		folder,
	);
	const certificate = fs.readFileSync(certificatePath, 'utf8');
	const dispose = () => fs.rmSync(folder, { recursive: true, force: true });
	// A test process that ends without dispose() still removes its keys.
	process.once('exit', dispose);
	const issued = new Map();
	let serial = 0;

	async function makeServerCertificate(host) {
		serial += 1;
		const base = path.join(folder, `server-${serial}`);
		const extensions = `${base}.ext`;
		fs.writeFileSync(
			extensions,
			[
				'basicConstraints=critical,CA:FALSE',
				'keyUsage=critical,digitalSignature,keyEncipherment',
				'extendedKeyUsage=serverAuth',
				`subjectAltName=DNS:${host}`,
				'subjectKeyIdentifier=hash',
				'authorityKeyIdentifier=keyid,issuer',
				'',
			].join('\n'),
		);
		await openssl(['req', ...EC_KEY, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${host}`], folder);
		await openssl(
			[
				'x509', '-req', '-in', `${base}.csr`, '-CA', certificatePath, '-CAkey', keyPath,
				'-set_serial', String(1000 + serial), '-days', String(days), '-sha256',
				'-extfile', extensions, '-out', `${base}.pem`,
			],
			folder,
		);
		return { key: fs.readFileSync(`${base}.key`, 'utf8'), cert: fs.readFileSync(`${base}.pem`, 'utf8') };
	}

	return {
		folder,
		certificatePath,
		certificate,
		/** A server certificate for one host name, signed by this authority (made once per host). */
		issue(hostName) {
			const host = String(hostName).toLowerCase();
			if (!HOST_NAME.test(host)) return Promise.reject(new Error(`not a host name a certificate can name: ${JSON.stringify(hostName)}`));
			if (!issued.has(host)) {
				const pending = makeServerCertificate(host);
				// A failed attempt is not remembered: the next call tries again.
				pending.catch(() => issued.delete(host));
				issued.set(host, pending);
			}
			return issued.get(host);
		},
		/** Removes the folder, private keys included. */
		dispose() {
			process.removeListener('exit', dispose);
			dispose();
		},
	};
}
