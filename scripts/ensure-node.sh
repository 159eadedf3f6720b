# Source this file: it puts Node.js 22 or newer first on PATH, installing Node 22 from the npm
# registry into .tools/ when the machine's node is older (the `node` package ships the binary),
# and points native addon builds (better-sqlite3) at the running Node's headers.
_tokui_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_tokui_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$_tokui_major" -lt 22 ]; then
  _tokui_tools="$_tokui_root/.tools/node22"
  if [ ! -x "$_tokui_tools/node_modules/.bin/node" ]; then
    echo "Node $(node --version 2>/dev/null || echo 'not found') is too old; installing Node 22 into .tools/ …" >&2
    npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$_tokui_tools" node@22 >/dev/null
  fi
  export PATH="$_tokui_tools/node_modules/.bin:$PATH"
fi
# Native addons must be built against the headers of the node that runs them: a machine's npm
# config may name another node's (nodedir=/usr with an older system node), and better-sqlite3
# built for the wrong ABI fails at its first require. They sit in the running node's prefix (a
# system install) or in the platform package beside it (the npm registry's `node` package).
_tokui_prefix="$(dirname "$(dirname "$(node -p 'process.execPath')")")"
for _tokui_headers in "$_tokui_prefix" "$_tokui_prefix"/node_modules/node-linux-*; do
  if [ -f "$_tokui_headers/include/node/node_version.h" ]; then
    export npm_config_nodedir="$_tokui_headers"
    break
  fi
done
echo "Using Node $(node --version)" >&2
unset _tokui_root _tokui_major _tokui_tools _tokui_prefix _tokui_headers
