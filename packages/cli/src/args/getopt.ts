// A re-implementation of GNU getopt_long (glibc 2.36) semantics, written from its documented behaviour:
// argument permutation, clustered short options, optional arguments only when attached, long options by
// unique prefix, and the exact `optind` bookkeeping that conntrack's error messages depend on
// (it prints argv[optind - 1], which after a permutation or inside a cluster is not always the option).

/** `has_arg` of `struct option`. */
export const NO_ARGUMENT = 0;
export const REQUIRED_ARGUMENT = 1;
export const OPTIONAL_ARGUMENT = 2;
export type HasArg = typeof NO_ARGUMENT | typeof REQUIRED_ARGUMENT | typeof OPTIONAL_ARGUMENT;

export interface LongOption {
  readonly name: string;
  readonly hasArg: HasArg;
  /** The code getopt returns for this option (a character code, or a larger number). */
  readonly val: number;
}

/** One getopt_long result. `code` is -1 at the end, `'?'` / `':'` char codes on errors, else the option's val. */
export interface GetoptResult {
  readonly code: number;
  readonly optarg: string | null;
}

export const GETOPT_END = -1;
export const CODE_UNKNOWN = "?".charCodeAt(0);
export const CODE_MISSING_ARG = ":".charCodeAt(0);

/** getopt_long state over one argv (glibc keeps the same: optind, the rest of a short-option cluster, the non-option span). */
export class Getopt {
  /** Index of the next argv element to scan; callers may advance it to consume words (conntrack does). */
  optind = 1;
  private nextchar: string | null = null;
  private firstNonopt = 1;
  private lastNonopt = 1;
  private readonly permute: boolean;
  private readonly shortSpec: string;
  private readonly missingArgCode: number;

  /**
   * @param argv mutable copy of argv; permutation reorders it in place, like glibc.
   * @param optstring short option spec ("L::I::hs:...").
   * @param fallbackLongOptions options tried only when `longOptions` has no match at all, so adding them
   *   never changes how an abbreviation that conntrack accepts (or reports as ambiguous) resolves.
   */
  readonly argv: string[];
  /** Read at every long option, so options added to this array later (conntrack's -p) take part. */
  readonly longOptions: readonly LongOption[];
  private readonly fallbackLongOptions: readonly LongOption[];

  constructor(
    argv: string[],
    optstring: string,
    longOptions: readonly LongOption[],
    fallbackLongOptions: readonly LongOption[] = [],
    posixlyCorrect = false,
  ) {
    this.argv = argv;
    this.longOptions = longOptions;
    this.fallbackLongOptions = fallbackLongOptions;
    let spec = optstring;
    let permute = !posixlyCorrect;
    if (spec.startsWith("-") || spec.startsWith("+")) {
      permute = false;
      spec = spec.slice(1);
    }
    this.permute = permute;
    this.shortSpec = spec;
    this.missingArgCode = spec.startsWith(":") ? CODE_MISSING_ARG : CODE_UNKNOWN;
  }

  private isNonOption(index: number): boolean {
    const word = this.argv[index]!;
    return word[0] !== "-" || word.length === 1;
  }

  /** Moves the skipped non-options after the options processed since, as glibc's exchange() does. */
  private exchange(): void {
    const nonopts = this.argv.slice(this.firstNonopt, this.lastNonopt);
    const opts = this.argv.slice(this.lastNonopt, this.optind);
    this.argv.splice(this.firstNonopt, this.optind - this.firstNonopt, ...opts, ...nonopts);
    this.firstNonopt += this.optind - this.lastNonopt;
    this.lastNonopt = this.optind;
  }

