// Suites: pure logic (unit), a real n8n (e2e), n8n's editor in Chromium (browser), and
// reliability (hostile input, load, crashes, outages and late deliveries in a real n8n).
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
});

module.exports = {
	projects: [project('unit'), project('e2e'), project('browser'), project('reliability')],
};
