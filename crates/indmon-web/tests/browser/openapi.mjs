#!/usr/bin/env node
// Validates the OpenAPI document of a running `indmon serve` with an independent
// validator (@apidevtools/swagger-parser: the OpenAPI 3.x JSON Schema and the
// specification's own rules, $refs resolved).
//
//   node openapi.mjs --base http://127.0.0.1:PORT
//
// Prints "openapi: valid (OpenAPI V, N paths)" and exits 0, or prints the errors and exits 1.
import process from 'node:process';
import SwaggerParser from '@apidevtools/swagger-parser';

const at = process.argv.indexOf('--base');
if (at < 0 || !process.argv[at + 1]) {
  console.error('usage: node openapi.mjs --base http://127.0.0.1:PORT');
  process.exit(2);
}
const url = `${process.argv[at + 1].replace(/\/$/, '')}/api/v1/openapi.json`;
try {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const doc = await res.json();
  const api = await SwaggerParser.validate(doc);
  console.log(`openapi: valid (OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths)`);
} catch (err) {
  console.log(`openapi: INVALID — ${err.message}`);
  process.exit(1);
}
