import { config } from '@n8n/node-cli/eslint';
import { globalIgnores } from 'eslint/config';

// n8n's own community-node config, unchanged. The only addition is an allowlist of the
// package source: nodes/, credentials/, package.json, index.js, gulpfile.js. Tests, scripts,
// docs, examples, dist/ and local n8n runtimes are not package source. (The config's rules
// target .ts and package.json; index.js gets n8n's rules in the tarball scan of scripts/lint.mjs.)
export default [
	globalIgnores([
		'*',
		'!nodes/',
		'!credentials/',
		'!package.json',
		'!index.js',
		'!gulpfile.js',
	]),
	...config,
];
