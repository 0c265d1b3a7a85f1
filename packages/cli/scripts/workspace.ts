// The workspace's package manifests, and the manifest each one is published with: `workspace:`
// ranges become the real versions and development-only fields go away.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Manifest {
  name: string;
  version: string;
  files?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  bundleDependencies?: string[];
  [field: string]: unknown;
}

export interface WorkspacePackage {
  dir: string;
  manifest: Manifest;
}

/** Something in the workspace that makes a publishable tarball impossible. */
export class PackError extends Error {
  override readonly name = "PackError";
  readonly packageName: string | undefined;
  constructor(message: string, packageName?: string) {
    super(message);
    this.packageName = packageName;
  }
}

export function isPackError(value: unknown): value is PackError {
  return value instanceof Error && value.name === "PackError";
}

const WORKSPACE_PREFIX = "workspace:";

/** Every `packages/NAME/package.json`, by package name. */
export function readWorkspace(repo: string): Map<string, WorkspacePackage> {
  const packages = new Map<string, WorkspacePackage>();
  const root = join(repo, "packages");
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const dir = join(root, entry.name);
    if (!entry.isDirectory() || !existsSync(join(dir, "package.json"))) continue;
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
    packages.set(manifest.name, { dir, manifest });
  }
  return packages;
}

export function isWorkspaceRange(range: string): boolean {
  return range.startsWith(WORKSPACE_PREFIX);
}

/** pnpm's publish rule: `workspace:*` → 1.2.3, `workspace:^` → ^1.2.3, `workspace:~` → ~1.2.3, `workspace:R` → R. */
export function publishedRange(range: string, version: string): string {
  const rest = range.slice(WORKSPACE_PREFIX.length);
  if (rest === "*") return version;
  if (rest === "^" || rest === "~") return rest + version;
  return rest;
}

/** The package's workspace dependencies, looked up in the workspace. */
export function workspaceDependencies(pkg: WorkspacePackage, workspace: ReadonlyMap<string, WorkspacePackage>): WorkspacePackage[] {
  return Object.entries(pkg.manifest.dependencies ?? {})
    .filter(([, range]) => isWorkspaceRange(range))
    .map(([name]) => {
      const found = workspace.get(name);
      if (found === undefined) throw new PackError(`${pkg.manifest.name} depends on ${name}, which is not in the workspace`, name);
      return found;
    });
}

/** The manifest as npm should see it: real versions, no devDependencies or scripts. */
export function publishedManifest(pkg: WorkspacePackage, workspace: ReadonlyMap<string, WorkspacePackage>): Manifest {
  const { devDependencies: _dev, scripts: _scripts, ...kept } = pkg.manifest;
  const dependencies: Record<string, string> = {};
  for (const [name, range] of Object.entries(pkg.manifest.dependencies ?? {})) {
    const target = workspace.get(name);
    dependencies[name] = isWorkspaceRange(range) && target !== undefined ? publishedRange(range, target.manifest.version) : range;
  }
  return pkg.manifest.dependencies === undefined ? kept : { ...kept, dependencies };
}
