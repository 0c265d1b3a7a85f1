import { describe, expect, it } from "vitest";
import { ErrorWithFields, FieldArgumentError, errorGuard } from "../src/index.js";

class SampleError extends ErrorWithFields<SampleError> {
  override readonly name = "SampleError";
  declare readonly path: string;
  declare readonly code?: string;
  constructor(path: string, code?: string) {
    super(`${path}: ${code ?? "failed"}`, { path, code }, { cause: "why" });
  }
}

class SampleArgumentError extends FieldArgumentError {
  override readonly name = "SampleArgumentError";
}

const isSampleError = errorGuard<SampleError>("SampleError");

describe("ErrorWithFields", () => {
  it("sets the given fields, the message, the name and the cause", () => {
    const error = new SampleError("/tmp/x", "EACCES");
    expect(error).toBeInstanceOf(SampleError);
    expect(error).toBeInstanceOf(Error);
    expect(isSampleError(error)).toBe(true);
    expect(error.name).toBe("SampleError");
    expect(error.message).toBe("/tmp/x: EACCES");
    expect(error.cause).toBe("why");
    expect({ path: error.path, code: error.code }).toEqual({ path: "/tmp/x", code: "EACCES" });
  });

  it("leaves a field given as undefined absent", () => {
    const error = new SampleError("/tmp/x");
    expect("path" in error).toBe(true);
    expect("code" in error).toBe(false);
    expect(Object.keys(error)).not.toContain("code");
  });
});

describe("FieldArgumentError", () => {
  it("prefixes the message with the field, under the subclass's name", () => {
    const error = new SampleArgumentError("filter.orig.src", "not an address");
    expect(error).toBeInstanceOf(FieldArgumentError);
    expect(error.name).toBe("SampleArgumentError");
    expect(error.field).toBe("filter.orig.src");
    expect(error.message).toBe("filter.orig.src: not an address");
  });
});
