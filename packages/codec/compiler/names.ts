// The one place where spec names (kebab-case) become TypeScript and C identifiers.

const JS_RESERVED = new Set([
  "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
  "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "implements", "import",
  "in", "instanceof", "interface", "let", "new", "null", "package", "private", "protected", "public",
  "return", "static", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while",
  "with", "yield",
]);

// Type names the generated file uses itself, or that would shadow globals it relies on.
const RESERVED_TYPE_NAMES = new Set([
  "Array", "BigInt", "Boolean", "FamilyDescriptor", "Number", "Object", "Partial", "Readonly", "Record",
  "String", "Symbol", "Uint8Array", "UnknownAttr",
]);

function words(name: string): string[] {
  return name.split(/[^0-9A-Za-z]+/).filter((w) => w.length > 0);
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** "tuple-orig" → "tupleOrig", "ip-v4-src" → "ipV4Src". Used for object keys. */
export function camelCase(name: string): string {
  const [first = "", ...rest] = words(name);
  return first + rest.map(capitalize).join("");
}

/** "tuple-attrs" → "TupleAttrs". */
export function pascalCase(name: string): string {
  return words(name).map(capitalize).join("");
}

/** C constant spelling as YNL's C generator forms it: upper case, dashes → underscores. */
export function cConstant(name: string): string {
  return name.toUpperCase().replace(/[^0-9A-Z]+/g, "_");
}

export function isIdentifier(s: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s);
}

export function isReservedWord(s: string): boolean {
  return JS_RESERVED.has(s);
}

/** A binding name (const, let): reserved words and leading digits are escaped. */
export function safeIdentifier(s: string): string {
  const id = /^[0-9]/.test(s) ? `_${s}` : s;
  return JS_RESERVED.has(id) ? `${id}$` : id;
}

/** A type or const-object name: PascalCase, never a global the generated file depends on. */
export function safeTypeName(name: string): string {
  let id = pascalCase(name);
  if (/^[0-9]/.test(id)) id = `_${id}`;
  if (RESERVED_TYPE_NAMES.has(id)) id = `${id}_`;
  return id;
}

/** How a key is written in an object literal or interface: bare when possible (reserved words are fine), else quoted. */
export function propertyKey(key: string): string {
  return isIdentifier(key) ? key : JSON.stringify(key);
}
