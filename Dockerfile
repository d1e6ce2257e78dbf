# One image for every service (docker-compose.yml picks the service by its command), and the
# production gateway's (target `gateway`): nginx with the web client's build.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY auth-service/package.json auth-service/
COPY user-service/package.json user-service/
COPY ws-service/package.json ws-service/
COPY gateway/package.json gateway/
COPY web/package.json web/
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
RUN npm ci
# The sources and build files alone: .dockerignore leaves out keys, .git, .data, .env files and
# build output (scripts/test/docker-context.test.ts checks it). The signing keys reach the
# containers as files mounted at run time (docker-compose.yml).
COPY . .
# The web client builds with its package's own build script (Vite, into web/dist); a tree
# without it gets the gateway's page saying the client is not built, so nginx has an index.html.
RUN npx tsc -b && npm run build --workspaces --if-present \
  && (test -f web/dist/index.html || (mkdir -p web/dist && cp gateway/not-built.html web/dist/index.html)) \
  && npm prune --omit=dev

# The production gateway: nginx serving the web build. Its configuration, gateway/nginx.conf,
# is mounted by docker-compose.yml; it needs nothing newer than nginx 1.22, which its test runs.
FROM nginx:stable AS gateway
COPY --from=build /app/web/dist /usr/share/nginx/html

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
# user-service's pictures (MEDIA_LOCAL_DIR in docker-compose.yml): a new volume mounted here
# takes this folder's owner, so the service, which runs as node, can write to it.
RUN mkdir -p /var/lib/murmur/media && chown node:node /var/lib/murmur/media
USER node
CMD ["node", "auth-service/dist/src/main.js"]
