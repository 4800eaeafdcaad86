# One image for every role: the server, the workers and the CLI.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
# npm ci builds (the prepare script runs tsc -b); a stray tsbuildinfo would make tsc skip the build.
RUN find packages apps -name '*.tsbuildinfo' -delete && npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
COPY examples ./examples
# generate and start write into the working directory (.claude/agents/, out/): one the node user owns.
RUN mkdir /work && chown node:node /work
WORKDIR /work
USER node
ENTRYPOINT ["node", "/app/apps/cli/bin/agent-factory.js"]
CMD ["--help"]
