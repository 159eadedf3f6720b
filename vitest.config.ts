import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

// Integration tests run once per database: always SQLite, and PostgreSQL when
// TEST_DATABASE_URL names a server (.ci/run sets it).
const integrationDatabases = ["sqlite", ...(process.env.TEST_DATABASE_URL ? ["postgresql"] : [])];

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    environment: "node",
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "unit", include: ["tests/unit/**/*.test.ts"] } },
      // The storefront theme app extension (extensions/rank-badge): Theme Check, locales, Liquid.
      { extends: true, test: { name: "theme", include: ["tests/theme/**/*.test.ts"] } },
      // The shopper-facing UI extensions, rendered with Preact into happy-dom.
      {
        extends: true,
        test: { name: "extensions", include: ["tests/extensions/**/*.test.{ts,tsx}"], environment: "happy-dom" },
      },
      // The built app in Debian's Chromium (tests/e2e/harness.ts); builds once per run if needed.
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/e2e/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      ...integrationDatabases.map((db) => ({
        extends: true as const,
        test: {
          name: db,
          include: ["tests/integration/**/*.test.ts"],
          setupFiles: ["tests/helpers/integration-setup.ts"],
          env: { TOKUI_TEST_DB: db, TZ: "UTC" },
        },
      })),
    ],
  },
});
