// Errors of the spec compiler. A SpecError points at the spec file and the path of the offending
// node (e.g. "attribute-sets[3].attributes[2].type") so a spec author can find it without a debugger.

export class SpecError extends Error {
  override readonly name = "SpecError";
  readonly file: string;
  readonly path: string;

  constructor(file: string, path: string, message: string) {
    super(`${file}${path ? ` at ${path}` : ""}: ${message}`);
    this.file = file;
    this.path = path;
  }
}

export function isSpecError(e: unknown): e is SpecError {
  return e instanceof Error && e.name === "SpecError";
}
