// The nfnetlink fixed header is written out in each spec (a netlink-raw file cannot include
// another; see the note at the top of cttimeout.yaml): the copies must never drift apart.

import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { expect, it } from "vitest";
import { compileSpec } from "../../compiler/compile.js";
import { OUR_SPECS } from "./paths.js";

it("every spec's nfgenmsg is conntrack.yaml's, member for member", () => {
  const compiled = OUR_SPECS.map((path) => compileSpec(readFileSync(path, "utf8"), { specPath: basename(path) }).model.descriptor);
  const structs = compiled.map((family) => family.structs["nfgenmsg"]);
  expect(structs[0]).toBeDefined();
  for (const struct of structs.slice(1)) expect(struct).toEqual(structs[0]);
  for (const family of compiled) expect(family.fixedHeader).toBe("nfgenmsg");
});
