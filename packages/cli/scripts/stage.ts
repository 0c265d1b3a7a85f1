// Lays out a folder that `npm pack` turns into an installable CLI tarball. The workspace packages
// are not on the registry, so they travel inside it as bundled dependencies (node_modules/NAME with
// their manifest and built files). Their registry dependencies (ffi-rs) MOVE to the CLI's own
// `dependencies`: npm counts every dependency of a bundled package as bundled too, and would then
// expect ffi-rs inside the tarball and leave an empty folder at install. Installed next to the
// bundled packages, ffi-rs still resolves from them by walking up node_modules.

import { cpSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Manifest, PackError, type WorkspacePackage, isWorkspaceRange, publishedManifest, workspaceDependencies } from "./workspace.js";

/** Files npm adds whatever `files` says; copied when the package has them. */
const ALWAYS_PUBLISHED = ["README.md", "LICENSE"];

/** The workspace packages `pkg` needs at run time, directly or not, sorted by name. */
export function bundledClosure(pkg: WorkspacePackage, workspace: ReadonlyMap<string, WorkspacePackage>): WorkspacePackage[] {
  const found = new Map<string, WorkspacePackage>();
  const visit = (current: WorkspacePackage): void => {
    for (const dep of workspaceDependencies(current, workspace)) {
      if (found.has(dep.manifest.name)) continue;
      found.set(dep.manifest.name, dep);
      visit(dep);
    }
  };
  visit(pkg);
  return [...found.values()].sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** Stages `cli` into `stagingDir` (which must exist and be empty) and returns the staged manifest. */
export function stagePackage(cli: WorkspacePackage, workspace: ReadonlyMap<string, WorkspacePackage>, stagingDir: string): Manifest {
  const bundled = bundledClosure(cli, workspace);
  const dependencies: Record<string, string> = { ...publishedManifest(cli, workspace).dependencies };
  for (const pkg of bundled) {
    const manifest = publishedManifest(pkg, workspace);
    const kept: Record<string, string> = {};
    for (const [name, range] of Object.entries(pkg.manifest.dependencies ?? {})) {
      if (isWorkspaceRange(range)) kept[name] = manifest.dependencies![name]!;
      else hoist(dependencies, name, range, pkg.manifest.name);
    }
    const bundledManifest = manifest.dependencies === undefined ? manifest : { ...manifest, dependencies: kept };
    copyPublishedFiles(pkg, bundledManifest, join(stagingDir, "node_modules", pkg.manifest.name));
  }
  const staged: Manifest = {
    ...publishedManifest(cli, workspace),
    dependencies: sortedKeys(dependencies),
    bundleDependencies: bundled.map((pkg) => pkg.manifest.name),
  };
  copyPublishedFiles(cli, staged, stagingDir);
  return staged;
}

/** Adds a bundled package's registry dependency to the CLI's, refusing two different ranges. */
function hoist(dependencies: Record<string, string>, name: string, range: string, from: string): void {
  const existing = dependencies[name];
  if (existing !== undefined && existing !== range) {
    throw new PackError(`${from} wants ${name}@${range} but the CLI already depends on ${name}@${existing}`, from);
  }
  dependencies[name] = range;
}

/** Writes `manifest` and copies what its `files` lists (build info left out) into `target`. */
function copyPublishedFiles(pkg: WorkspacePackage, manifest: Manifest, target: string): void {
  mkdirSync(target, { recursive: true });
  writeFileSync(join(target, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  const files = manifest.files;
  if (files === undefined) throw new PackError(`${pkg.manifest.name} has no "files" field: say what it publishes`, pkg.manifest.name);
  for (const entry of files) {
    // Exclusions ("!dist/.tsbuildinfo") are npm's; the copy below leaves build info out anyway.
    if (entry.startsWith("!")) continue;
    const source = join(pkg.dir, entry);
    if (!existsSync(source)) throw new PackError(`${pkg.manifest.name}: "${entry}" is missing (not built?)`, pkg.manifest.name);
    cpSync(source, join(target, entry), { recursive: true, filter: (path) => !path.endsWith(".tsbuildinfo") });
  }
  for (const extra of ALWAYS_PUBLISHED) {
    if (existsSync(join(pkg.dir, extra))) cpSync(join(pkg.dir, extra), join(target, extra));
  }
}

function sortedKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
