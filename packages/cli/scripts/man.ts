// Renders the man pages from their one source, man/NAME.SECTION.md of the cli and the conntrackd
// packages, with marked-man into the committed man/NAME.SECTION next to it (installed by npm from
// that package's "man"), and tsconntrack.8.md's
// EXTENSIONS section into src/gen/help-extensions.ts (--help-extensions). `--check` fails when a
// committed file is stale; `pnpm test` runs it, as it runs the spec compiler's check.
//
//   tsx packages/cli/scripts/man.ts [--check]

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../", import.meta.url));
const MAN = join(CLI, "man");
/** Every package's man directory: tsconntrack(8) and tsnfct(8) here, tsconntrackd(8) in conntrackd. */
const MAN_DIRS = [MAN, fileURLToPath(new URL("../../conntrackd/man/", import.meta.url))];
const MARKED_MAN = join(CLI, "node_modules/.bin/marked-man");
const { version } = JSON.parse(readFileSync(join(CLI, "package.json"), "utf8")) as { version: string };
/** Fixed, so the output depends on the source alone (marked-man would print today's date). */
const DATE = "December 2026";

function render(dir: string, source: string): string {
  const run = spawnSync(MARKED_MAN, ["--no-breaks", "--version", `tsconntrack ${version}`, "--manual", "tsconntrack", "--date", DATE, join(dir, source)], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`marked-man ${source}: ${run.stderr}`);
  return `.\\" Generated from ${source} by packages/cli/scripts/man.ts (marked-man); do not edit.\n${run.stdout}`;
}

/** Markdown's inline marks off, `_name_` in capitals: the man page's words as plain terminal text. */
function plain(text: string): string {
  return text.replace(/\*\*([^*]+)\*\*/g, "$1").replace(/`([^`]+)`/g, "$1").replace(/\b_([^_]+)_\b/g, (_all, word: string) => word.toUpperCase());
}

/**
 * The EXTENSIONS section of tsconntrack.8.md as the text `--help-extensions` prints (and `-h` on a
 * terminal), emitted as generated code so that the man page stays the one source.
 */
function helpExtensionsModule(markdown: string): string {
  const section = (name: string): string => {
    const text = new RegExp(`\\n## ${name}\\n([\\s\\S]*?)\\n## `).exec(markdown)?.[1];
    if (text === undefined) throw new Error(`tsconntrack.8.md has no ${name} section`);
    return text;
  };
  const items = [
    ...section("EXTENSIONS").split(/\n\* /).slice(1),
    ...section("ENVIRONMENT").split(/\n\* /).slice(1).filter((item) => item.startsWith("`TSCONNTRACK_")),
  ];
  const lines = ["tsconntrack extensions (conntrack 1.4.7 has none of these; see tsconntrack(8)):"];
  for (const item of items) {
    const [head, ...body] = item.split("\n");
    lines.push(`  ${plain(head!.replace(/:$/, ""))}`);
    const words = plain(body.map((line) => line.trim()).join(" ")).split(" ").filter((word) => word !== "");
    let line = "";
    for (const word of words) {
      if (line !== "" && line.length + word.length + 1 > 90) {
        lines.push(`        ${line}`);
        line = word;
      } else line = line === "" ? word : `${line} ${word}`;
    }
    if (line !== "") lines.push(`        ${line}`);
  }
  return `// Generated from man/tsconntrack.8.md by packages/cli/scripts/man.ts; do not edit.\n\n/** What --help-extensions prints (and -h after conntrack's text on a terminal). */\nexport const HELP_EXTENSIONS = ${JSON.stringify(lines.join("\n") + "\n")};\n`;
}

const check = process.argv.includes("--check");
const stale: string[] = [];
const helpModule = join(CLI, "src/gen/help-extensions.ts");
mkdirSync(join(CLI, "src/gen"), { recursive: true });
const helpText = helpExtensionsModule(readFileSync(join(MAN, "tsconntrack.8.md"), "utf8"));
if (!existsSync(helpModule) || readFileSync(helpModule, "utf8") !== helpText) {
  if (check) stale.push(helpModule);
  else writeFileSync(helpModule, helpText);
}
for (const dir of MAN_DIRS) for (const source of readdirSync(dir).filter((name) => /\.\d\.md$/.test(name)).sort()) {
  const page = join(dir, source.replace(/\.md$/, ""));
  const text = render(dir, source);
  if (check) {
    if (!existsSync(page) || readFileSync(page, "utf8") !== text) stale.push(page);
  } else if (!existsSync(page) || readFileSync(page, "utf8") !== text) writeFileSync(page, text);
}
if (stale.length > 0) {
  console.error(`stale man pages or help text (run \`pnpm man\`): ${stale.join(", ")}`);
  process.exit(1);
}
