// Copies what tsc does not emit (icons, codex files) into dist/, keeping folder layout.
const { src, dest, series } = require('gulp');

function copyIcons() {
	return src(['nodes/**/*.svg', 'nodes/**/*.png', 'credentials/**/*.svg', 'credentials/**/*.png'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

// Codex files (*.node.json) give the node its categories, search aliases and docs link in n8n.
function copyCodex() {
	return src(['nodes/**/*.node.json'], { base: '.' }).pipe(dest('dist'));
}

exports['build:icons'] = series(copyIcons, copyCodex);
exports.default = exports['build:icons'];
