# Headless Platonic Lab for clusters: the command-line interface on Node 20, without Electron or a
# display. Build from a clean clone:  docker build -t platonic-lab .
# Run:  docker run --rm -v /data:/data platonic-lab extract --model /data/model --dataset /data/ds --json
# GPUs: the same --ep choices as on a workstation. For CUDA, build FROM an image with the NVIDIA CUDA 12
# and cuDNN 9 runtime and run `npm run gpu:install-cuda` in it (needs network access at build time).

# Native modules (better-sqlite3) are compiled in a builder stage that has the toolchain.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Development packages (Electron, Vite, test tools) are left out; tsx runs the CLI from source. Install
# scripts are skipped (the image's npm may predate package.json's allowScripts, and onnxruntime-node's
# script downloads CUDA libraries); better-sqlite3, the one native module, is then built on its own.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY bin ./bin
COPY src-main ./src-main
COPY resources ./resources
COPY tsconfig.base.json tsconfig.json tsconfig.node.json ./

FROM node:20-bookworm-slim
# Chromium prints PDF reports (`report`); libvulkan1 lets the WebGPU provider find a GPU driver.
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core libvulkan1 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
RUN ln -s /app/bin/platonic-lab.mjs /usr/local/bin/platonic-lab
ENV PLATONIC_LAB_DATA=/data/workspace
ENTRYPOINT ["platonic-lab"]
CMD ["--help"]
