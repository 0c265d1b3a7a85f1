"use strict";
// The start of the single-file tsconntrack (scripts/sea.ts puts the CLI's bundle after it): Node 24
// runs this as the executable's main script. ffi-rs's native binding travels as an asset; the first
// socket makes us write it into a folder only we can write (XDG_RUNTIME_DIR or the temp dir,
// `tsconntrack-UID`, mode 0700, checked on every use) and dlopen it from there. Commands that need
// no socket (--version, replays) never touch the disk.

const { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, renameSync, statSync, writeSync, constants } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const sea = require("node:sea");

/** The binding's sha256, from the build: its file name, so another build's binding is never reused. */
const BINDING_ID = "@@BINDING_ID@@";

/** A folder of ours alone, or an error naming why not (a planted folder or link is never used). */
function privateFolder() {
  const uid = process.getuid();
  const runtime = process.env["XDG_RUNTIME_DIR"];
  const base = runtime !== undefined && runtime !== "" && existsSync(runtime) ? runtime : tmpdir();
  const dir = join(base, `tsconntrack-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if (error.code !== "EEXIST") throw error;
  }
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) {
    throw new Error(`${dir} is not a private folder of uid ${uid} (owner ${stat.uid}, mode ${(stat.mode & 0o777).toString(8)}): remove it`);
  }
  return dir;
}

function extractBinding() {
  const bytes = new Uint8Array(sea.getRawAsset("ffi-rs.node"));
  const dir = privateFolder();
  const file = join(dir, `ffi-rs-${BINDING_ID}.node`);
  if (!existsSync(file) || statSync(file).size !== bytes.length) {
    const temporary = join(dir, `.ffi-rs-${process.pid}.tmp`);
    const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o700);
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    } finally {
      closeSync(fd);
    }
    chmodSync(temporary, 0o500);
    renameSync(temporary, file);
  }
  const module = { exports: {} };
  process.dlopen(module, file);
  return module.exports;
}

let binding;
Object.defineProperty(globalThis, "tsconntrackFfiBinding", {
  configurable: true,
  get: () => (binding ??= extractBinding()),
});
