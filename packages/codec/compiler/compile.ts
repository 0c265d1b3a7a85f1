// One spec text in, the generated module (and the model behind it) out. No file system access,
// so tests can compile specs held in memory.

import { emitFamilyModule, type EmitOptions } from "./emit.js";
import { loadSpecText } from "./load.js";
import { buildFamilyModel, type FamilyModel } from "./model.js";
import { validateStructure, type ValidateOptions } from "./validate-structure.js";

export interface CompileOptions extends EmitOptions, ValidateOptions {}

export interface CompileResult {
  readonly model: FamilyModel;
  readonly source: string;
  readonly license: string;
}

export function compileSpec(text: string, options: CompileOptions): CompileResult {
  const loaded = loadSpecText(text, options.specPath);
  const spec = validateStructure(loaded.doc, options.specPath, options);
  const model = buildFamilyModel(spec, options.specPath);
  return { model, source: emitFamilyModule(model, options), license: loaded.license };
}
