// Validates an OpenAPI document (structure, $refs, the 3.0 schema) with swagger-parser.
// Usage: node validate.mjs FILE
import SwaggerParser from '@apidevtools/swagger-parser';

const file = process.argv[2];
try {
  const api = await SwaggerParser.validate(file);
  const operations = Object.values(api.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  console.log(`${file}: valid OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths, ${operations} operations`);
  console.log('1 passed, 0 failed');
} catch (error) {
  console.error(`${file}: INVALID: ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
