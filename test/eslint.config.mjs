// Lint for the code that is not the package: tests (.cts), scripts and benchmarks. n8n's rules for
// node code (eslint.config.mjs at the root, unchanged, strict) forbid what tests and tooling exist
// to do — files, processes, timers, the environment — so these get the general rules instead.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ ignores: ['**/node_modules/**', 'dist/**', '.n8n-runtime/**', 'test-results/**'] },
	{
		files: ['test/**/*.cts'],
		extends: [js.configs.recommended, ...tseslint.configs.recommended],
		languageOptions: { globals: { ...globals.node, ...globals.jest } },
		rules: {
			// Tests load CommonJS helpers (samples/, scripts/docs/run.js) with require.
			'@typescript-eslint/no-require-imports': 'off',
			// n8n's API answers and execution records are untyped JSON; tests read them freely
			// and assert on the values.
			'@typescript-eslint/no-explicit-any': 'off',
		},
	},
	{
		files: ['scripts/**/*.{js,mjs}', 'benchmarks/**/*.mjs', 'samples/**/*.js', 'test/**/*.js', '*.js'],
		extends: [js.configs.recommended],
		languageOptions: { globals: { ...globals.node } },
	},
);
