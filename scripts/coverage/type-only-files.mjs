// Sources with no runtime code: files of types only (interfaces, type aliases),
// which compile to nothing. No process loads them (`import type` is erased), so
// the coverage tools report every line of them as missed; such a file is left
// out of the figures instead, and named in the run's output.
import { readFileSync } from 'node:fs';
import ts from 'typescript';

/** Whether the TypeScript file `file` compiles to JavaScript that does anything (more than `export {};`). */
export function hasRuntimeCode(file) {
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, removeComments: true },
  });
  const source = ts.createSourceFile('out.js', outputText, ts.ScriptTarget.ES2022);
  return source.statements.some((statement) => !(ts.isExportDeclaration(statement) && statement.exportClause !== undefined && ts.isNamedExports(statement.exportClause) && statement.exportClause.elements.length === 0 && statement.moduleSpecifier === undefined));
}
