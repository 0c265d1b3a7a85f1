// Reads a YNL spec: the SPDX first line YNL insists on, then YAML (anchors and aliases allowed).

import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { SpecError } from "./errors.js";

const SPDX_PREFIX = "# SPDX-License-Identifier: ";

export interface LoadedSpec {
  readonly file: string;
  readonly license: string;
  /** The parsed YAML document, not yet checked. */
  readonly doc: unknown;
}

export function loadSpecText(text: string, file: string): LoadedSpec {
  const firstLine = text.split("\n", 1)[0]?.trim() ?? "";
  if (!firstLine.startsWith(SPDX_PREFIX)) {
    throw new SpecError(file, "", `the first line must be an SPDX tag ("${SPDX_PREFIX}...")`);
  }
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: true });
  } catch (e) {
    throw new SpecError(file, "", `invalid YAML: ${(e as Error).message}`);
  }
  return { file, license: firstLine.slice(SPDX_PREFIX.length), doc };
}

export function loadSpecFile(path: string, displayName = path): LoadedSpec {
  return loadSpecText(readFileSync(path, "utf8"), displayName);
}
