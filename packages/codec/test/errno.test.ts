import { describe, expect, it } from "vitest";
import { errnoName, errnoNumber, strerror } from "../src/index.js";

describe("errno", () => {
  it.each([
    [2, "ENOENT", "No such file or directory"],
    [17, "EEXIST", "File exists"],
    [22, "EINVAL", "Invalid argument"],
    [1, "EPERM", "Operation not permitted"],
    [105, "ENOBUFS", "No buffer space available"],
    [95, "EOPNOTSUPP", "Operation not supported"],
    [16, "EBUSY", "Device or resource busy"],
    [11, "EAGAIN", "Resource temporarily unavailable"],
    [133, "EHWPOISON", "Memory page has hardware error"],
  ])("%i is %s, %s", (n, name, text) => {
    expect(errnoName(n)).toBe(name);
    expect(errnoName(-n)).toBe(name);
    expect(strerror(-n)).toBe(text);
    expect(errnoNumber(name)).toBe(n);
  });

  it("covers 1..133 like glibc, unknown numbers included", () => {
    for (let n = 1; n <= 133; n++) expect(strerror(n)).not.toBe("");
    expect(strerror(41)).toBe("Unknown error 41");
    expect(errnoName(41)).toBeUndefined();
    expect(strerror(524)).toBe("Unknown error 524");
    expect(errnoName(524)).toBe("ENOTSUPP");
    expect(strerror(0)).toBe("Success");
  });
});
