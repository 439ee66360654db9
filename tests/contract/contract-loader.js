// GraphQL Code Generator document loader: the contract's operations, less those listed in pending.json
// (not implemented yet, so they cannot be typed against the schema). A pending operation that the contract
// changed rather than added is typed from its previous text, when tests/contract/previous/<file> holds it (copy
// the old contract files there on the sync that changes them; delete them once nothing is pending), so that
// the tests that use it keep running until the issue that changes it lands.
const { existsSync, readFileSync } = require('node:fs');
const { basename, join } = require('node:path');
const { parse } = require('graphql');

module.exports = function loadContract(path) {
  const pending = JSON.parse(readFileSync(join(__dirname, 'pending.json'), 'utf8'));
  const document = parse(readFileSync(path, 'utf8'));
  const previousPath = join(__dirname, 'previous', basename(path));
  const previous = existsSync(previousPath) ? parse(readFileSync(previousPath, 'utf8')).definitions : [];
  return {
    ...document,
    definitions: document.definitions.flatMap((definition) => {
      const name = definition.name && definition.name.value;
      if (!name || !(name in pending)) return [definition];
      return previous.filter((old) => old.name && old.name.value === name);
    }),
  };
};
