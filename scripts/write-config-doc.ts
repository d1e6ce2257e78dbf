/** `npm run docs:config`: writes docs/configuration.md from the services' config schemas. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIGURATION_DOC, renderConfigurationDoc } from './config-doc.js';
import { REPO_ROOT } from './repo-paths.js';

writeFileSync(path.join(REPO_ROOT, CONFIGURATION_DOC), renderConfigurationDoc());
console.log(`wrote ${CONFIGURATION_DOC}`);
