# syntax=docker/dockerfile:1
# The IronLB image: one `ironlb` executable for the controller, the speaker
# and the operator commands (the manifests pick the command with `args`).
#
#   docker build -t ironlb:0.1.0 .
#
# Stage "build" compiles the TypeScript workspaces and the rawsock N-API
# addon (node-gyp: python3, make, g++), then drops the dev dependencies.
# Stage "runtime" holds only what runs: the compiled packages, the pruned
# node_modules (with the workspace links) and the addon, as a non-root user.
# The speaker's DaemonSet overrides the user to UID 0 with every capability
# dropped but NET_RAW (manifests/base/speaker.yaml says why).
#
# test/ship/dockerfile.test.ts checks this file without a Docker engine: the
# stages, the user, that every COPY source exists, and that the runtime file
# set below is enough to run the CLI and load the addon.

FROM node:20-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The whole context (.dockerignore keeps node_modules and build output out):
# `npm ci` runs the root `prepare` (tsc -b, whose project references include
# test/lib and bench) and the rawsock `install` script (node-gyp rebuild).
COPY . .
RUN npm ci
RUN npm run build
RUN npm prune --omit=dev
# Declarations, source maps and build info are not needed to run.
RUN find packages/*/dist \( -name '*.d.ts' -o -name '*.map' -o -name '.tsbuildinfo' \) -delete

FROM node:20-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="ironlb" \
      org.opencontainers.image.description="Bare-metal LoadBalancer for Kubernetes: IP allocation, ARP/NDP and BGP announcement" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package.json
COPY --from=build /app/node_modules /app/node_modules
COPY --from=build /app/packages/core/package.json /app/packages/core/package.json
COPY --from=build /app/packages/core/dist /app/packages/core/dist
COPY --from=build /app/packages/kube-sim/package.json /app/packages/kube-sim/package.json
COPY --from=build /app/packages/kube-sim/dist /app/packages/kube-sim/dist
COPY --from=build /app/packages/rawsock/package.json /app/packages/rawsock/package.json
COPY --from=build /app/packages/rawsock/dist /app/packages/rawsock/dist
COPY --from=build /app/packages/rawsock/build/Release/rawsock.node /app/packages/rawsock/build/Release/rawsock.node
COPY --from=build /app/packages/bgp/package.json /app/packages/bgp/package.json
COPY --from=build /app/packages/bgp/dist /app/packages/bgp/dist
COPY --from=build /app/packages/l2/package.json /app/packages/l2/package.json
COPY --from=build /app/packages/l2/dist /app/packages/l2/dist
COPY --from=build /app/packages/kube/package.json /app/packages/kube/package.json
COPY --from=build /app/packages/kube/dist /app/packages/kube/dist
COPY --from=build /app/packages/controller/package.json /app/packages/controller/package.json
COPY --from=build /app/packages/controller/dist /app/packages/controller/dist
COPY --from=build /app/packages/speaker/package.json /app/packages/speaker/package.json
COPY --from=build /app/packages/speaker/dist /app/packages/speaker/dist
COPY --from=build /app/packages/cli/package.json /app/packages/cli/package.json
COPY --from=build /app/packages/cli/dist /app/packages/cli/dist
COPY --from=build /app/packages/cli/bin /app/packages/cli/bin
# Numeric, so the kubelet can verify runAsNonRoot without a passwd lookup.
USER 65532:65532
ENTRYPOINT ["node", "/app/packages/cli/dist/main.js"]
CMD ["--help"]
