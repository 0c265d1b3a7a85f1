// (a) Our specs are valid under the kernel's netlink-raw JSON schema, run with ajv as YNL runs jsonschema.

import { readFileSync } from "node:fs";
import AjvModule from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { basename } from "node:path";
import { KERNEL_SPECS, missingReference, NETLINK_RAW_SCHEMA, OUR_SPECS } from "./paths.js";

type AjvCtor = new (options: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } };
const Ajv = ((AjvModule as unknown as { default?: AjvCtor }).default ?? AjvModule) as unknown as AjvCtor;

function compileSchema() {
  // The schema repeats an `if:` key in one mapping (last one wins, as in PyYAML), and names a draft-07
  // meta-schema URL ajv does not know; neither matters for validating instances.
  const schema = parse(readFileSync(NETLINK_RAW_SCHEMA, "utf8"), { uniqueKeys: false }) as Record<string, unknown>;
  delete schema.$schema;
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

const skip = missingReference(NETLINK_RAW_SCHEMA);

describe.skipIf(skip !== undefined)("netlink-raw schema", () => {
  it.each(OUR_SPECS.map((path) => [basename(path), path]))("accepts spec/%s", (_, path) => {
    const validate = compileSchema();
    const ok = validate(parse(readFileSync(path, "utf8")));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("rejects the mainline kernel spec only for its 'labels mask' name (sanity check of the harness)", () => {
    if (missingReference(KERNEL_SPECS.mainline)) return;
    const validate = compileSchema();
    expect(validate(parse(readFileSync(KERNEL_SPECS.mainline, "utf8")))).toBe(false);
    const errors = validate.errors as { instancePath: string; keyword: string }[];
    expect(errors.map((e) => e.keyword)).toEqual(["pattern"]);
  });
});
