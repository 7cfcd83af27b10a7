// A Jest reporter printing, after every run, the slowest test files and their wall time: every
// CI log then shows where the minutes go (docs/architecture.md, "Test fixtures and CI time").
// Plain JavaScript: Jest loads reporters without transforming them.

const DEFAULT_COUNT = 15;

class SlowestFilesReporter {
  constructor(globalConfig, options = {}) {
    this.rootDir = globalConfig.rootDir;
    this.count = options.count ?? DEFAULT_COUNT;
    this.files = [];
  }

  onTestResult(test, result) {
    const { start, end } = result.perfStats;
    // A file that fails to load may have no start or end time: counted as 0 rather than as decades.
    const seconds = start && end ? (end - start) / 1000 : 0;
    this.files.push({ path: relative(this.rootDir, test.path), seconds, tests: result.numPassingTests + result.numFailingTests + result.numPendingTests });
  }

  onRunComplete() {
    if (this.files.length === 0) return;
    const total = this.files.reduce((sum, f) => sum + f.seconds, 0);
    const slowest = [...this.files].sort((a, b) => b.seconds - a.seconds).slice(0, this.count);
    const shown = slowest.reduce((sum, f) => sum + f.seconds, 0);
    const lines = slowest.map((f) => `${f.seconds.toFixed(1).padStart(8)} s  ${f.path} (${f.tests} tests)`);
    process.stdout.write(
      `\nSlowest ${slowest.length} of ${this.files.length} test files (wall time each; ${shown.toFixed(0)} of ${total.toFixed(0)} s in all files):\n${lines.join('\n')}\n`,
    );
  }
}

function relative(rootDir, file) {
  return file.startsWith(rootDir + '/') ? file.slice(rootDir.length + 1) : file;
}

module.exports = SlowestFilesReporter;
