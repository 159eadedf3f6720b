import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  { ignores: ["build/**", "node_modules/**", ".cache/**", "extensions/**/dist/**", "public/build/**", ".tools/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Money must never be a float: parseFloat on anything is suspicious here.
      "no-restricted-globals": ["error", { name: "parseFloat", message: "Money is bigint minor units; see app/domain/money.ts" }],
    },
  },
  {
    files: ["app/domain/**"],
    rules: {
      // The domain is pure: time and configuration are arguments.
      "no-restricted-syntax": [
        "error",
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: "Pass `now` in." },
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: "Pass settings in." },
      ],
      "no-restricted-imports": ["error", { patterns: ["@prisma/*", "@tokui/*", "@remix-run/*", "*.server"] }],
    },
  },
);
