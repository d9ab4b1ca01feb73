#!/usr/bin/env node
// Launcher kept in git (executable) so the bin link exists before the build runs.
await import("../dist/main.js");
