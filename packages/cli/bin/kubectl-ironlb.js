#!/usr/bin/env node
// kubectl plugin entry: kubectl runs any executable named kubectl-<name> on
// PATH for `kubectl <name> ...`, passing the remaining arguments unchanged,
// so `kubectl ironlb status -o json` is `ironlb status -o json`. The
// environment (KUBECONFIG) is kubectl's; kubectl's own global flags are not
// passed on, so use the command's --kubeconfig.
await import("../dist/main.js");
