// What the error classes of every package are built from: a guard by name, and a base class that
// sets the fields a class declares.

/**
 * The type guard of an error class, by the class's name: it also knows an instance made by another
 * copy of the package (two versions in one dependency tree), where instanceof does not.
 */
export function errorGuard<T extends Error>(name: string): (value: unknown) => value is T {
  return (value: unknown): value is T => value instanceof Error && value.name === name;
}

/** The fields an error class adds to Error's own. */
export type ErrorFields<E extends Error> = Omit<E, keyof Error>;

/**
 * An error with fields, given to the constructor as one object:
 * `class MyError extends ErrorWithFields<MyError>` declares its fields with `declare readonly`
 * and calls `super(message, { code, path })`. The type argument names the class itself, so the
 * compiler checks that every field it requires is given, with its type. A field given as
 * undefined stays absent, so `"code" in error` tells whether it was given (a plain class field,
 * not `declare`d, would be defined as undefined after super() returns).
 */
export abstract class ErrorWithFields<E extends Error> extends Error {
  constructor(message: string, fields: ErrorFields<E>, options?: ErrorOptions) {
    super(message, options);
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) Object.assign(this, { [key]: value });
    }
  }
}

/**
 * An argument an API cannot use (a bad option, options that cannot work together); nothing was
 * sent. Each API has its own subclass, which sets `name`.
 */
export abstract class FieldArgumentError extends ErrorWithFields<FieldArgumentError> {
  /** The option or field at fault, e.g. "filter.orig.src". */
  declare readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`, { field });
  }
}
