#!/usr/bin/env bash
# The GPU batch tier's benchmark for a GPU host with no network: training samples/s and
# candidate-generation users/s on webgpu (Dawn → Vulkan) against wasm, at 1M and 10M samples and
# 100k users × 50k items, as JSON (bench/device.ts does the measuring).
#
#   bench/gpu.sh pack [DIR]   on a machine with the repo installed (npm ci): writes a self-contained
#                             folder (default .tmp/gpu-pack, ~60 MB: the bench bundled by esbuild, the
#                             tfjs packages' Node builds, the wasm binaries, Dawn for linux-x64, this
#                             script). Copy it to the GPU host; nothing there is installed or downloaded.
#   bench/gpu.sh [run] [OUT]  on the GPU host, in the pack or in a repo checkout with node_modules:
#                             writes OUT (default gpu-results.json next to this script) and prints it.
#
# Needs Node ≥ 20 and, for the GPU, the NVIDIA driver's Vulkan ICD (libvulkan.so.1 +
# nvidia_icd.json; in a container NVIDIA_DRIVER_CAPABILITIES must include graphics). Without it
# Dawn finds no hardware adapter and the webgpu rows say which adapter
# ran (`adapter.software: true` = Mesa llvmpipe, not the GPU) — the script warns.
# Knobs (env): GPU_BENCH_SAMPLES (1000000,10000000), GPU_BENCH_USERS (100000), GPU_BENCH_ITEMS
# (50000), GPU_BENCH_WASM_CG_USERS (5000: wasm ranks a subset, its users/s is a rate),
# GPU_BENCH_BATCH (8192,65536 for webgpu), GPU_BENCH_100M=1 (also 100M samples on webgpu).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:-run}"

if [ "$cmd" = pack ]; then
  root="$(cd "$here/.." && pwd)"
  dir="${2:-$root/.tmp/gpu-pack}"
  rm -rf "$dir" && mkdir -p "$dir/node_modules"
  # Our code bundled; the tfjs packages and Dawn stay packages (they load .wasm/.node files next to
  # themselves, and the webgpu backend is imported by name at run time).
  "$root/node_modules/.bin/esbuild" "$root/bench/device.ts" --bundle --platform=node --format=esm \
    --target=node20 --outfile="$dir/bench-device.mjs" --log-level=warning \
    --external:@tensorflow/* --external:webgpu \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
  node - "$root/node_modules" "$dir/node_modules" <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const [src, dst] = process.argv.slice(2);
// Runtime closure of the packages the bundle imports; tfjs packages keep only their Node build.
const want = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'webgpu'];
const seen = new Set();
const keep = (name, rel) => {
  if (name.startsWith('@types/') || name === '@webgpu/types') return false;
  if (name.startsWith('@tensorflow/')) return rel === 'package.json' || /^dist\/[^/]+\.node\.js$/.test(rel) || /^dist\/[^/]+\.wasm$/.test(rel);
  if (name === 'webgpu') return ['package.json', 'index.js', 'LICENSE.md'].includes(rel) || rel.startsWith(`dist/linux-${process.arch}/`);
  return true;
};
const copy = (name) => {
  if (seen.has(name)) return;
  seen.add(name);
  const from = path.join(src, name);
  const pkg = JSON.parse(fs.readFileSync(path.join(from, 'package.json'), 'utf8'));
  const walk = (rel) => {
    for (const e of fs.readdirSync(path.join(from, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === 'node_modules') continue;
      if (e.isDirectory()) walk(r);
      else if (keep(name, r)) fs.cpSync(path.join(from, r), path.join(dst, name, r));
    }
  };
  walk('');
  for (const d of Object.keys(pkg.dependencies ?? {})) if (keep(d, 'package.json') !== false && fs.existsSync(path.join(src, d))) copy(d);
};
want.forEach(copy);
console.log(`packed ${[...seen].filter((n) => !n.startsWith('@types/')).join(', ')}`);
EOF
  cp "$here/gpu.sh" "$dir/gpu.sh"
  echo "pack: $dir ($(du -sh "$dir" | cut -f1)); on the GPU host: $dir/gpu.sh run"
  exit 0
fi
[ "$cmd" = run ] || { echo "usage: bench/gpu.sh pack [DIR] | bench/gpu.sh [run] [OUT]" >&2; exit 2; }

out="${2:-$here/gpu-results.json}"
major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
[ "$major" -ge 20 ] || { echo "gpu.sh: Node ≥ 20 required (found $(node -v 2>/dev/null || echo none))" >&2; exit 2; }
if [ -f "$here/bench-device.mjs" ]; then
  bench=(node --max-old-space-size=16384 "$here/bench-device.mjs")
elif [ -d "$here/../node_modules/webgpu" ]; then
  bench=(node --max-old-space-size=16384 --import tsx "$here/device.ts")
  cd "$here/.."
else
  echo "gpu.sh: neither a pack (bench-device.mjs) nor a repo checkout with node_modules/webgpu here; run 'bench/gpu.sh pack' where npm ci has run" >&2
  exit 2
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "gpu.sh: nvidia-smi not found"
ldconfig -p 2>/dev/null | grep -q libvulkan.so.1 || echo "gpu.sh: warning: libvulkan.so.1 not found: Dawn cannot use Vulkan, webgpu will fall back to a software adapter if any"

samples="${GPU_BENCH_SAMPLES:-1000000,10000000}"
users="${GPU_BENCH_USERS:-100000}"
items="${GPU_BENCH_ITEMS:-50000}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# One process per measurement: a backend that fails or crashes cannot take the others with it.
run() { local name="$1"; shift; echo "== $name" >&2; if ! "${bench[@]}" --users "$users" --items "$items" --out "$tmp/$name.json" "$@" >/dev/null; then echo "{\"error\": \"$name failed (exit $?)\"}" >"$tmp/$name.json"; fi; }
batches="${GPU_BENCH_BATCH:-8192,65536}"
for b in ${batches//,/ }; do
  run "webgpu-batch$b" --backends webgpu --samples "$samples" --batch-size "$b"
done
run wasm --backends wasm --samples "$samples" --cg-users "${GPU_BENCH_WASM_CG_USERS:-5000}" --baseline
[ "${GPU_BENCH_100M:-0}" = 1 ] && run webgpu-100M --backends webgpu --samples 100000000 --batch-size 65536
node -e '
const fs = require("node:fs");
const [dir, out] = process.argv.slice(1);
const runs = Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f.replace(/\.json$/, ""), JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"))]));
const r = { measured_at: new Date().toISOString(), runs };
fs.writeFileSync(out, JSON.stringify(r, null, 2) + "\n");
const soft = Object.values(runs).some((x) => x.backends?.webgpu?.info?.adapter?.software);
if (soft) console.error("gpu.sh: WARNING: webgpu ran on a software adapter (no GPU through Vulkan): these are not GPU figures");
' "$tmp" "$out"
cat "$out"
