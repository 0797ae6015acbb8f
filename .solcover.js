/**
 * solidity-coverage configuration (`npm run coverage`). The test doubles and harnesses under
 * contracts/test/ are not part of the suite and are not measured; scripts/coverage-gate.ts reads the
 * json-summary report and fails below the gate (95 % lines, 90 % branches of contracts/).
 */
module.exports = {
  skipFiles: ["test/"],
  istanbulReporter: ["json-summary", "text-summary", "text", "html"],
};
