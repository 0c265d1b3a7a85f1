/**
 * Checks that the committed golden fixtures are complete and well formed. No root needed:
 * this guards the files, not the kernel.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hasCommand } from "../support/exec.js";
import { netlinkHeaders, readFixturePcap } from "./pcap-records.js";

const FIXTURES = fileURLToPath(new URL("../../fixtures/", import.meta.url));
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const NLM_F_REQUEST = 0x1;
const NLMSG_OVERRUN = 4;
const ENOBUFS = 105;
const names = readdirSync(FIXTURES)
  .filter((file) => file.endsWith(".pcap"))
  .map((file) => file.slice(0, -".pcap".length))
  .sort();

describe("golden fixtures", () => {
  it("has at least 20 captures, each with its companion files and a README line", () => {
    expect(names.length).toBeGreaterThanOrEqual(20);
    const readme = readFileSync(join(FIXTURES, "README.md"), "utf8");
    for (const name of names) {
      for (const ext of [".cmd", ".out", ".err", ".status", ".time", ".io"]) {
        expect(existsSync(join(FIXTURES, name + ext)), `${name}${ext}`).toBe(true);
      }
      expect(readme, `README line for ${name}`).toContain(`| ${name} |`);
      expect(readFileSync(join(FIXTURES, `${name}.status`), "utf8")).toMatch(/^\d+\n$/);
      expect(readFileSync(join(FIXTURES, `${name}.time`), "utf8")).toMatch(/^\d{10}\n$/);
    }
  });

  it("pins gettimeofday() to the pinned time() second where a capture prints it (.timeofday)", () => {
    const pinned = names.filter((name) => existsSync(join(FIXTURES, `${name}.timeofday`)));
    expect(pinned.length).toBeGreaterThanOrEqual(3);
    for (const name of pinned) {
      const timeOfDay = readFileSync(join(FIXTURES, `${name}.timeofday`), "utf8");
      expect(timeOfDay).toMatch(/^\d{10}\.\d{6}\n$/);
      expect(timeOfDay.split(".")[0]).toBe(readFileSync(join(FIXTURES, `${name}.time`), "utf8").trim());
      const [seconds, micros] = timeOfDay.trim().split(".");
      // Conntrack events pad the microseconds with zeros on the left, expectations with spaces on the right.
      const prefixes = new Set([...readFileSync(join(FIXTURES, `${name}.out`), "utf8").matchAll(/^\[([^\]]*)\]\t/gm)].map((m) => m[1]));
      expect([...prefixes], name).toHaveLength(1);
      expect([`${seconds}.${micros}`, `${seconds}.${String(Number(micros)).padEnd(6, " ")}`]).toContain([...prefixes][0]);
    }
  });

  it("keeps a receive ENOBUFS as one NLMSG_OVERRUN marker carrying -ENOBUFS, one per warning", () => {
    let overruns = 0;
    for (const name of names) {
      const { records } = readFixturePcap(join(FIXTURES, `${name}.pcap`));
      const markers = records.filter((record) => netlinkHeaders(record.datagram)[0]?.type === NLMSG_OVERRUN);
      for (const marker of markers) {
        expect(marker.pkttype).toBe(0);
        expect(marker.datagram.byteLength).toBe(20);
        expect(Buffer.from(marker.datagram).readInt32LE(16)).toBe(-ENOBUFS);
      }
      const io = readFileSync(join(FIXTURES, `${name}.io`), "utf8");
      const failed = [...io.matchAll(/ ret=-1 errno=105 .* record=(\d+)$/gm)].map((match) => Number(match[1]));
      expect(failed, name).toEqual(markers.map((marker) => records.indexOf(marker)));
      const warnings = readFileSync(join(FIXTURES, `${name}.err`), "utf8").split("WARNING: We have hit ENOBUFS!").length - 1;
      expect(warnings, name).toBe(markers.length);
      overruns += markers.length;
    }
    expect(overruns).toBeGreaterThan(0);
  });

  it("names an existing label map (.labelmap, relative to the repository root) for captures that used one", () => {
    const mapped = names.filter((name) => existsSync(join(FIXTURES, `${name}.labelmap`)));
    expect(mapped).toContain("varied-L-labels");
    for (const name of mapped) {
      expect(existsSync(join(REPO, readFileSync(join(FIXTURES, `${name}.labelmap`), "utf8").trim())), name).toBe(true);
    }
  });

  it("has the input file of every -R capture (paths are relative to the repository root)", () => {
    for (const name of names) {
      const args = readFileSync(join(FIXTURES, `${name}.cmd`), "utf8").trim().split(" ");
      if (args[0] === "-R") expect(existsSync(join(REPO, args[1])), `${name}: ${args[1]}`).toBe(true);
    }
  });

  it.each(names)("%s.pcap: LINKTYPE_NETLINK records with a netlink cooked header and whole messages", (name) => {
    const { linktype, records } = readFixturePcap(join(FIXTURES, `${name}.pcap`));
    expect(linktype).toBe(253);
    const io = readFileSync(join(FIXTURES, `${name}.io`), "utf8");
    const logged = [...io.matchAll(/ record=(\d+)$/gm)].map((match) => Number(match[1]));
    expect(logged).toEqual(records.map((_, index) => index));
    for (const record of records) {
      expect([0, 4]).toContain(record.pkttype);
      expect(record.hatype).toBe(824);
      expect(record.protocol).toBe(12);
      const headers = netlinkHeaders(record.datagram);
      expect(headers.length).toBeGreaterThan(0);
      const last = headers[headers.length - 1];
      expect(last.offset + last.len).toBe(record.datagram.byteLength);
      for (const header of headers) {
        // User space marks what it sends as a request; the kernel never does.
        expect(Boolean(header.flags & NLM_F_REQUEST)).toBe(record.pkttype === 4);
      }
    }
  });

  it.skipIf(!hasCommand("tshark"))("tshark decodes a capture as netfilter netlink", () => {
    const result = spawnSync("tshark", ["-r", join(FIXTURES, "varied-G.pcap"), "-T", "fields", "-e", "frame.protocols"], {
      encoding: "utf8",
    });
    expect(result.stdout.trim().split("\n")).toEqual(["netlink:netlink-netfilter", "netlink:netlink-netfilter"]);
  });
});
