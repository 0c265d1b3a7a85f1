#!/usr/bin/env node
// tsnfct: the compiled CLI (packages/cli/dist/nfct/main.js).
import("../dist/nfct/main.js");
