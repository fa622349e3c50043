# The netpol image: the CLI, with the node agent as its default command (deploy/30-daemonset.yaml runs it).
#   docker build -t REGISTRY/netpol:VERSION . && docker push REGISTRY/netpol:VERSION
# Stage 1 compiles the TypeScript; stage 2 holds the runtime dependencies, the compiled dist/ and the tools the
# agent runs: nft (nftables), conntrack (--strict) and ulogd2 with its JSON output (the flow log).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
RUN npm run build

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends nftables conntrack ulogd2 ulogd2-json \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
# root: the agent changes the host's nftables (CAP_NET_ADMIN in the host network namespace); the DaemonSet
# drops every other capability
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["agent"]