  next(): GetoptResult {
    const argc = this.argv.length;
    if (this.nextchar === null || this.nextchar === "") {
      if (this.lastNonopt > this.optind) this.lastNonopt = this.optind;
      if (this.firstNonopt > this.optind) this.firstNonopt = this.optind;
      if (this.permute) {
        if (this.firstNonopt !== this.lastNonopt && this.lastNonopt !== this.optind) this.exchange();
        else if (this.lastNonopt !== this.optind) this.firstNonopt = this.optind;
        while (this.optind < argc && this.isNonOption(this.optind)) this.optind++;
        this.lastNonopt = this.optind;
      }
      if (this.optind !== argc && this.argv[this.optind] === "--") {
        this.optind++;
        if (this.firstNonopt !== this.lastNonopt && this.lastNonopt !== this.optind) this.exchange();
        else if (this.firstNonopt === this.lastNonopt) this.firstNonopt = this.optind;
        this.lastNonopt = argc;
        this.optind = argc;
      }
      if (this.optind === argc) {
        if (this.firstNonopt !== this.lastNonopt) this.optind = this.firstNonopt;
        return { code: GETOPT_END, optarg: null };
      }
      if (this.isNonOption(this.optind)) {
        // Only reachable without permutation (POSIXLY_CORRECT): the first non-option ends parsing.
        return { code: GETOPT_END, optarg: null };
      }
      const word = this.argv[this.optind]!;
      if (word[1] === "-") {
        this.nextchar = word.slice(2);
        return this.longOption();
      }
      this.nextchar = word.slice(1);
    }
    return this.shortOption();
  }

  private shortOption(): GetoptResult {
    const c = this.nextchar![0]!;
    this.nextchar = this.nextchar!.slice(1);
    // optind moves past the element when its last character is taken, before the character is checked.
    if (this.nextchar === "") this.optind++;
    const at = this.shortSpec.indexOf(c);
    if (at < 0 || c === ":" || c === ";") return { code: CODE_UNKNOWN, optarg: null };
    const code = c.charCodeAt(0);
    if (this.shortSpec[at + 1] !== ":") return { code, optarg: null };
    let optarg: string | null = null;
    if (this.shortSpec[at + 2] === ":") {
      if (this.nextchar !== "") {
        optarg = this.nextchar;
        this.optind++;
      }
    } else if (this.nextchar !== "") {
      optarg = this.nextchar;
      this.optind++;
    } else if (this.optind === this.argv.length) {
      this.nextchar = null;
      return { code: this.missingArgCode, optarg: null };
    } else {
      optarg = this.argv[this.optind++]!;
    }
    this.nextchar = null;
    return { code, optarg };
  }

  private longOption(): GetoptResult {
    const text = this.nextchar!;
    const eq = text.indexOf("=");
    const name = eq < 0 ? text : text.slice(0, eq);
    let found = matchLongOption(this.longOptions, name);
    if (found === null) found = matchLongOption(this.fallbackLongOptions, name);
    this.nextchar = null;
    this.optind++;
    if (found === null || found === "ambiguous") return { code: CODE_UNKNOWN, optarg: null };
    if (eq >= 0) {
      if (found.hasArg === NO_ARGUMENT) return { code: CODE_UNKNOWN, optarg: null };
      return { code: found.val, optarg: text.slice(eq + 1) };
    }
    if (found.hasArg === REQUIRED_ARGUMENT) {
      if (this.optind < this.argv.length) return { code: found.val, optarg: this.argv[this.optind++]! };
      return { code: this.missingArgCode, optarg: null };
    }
    return { code: found.val, optarg: null };
  }
}

/**
 * Exact name first; otherwise the unique option the name abbreviates. Several abbreviated matches are
 * ambiguous unless they are the same option spelled twice (same has_arg and val), as in glibc.
 * Returns null when nothing matches.
 */
export function matchLongOption(options: readonly LongOption[], name: string): LongOption | "ambiguous" | null {
  for (const option of options) if (option.name === name) return option;
  let found: LongOption | null = null;
  for (const option of options) {
    if (!option.name.startsWith(name)) continue;
    if (found === null) found = option;
    else if (found.hasArg !== option.hasArg || found.val !== option.val) return "ambiguous";
  }
  return found;
}
