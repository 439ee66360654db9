// GraphQL Code Generator document loader: the contract's operations, less those listed in pending.json
// (not implemented yet, so they cannot be typed against the schema).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('graphql');

module.exports = function loadContract(path) {
  const pending = JSON.parse(readFileSync(join(__dirname, 'pending.json'), 'utf8'));
  const document = parse(readFileSync(path, 'utf8'));
  return {
    ...document,
    definitions: document.definitions.filter((definition) => !(definition.name && definition.name.value in pending)),
  };
};
