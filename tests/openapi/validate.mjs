// Validates an OpenAPI document (structure, $refs, the 3.0 schema) with swagger-parser,
// and FinCRM's own rule: every operation has an operationId, unique in the document.
// Usage: node validate.mjs FILE
import SwaggerParser from '@apidevtools/swagger-parser';

const file = process.argv[2];
try {
  const api = await SwaggerParser.validate(file);
  const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  const ids = new Map();
  let operations = 0;
  for (const [path, item] of Object.entries(api.paths)) {
    for (const method of methods.filter((m) => item[m])) {
      ++operations;
      const id = item[method].operationId;
      if (!id) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      if (ids.has(id)) throw new Error(`operationId ${id} is used by ${ids.get(id)} and ${method.toUpperCase()} ${path}`);
      ids.set(id, `${method.toUpperCase()} ${path}`);
    }
  }
  console.log(`${file}: valid OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths, ${operations} operations, each with its own operationId`);
  console.log('1 passed, 0 failed');
} catch (error) {
  console.error(`${file}: INVALID: ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
