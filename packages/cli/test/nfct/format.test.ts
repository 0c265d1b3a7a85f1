// nfct's text for timeout policies and helpers from decoded values, and tsnfct's JSON (schema-checked).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import AjvModule from "ajv";
import { describe, expect, it } from "vitest";
import { helperJson, helperText, jsonDocument, timeoutJson, timeoutText } from "../../src/nfct/format.js";

const schemaDir = fileURLToPath(new URL("../../schema/", import.meta.url));
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const ajv = new Ajv({ allErrors: true, strict: true });
const validate = (schema: string, json: string) => {
  const v = ajv.compile(JSON.parse(readFileSync(schemaDir + schema, "utf8")));
  const ok = v(JSON.parse(json));
  expect(v.errors ?? [], json).toEqual([]);
  expect(ok).toBe(true);
};

describe("timeout policies", () => {
  it("prints nfct's block, unset states as 0, states nfct does not know left out", () => {
    const sctp = { name: "s", l3proto: 10, l4proto: 132, use: 1, data: { closed: 1, shutdownAckSent: 7, heartbeatSent: 30 } };
    expect(timeoutText(sctp)).toBe(
      ".s = {\n\t.l3proto = 10,\n\t.l4proto = 132,\n\t.policy = {\n" +
        "\t\t.CLOSED = 1,\n\t\t.COOKIE_WAIT = 0,\n\t\t.COOKIE_ECHOED = 0,\n\t\t.ESTABLISHED = 0,\n" +
        "\t\t.SHUTDOWN_SENT = 0,\n\t\t.SHUTDOWN_RECD = 0,\n\t\t.SHUTDOWN_ACK_SENT = 7,\n\t},\n};\n",
    );
    expect(timeoutJson(sctp)).toBe('{"name":"s","l3proto":10,"l4proto":132,"use":1,"policy":{"closed":1,"shutdown_ack_sent":7,"heartbeat_sent":30}}');
  });

  it("leaves out what the answer lacks: a default has no name, a payload nfct cannot read no policy", () => {
    expect(timeoutText({ l3proto: 2, l4proto: 1, data: { timeout: 30 } })).toBe("\t.l3proto = 2,\n\t.l4proto = 1,\n\t.policy = {\n\t\t.TIMEOUT = 30,\n\t},\n};\n");
    expect(timeoutText({ name: "esp", l3proto: 2, l4proto: 50 })).toBe(".esp = {\n\t.l3proto = 2,\n\t.l4proto = 50,\n};\n");
    expect(timeoutText({})).toBe("};\n");
    validate("nfct-timeout.schema.json", jsonDocument([timeoutJson({ name: "esp", l3proto: 2, l4proto: 50 }), timeoutJson({ l3proto: 2, l4proto: 1, data: { timeout: 30 } })]));
  });
});

describe("helpers", () => {
  const ftp = {
    name: "ftp", queueNum: 5, tuple: { l3protonum: 2, l4protonum: 6 },
    policy: { setNum: 1, set1: { name: "ftp", expectMax: 1, expectTimeout: 300 } }, privDataLen: 24, status: 1,
  };
  it("prints libnetfilter_cthelper's block", () => {
    expect(helperText(ftp)).toBe("{\n\t.name = ftp,\n\t.queuenum = 5,\n\t.l3protonum = 2,\n\t.l4protonum = 6,\n\t.priv_data_len = 24,\n\t.status = enabled,\n};\n");
    expect(helperText({ ...ftp, status: 0 })).toContain("\t.status = disabled,\n");
  });

  it("writes JSON with the expectation classes", () => {
    const json = helperJson(ftp);
    expect(json).toBe('{"name":"ftp","queuenum":5,"l3protonum":2,"l4protonum":6,"priv_data_len":24,"status":"enabled","policies":[{"name":"ftp","expect_max":1,"expect_timeout":300}]}');
    validate("nfct-helper.schema.json", jsonDocument([json]));
  });
});
