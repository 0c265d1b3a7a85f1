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
const NLM_F_REQUEST = 0x1;
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
