// Lint: typescript-eslint's recommended rules plus the house rules that a
// type checker cannot see. Package boundaries are checked by scripts/check-imports.mjs.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/build/**", ".test-results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    // Plain Node scripts (scripts/, launchers): Node's globals.
    files: ["**/*.{js,mjs}"],
    languageOptions: {
      globals: { URL: "readonly", console: "readonly", process: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly" },
    },
  },
  {
    // Libraries never log: they emit typed events (DESIGN.md, house style 7).
    files: ["packages/{core,bgp,l2,rawsock,kube-sim}/src/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "no-console": "error" },
  },
);
