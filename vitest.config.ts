import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share one kernel; running files in parallel would race on namespaces and sysctls.
    fileParallelism: true,
    pool: "forks",
  },
});
