// --record's file rules: a root process writing a capture in a directory others can write must not
// follow a planted link, clobber a file, or leave the table readable by everyone.

import { existsSync, linkSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isCaptureFileError, PcapFileWriter, readPcapFile } from "../src/index.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pcap-writer-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isCaptureFileError(error)) return error.reason;
    throw error;
  }
  return "opened";
}

describe("PcapFileWriter", () => {
  it("creates a new capture readable by its owner only", () => {
    const path = join(dir, "new.pcap");
    new PcapFileWriter(path).close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readPcapFile(path).records).toEqual([]);
  });

  it("refuses an existing file unless asked, and leaves it alone", () => {
    const path = join(dir, "old.pcap");
    writeFileSync(path, "keep me", { mode: 0o644 });
    expect(reason(() => new PcapFileWriter(path))).toBe("exists");
    expect(readFileSync(path, "utf8")).toBe("keep me");
    new PcapFileWriter(path, { overwrite: true }).close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(path).size).toBe(24);
  });

  it("never writes through a symbolic link, dangling or not, overwrite or not", () => {
    const target = join(dir, "target");
    const link = join(dir, "link.pcap");
    symlinkSync(target, link);
    expect(reason(() => new PcapFileWriter(link))).toBe("symlink");
    expect(reason(() => new PcapFileWriter(link, { overwrite: true }))).toBe("symlink");
    expect(existsSync(target)).toBe(false);
    writeFileSync(target, "secret");
    expect(reason(() => new PcapFileWriter(link, { overwrite: true }))).toBe("symlink");
    expect(readFileSync(target, "utf8")).toBe("secret");
  });

  it("does not replace a hard link to another file, nor a FIFO (without hanging)", () => {
    const other = join(dir, "other");
    writeFileSync(other, "secret");
    const hard = join(dir, "hard.pcap");
    linkSync(other, hard);
    expect(reason(() => new PcapFileWriter(hard, { overwrite: true }))).toBe("not-regular");
    expect(readFileSync(other, "utf8")).toBe("secret");
    const fifo = join(dir, "fifo.pcap");
    execFileSync("mkfifo", [fifo]);
    expect(reason(() => new PcapFileWriter(fifo, { overwrite: true }))).toBe("io");
  });
});
