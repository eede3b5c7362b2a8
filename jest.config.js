// Suites: pure logic (unit), a real n8n (e2e), n8n's editor in Chromium (browser), and n8n's
// queue mode with PostgreSQL, Redis, webhook processes and workers (queue).
// Tests are TypeScript CommonJS modules (.cts): n8n's lint rules for node code apply to *.ts,
// and tests get their own lint (test/eslint.config.mjs).
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }];
const project = (displayName) => ({
	displayName,
	testMatch: [`<rootDir>/test/${displayName}/**/*.test.cts`],
	moduleFileExtensions: ['ts', 'cts', 'js', 'json'],
	resolver: '<rootDir>/test/resolver.js',
	transform: { '^.+\\.c?ts$': tsJest },
	testEnvironment: 'node',
	// n8n runtimes and their lockfiles: package.json files that all say "n8n-runtime" (a haste
	// naming collision) and nothing a test imports through jest.
	modulePathIgnorePatterns: ['<rootDir>/\\.n8n-runtime', '<rootDir>/scripts/n8n/lockfiles/'],
});

module.exports = {
	projects: [project('unit'), project('e2e'), project('browser'), project('queue')],
};
