/**
 * GET /openapi.json and GET /docs: the service's OpenAPI document, and a readable reference of it
 * rendered by Swagger UI, whose files come from the swagger-ui-dist package (no CDN). The page
 * links its files relatively, so it works behind a gateway that mounts the service under a prefix.
 */
import path from 'node:path';
import { z } from 'zod';
import swaggerUi from 'swagger-ui-dist';
import type { ApiRoutes } from './api-routes.js';

/** The Swagger UI files the page loads; nothing else of the package is served. */
const ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png'] as const;
/** Starts Swagger UI on the document; a file of its own, since the page allows no inline script. */
const START_SCRIPT = 'murmur-docs.js';

const page = (title: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  <link rel="stylesheet" href="docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script src="docs/swagger-ui-standalone-preset.js"></script>
  <script src="docs/${START_SCRIPT}"></script>
</body>
</html>
`;

const startScript = `window.ui = SwaggerUIBundle({
  url: new URL('openapi.json', window.location.href).href,
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

/** Declares the document and its reference on `api`; `document` is built on the first request. */
export function declareApiDocs(api: ApiRoutes, title: string, document: () => object): void {
  api.add(
    {
      method: 'get',
      path: '/openapi.json',
      tag: 'service',
      summary: 'This OpenAPI 3.1 document',
      auth: 'none',
      response: { description: 'the document', body: z.looseObject({ openapi: z.literal('3.1.0') }) },
    },
    () => document(),
  );
  api.add(
    {
      method: 'get',
      path: '/docs',
      tag: 'service',
      summary: 'A readable reference of this document (Swagger UI)',
      auth: 'none',
      response: { description: 'an HTML page', body: z.string(), contentType: 'text/html' },
    },
    (_input, _req, res) => {
      res.type('html').send(page(title));
    },
  );
  const assetDir = swaggerUi.getAbsoluteFSPath();
  api.add(
    {
      method: 'get',
      path: '/docs/:file',
      tag: 'service',
      summary: 'The files of the reference page',
      auth: 'none',
      params: z.object({ file: z.enum([...ASSETS, START_SCRIPT]) }),
      response: { description: 'the file (CSS, JavaScript or an image)', body: z.string(), contentType: '*/*' },
    },
    ({ params }, _req, res) => {
      if (params.file === START_SCRIPT) res.type('js').send(startScript);
      else res.sendFile(path.join(assetDir, params.file), { maxAge: '1d' });
    },
  );
}
