/** HTTP building blocks shared by the services. */
export * from './http/service-app.js';
export * from './http/server.js';
export * from './http/auth-middleware.js';
export * from './http/origin.js';
export * from './http/client-address.js';
export * from './http/validation.js';
export * from './http/error-handler.js';
export * from './http/page.js';
export * from './http/ids.js';
export * from './http/api-routes.js';
export * from './http/openapi.js';
export * from './http/metrics.js';
