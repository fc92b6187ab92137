// ESLint (flat config) for the scripts the outputs ship: @eslint/js's recommended rules,
// browser globals, ES5 syntax (they run unbundled in whatever browser an LMS learner has).
// `make lint-js` and tests/test_javascript.py run it with --max-warnings 0.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    files: ["templates/**/*.js"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 5,
      sourceType: "script",
      globals: {...globals.browser},
    },
    rules: {
      // ES5 has no `catch {}`: a catch clause must name the error it ignores.
      "no-unused-vars": ["error", {caughtErrors: "none"}],
    },
    linterOptions: {reportUnusedDisableDirectives: "error"},
  },
  {
    // Also a CommonJS module, so that node's unit tests can require() it.
    files: ["templates/html/assets/workbook-state.js"],
    languageOptions: {globals: {module: "readonly"}},
  },
  {
    files: ["tests/js/**/*.js", "eslint.config.mjs"],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "commonjs",
      globals: {...globals.node},
    },
  },
  {
    files: ["eslint.config.mjs"],
    languageOptions: {sourceType: "module"},
  },
];
