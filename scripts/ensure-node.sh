# Source this file: it puts Node.js 22 or newer first on PATH, installing Node 22 from the npm
# registry into .tools/ when the machine's node is older (the `node` package ships the binary),
# and points native addon builds (better-sqlite3) at that Node's headers.
_tokui_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_tokui_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$_tokui_major" -lt 22 ]; then
  _tokui_tools="$_tokui_root/.tools/node22"
  if [ ! -x "$_tokui_tools/node_modules/.bin/node" ]; then
    echo "Node $(node --version 2>/dev/null || echo 'not found') is too old; installing Node 22 into .tools/ …" >&2
    npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$_tokui_tools" node@22 >/dev/null
  fi
  export PATH="$_tokui_tools/node_modules/.bin:$PATH"
  _tokui_headers="$(find "$_tokui_tools/node_modules" -maxdepth 4 -type d -name 'node-linux-*' | head -n 1)"
  [ -n "$_tokui_headers" ] && export npm_config_nodedir="$_tokui_headers"
fi
echo "Using Node $(node --version)" >&2
unset _tokui_root _tokui_major _tokui_tools _tokui_headers
