// Mechanical check of the JavaScript subset the Espruino interpreter runs (docs/architecture.md#firmware-on-espruino), applied to
// firmware sources (with the protocol files they import) and again to each built bundle. Each problem
// names the file, the line and what to write instead.
import ts from 'typescript';

export interface SubsetProblem {
  file: string;
  line: number;
  rule: string;
}

const MISSING_GLOBALS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Symbol', 'BigInt', 'Proxy', 'Reflect', 'WeakRef']);
const MISSING_STATICS: Record<string, string[]> = {
  Array: ['from', 'of'],
  Math: ['trunc', 'clz32', 'fround'],
  Number: ['isInteger', 'isFinite', 'isSafeInteger'],
  Object: ['freeze'],
};

function isDeclarationName(node: ts.Identifier): boolean {
  const p = node.parent;
  return (
    (ts.isPropertyAccessExpression(p) && p.name === node) ||
    (ts.isPropertyAssignment(p) && p.name === node) ||
    ((ts.isVariableDeclaration(p) || ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isParameter(p) ||
      ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isImportSpecifier(p) || ts.isTypeReferenceNode(p) ||
      ts.isInterfaceDeclaration(p) || ts.isTypeAliasDeclaration(p)) && (p as { name?: ts.Node }).name === node)
  );
}

function usesThis(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node) => {
    if (found) return;
    if (n.kind === ts.SyntaxKind.ThisKeyword) found = true;
    else if (!ts.isFunctionDeclaration(n) && !ts.isFunctionExpression(n) && !ts.isClassLike(n)) ts.forEachChild(n, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

/** True when node sits where the interpreter may skip it: a branch of ?:, or the right side of &&, || or ??. */
function inSkippableOperand(node: ts.Node): boolean {
  let child: ts.Node = node;
  for (let p = node.parent; p && !ts.isFunctionLike(p) && !ts.isBlock(p); child = p, p = p.parent) {
    if (ts.isConditionalExpression(p) && child !== p.condition) return true;
    if (ts.isBinaryExpression(p) && child === p.right) {
      const op = p.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) return true;
    }
  }
  return false;
}

export function subsetProblems(file: string, text: string, kind: 'source' | 'bundle'): SubsetProblem[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind === 'source' ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const problems: SubsetProblem[] = [];
  const add = (node: ts.Node, rule: string) =>
    problems.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, rule });

  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && MISSING_GLOBALS.has(node.text) && !isDeclarationName(node)) {
      add(node, `${node.text} does not exist on Espruino: use arrays or plain objects`);
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
      const missing = MISSING_STATICS[node.expression.text];
      if (missing && missing.includes(node.name.text)) add(node, `${node.expression.text}.${node.name.text} does not exist on Espruino`);
      if (node.name.text === 'prototype' && ts.isPropertyAccessExpression(node.parent)) {
        add(node, `${node.expression.text}.prototype.${node.parent.name.text}: built-ins reached through .prototype fail on Espruino`);
      }
    }
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'toPrecision') add(node, 'toPrecision does not exist on Espruino');
    if (ts.isObjectBindingPattern(node) || ts.isArrayBindingPattern(node)) add(node, 'destructuring is not supported: read the properties one by one');
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      (ts.isArrayLiteralExpression(node.left) || ts.isObjectLiteralExpression(node.left))) {
      add(node, 'destructuring assignment is not supported');
    }
    if (ts.isParameter(node) && node.initializer) add(node, 'default parameters are not supported: test for undefined in the body');
    if (ts.isParameter(node) && node.dotDotDotToken) add(node, 'rest parameters are not supported: pass an array');
    if (ts.isSpreadElement(node) || ts.isSpreadAssignment(node)) add(node, 'spread is not supported: copy with a loop or Object.assign');
    if (ts.isComputedPropertyName(node)) add(node, 'computed property names are not supported');
    if (ts.isLabeledStatement(node)) add(node, 'labels are not supported');
    if (ts.isTaggedTemplateExpression(node)) add(node, 'tagged templates are not supported');
    if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) && node.asteriskToken) {
      add(node, 'generators are not supported');
    }
    if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) add(node, 'async functions are not supported: use callbacks or Promise');
    if (ts.isPrivateIdentifier(node)) add(node, '#private members are not supported: use a name ending in _');
    if (ts.isHeritageClause(node) && node.types.some((t) => t.expression.getText(sf) === 'Error')) add(node, 'extends Error is not supported');
    if (kind === 'bundle') {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken) add(node, '** is not supported natively');
      if ((ts.isPropertyAccessExpression(node) || ts.isCallExpression(node) || ts.isElementAccessExpression(node)) && node.questionDotToken) {
        add(node, '?. is not supported natively');
      }
      if (ts.isPropertyDeclaration(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) add(node, 'static class fields are not supported');
    }
    if (ts.isArrowFunction(node) && usesThis(node) && inSkippableOperand(node)) {
      add(node, 'an arrow function using `this` inside ?:, && or || crashes Espruino 2v29 when skipped: use an if statement');
    }
    if (ts.isForStatement(node) && node.initializer && ts.isVariableDeclarationList(node.initializer) &&
      (node.initializer.flags & ts.NodeFlags.Let) !== 0) {
      const names = node.initializer.declarations.map((d) => d.name.getText(sf));
      const closureUses = (n: ts.Node): boolean =>
        ts.isFunctionLike(n) ? containsIdentifier(n, names) : ts.forEachChild(n, closureUses) === true;
      if (ts.forEachChild(node.statement, closureUses)) {
        add(node, `a closure over the loop variable of for (let ...) sees only its last value on Espruino: copy it into a function parameter`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return problems;
}

function containsIdentifier(node: ts.Node, names: string[]): boolean {
  let found = false;
  const visit = (n: ts.Node) => {
    if (found) return;
    if (ts.isIdentifier(n) && names.includes(n.text)) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

export function formatProblems(problems: SubsetProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}: ${p.rule}`).join('\n');
}
