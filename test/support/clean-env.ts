// Runs in every test worker before its tests: the programs the tests start must see a user's
// environment, not pnpm's and vitest's. pnpm's NODE_PATH lists its hoisted store, where Node finds
// packages that a user's install would not resolve (it once hid that ffi-rs's native binding failed
// to load when stdin was a pipe). Node read NODE_PATH for this worker at start-up already.
delete process.env["NODE_PATH"];
