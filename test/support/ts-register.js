/**
 * A require hook that runs the TypeScript sources directly, for tests that start the
 * application in a child process (there is no ts-node):
 *
 *   node -r ./test/support/ts-register.js src/worker.ts
 *
 * Each .ts file outside node_modules is transpiled on load with typescript.transpileModule
 * under the compiler options of tsconfig.json (CommonJS, ES2022, decorators and their
 * metadata, esModuleInterop, useDefineForClassFields false), without type checking: tsc
 * does that.
 */
const { readFileSync } = require('node:fs');
const { dirname, join, sep } = require('node:path');
const ts = require('typescript');

const configFile = join(__dirname, '..', '..', 'tsconfig.json');
const read = ts.readConfigFile(configFile, ts.sys.readFile);
if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
const { options } = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configFile));
const compilerOptions = { ...options, sourceMap: false, inlineSourceMap: true, inlineSources: true, declaration: false, noEmit: false };

const previous = require.extensions['.ts'];
require.extensions['.ts'] = function compileTypeScript(module, filename) {
  if (filename.includes(`${sep}node_modules${sep}`) && previous) return previous(module, filename);
  const { outputText, diagnostics } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename, reportDiagnostics: true });
  const errors = (diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) throw new Error(`${filename}: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`);
  module._compile(outputText, filename);
};

// Stack traces in the .ts sources rather than the transpiled text.
process.setSourceMapsEnabled?.(true);
