# Builds build/Release/rawsock.node with npm's bundled node-gyp through the
# package's explicit `install: node-gyp rebuild` script. The script is spelled
# out because npm 11's `npm ci` does not run the implicit gyp install for a
# workspace package (it does for registry packages). Workspace packages are
# exempt from the root `allowScripts` policy, so nothing else needs approving.
# No prebuilt downloads: the node headers come from the local Node installation.
# Off Linux a stub is built so `npm ci` still succeeds on a laptop; the
# TypeScript side then reports RAWSOCK_UNSUPPORTED.
{
  "targets": [
    {
      "target_name": "rawsock",
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"],
      "conditions": [
        ["OS=='linux'", {"sources": ["native/rawsock.cc"]}, {"sources": ["native/stub.cc"]}]
      ]
    }
  ]
}
