/**
 * The production gateway: real nginx with gateway/nginx.conf in front of the real services, held
 * to the same checks as the development gateway. `npm test` leaves this file out with a notice
 * where nginx is not installed, except in CI (CI=true), where a missing nginx fails the run.
 */
import { freePort } from '@murmur/shared/testing';
import { makeMediaDir, makeWebDist } from './helpers.js';
import { gatewayConfFor, MEDIA_ACCEL_REDIRECT, startNginx } from './nginx.js';
import { freeServicePorts, startPlatform } from './platform.js';
import { gatewayRoutingChecks } from './routing-checks.js';

/** The nginx binary, found by `npm test` (TEST_NGINX). */
const nginx = process.env.TEST_NGINX;
if (!nginx) throw new Error('TEST_NGINX is not set: run the tests with `npm test`, which finds nginx');

gatewayRoutingChecks('nginx with gateway/nginx.conf in front of the services', async () => {
  const ports = await freeServicePorts();
  const port = await freePort();
  const web = makeWebDist();
  const media = makeMediaDir();
  const proxy = await startNginx(nginx, gatewayConfFor({ ports, port, webDist: web.dir, mediaDir: media.dir }));
  const origin = proxy.url;
  // As docker-compose.yml runs it: nginx sends the files user-service allows.
  const platform = await startPlatform(ports, origin, { MEDIA_LOCAL_DIR: media.dir, MEDIA_ACCEL_REDIRECT });
  return {
    url: proxy.url,
    origin,
    platform,
    async close() {
      await proxy.close();
      await platform.close();
      web.remove();
      media.remove();
    },
  };
});
