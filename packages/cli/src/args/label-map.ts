// The connlabel map (/etc/xtables/connlabel.conf) as libnetfilter_conntrack 1.0.9 reads it: lines
// "BIT NAME", BIT < 1024 (strtoul base 0), NAME trimmed and limited to [A-Za-z0-9 -], first definition of a
// bit or name wins, lines starting with '#' skipped.

import { strtoul } from "./c-numbers.js";

/** Label name → bit. */
export type LabelMap = ReadonlyMap<string, number>;

/** What loading the map gave: the map, or the strerror() text nfct_labelmap_new's perror() prints. */
export type LabelMapLoad = { readonly map: LabelMap } | { readonly error: string };

export const CONNLABEL_PATH = "/etc/xtables/connlabel.conf";
const MAX_BITS = 1024;
/** fgets() with a 1024-byte buffer splits longer lines; each piece is read as a line of its own. */
const LINE_BUFFER_CHARS = 1023;

function isPosixSpace(ch: string | undefined): boolean {
  return ch === " " || ch === "\f" || ch === "\r" || ch === "\t" || ch === "\v";
}

function splitLikeFgets(text: string): string[] {
  const pieces: string[] = [];
  for (const line of text.split(/(?<=\n)/)) {
    for (let i = 0; i < line.length; i += LINE_BUFFER_CHARS) pieces.push(line.slice(i, i + LINE_BUFFER_CHARS));
  }
  return pieces;
}

function trimLabel(raw: string): string | null {
  let start = 0;
  while (isPosixSpace(raw[start])) start++;
  let label = raw.slice(start);
  const newline = label.indexOf("\n");
  if (newline >= 0) label = label.slice(0, newline);
  let end = label.length;
  while (end > 1 && isPosixSpace(label[end - 1])) end--;
  label = label.slice(0, end);
  return label === "" ? null : label;
}

const SANE_LABEL = /^[A-Za-z0-9 -]*$/;

/** Parses the file's text. Returns null when it defines no label (libnetfilter_conntrack then fails). */
export function parseLabelMap(text: string): LabelMap | null {
  const map = new Map<string, number>();
  const bitsSeen = new Set<number>();
  for (const line of splitLikeFgets(text)) {
    if (line.startsWith("#")) continue;
    const { value, end } = strtoul(line, 0);
    if ((value === 0n && end === 0) || value >= BigInt(MAX_BITS)) continue;
    const bit = Number(value);
    if (bitsSeen.has(bit)) continue;
    const name = trimLabel(line.slice(end));
    if (name === null || !SANE_LABEL.test(name) || map.has(name)) continue;
    map.set(name, bit);
    bitsSeen.add(bit);
  }
  return map.size === 0 ? null : map;
}

/** Bit → name, for printing. */
export function labelNames(map: LabelMap): Map<number, string> {
  return new Map([...map].map(([name, bit]) => [bit, name]));
}
