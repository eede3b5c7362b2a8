#!/usr/bin/env node
// `node scripts/services/install.mjs`: makes sure PostgreSQL and Redis (Debian packages
// `postgresql`, `redis-server`) are installed, installing them with apt-get when run as root.
// Starts nothing: the tests and `npm run cluster` start their own throw-away instances.
import { ensurePostgres } from './postgres.mjs';
import { ensureRedis } from './redis.mjs';

try {
	console.log(`PostgreSQL: ${ensurePostgres()}`);
	console.log(`Redis: ${ensureRedis()}`);
} catch (error) {
	console.error(error.message);
	process.exit(1);
}
