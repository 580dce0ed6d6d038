/**
 * Just enough shell lexing to simulate a script without running it: split a line into statements at
 * `;`, `&&`, `||` outside quotes, split a statement into words, and expand `$NAME` / `${NAME}` the way
 * double quotes and bare words do (single quotes stay literal).
 */
export function splitStatements(line: string): string[] {
  const statements: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      current += c;
      if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i]!;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      current += c;
      continue;
    }
    if (c === '\\' && i + 1 < line.length) {
      current += c + line[++i]!;
      continue;
    }
    if (c === '#' && (current === '' || /\s$/.test(current))) break;
    const pair = line.slice(i, i + 2);
    if (c === ';' || pair === '&&' || pair === '||') {
      statements.push(current.trim());
      current = '';
      if (pair === '&&' || pair === '||') i++;
      continue;
    }
    current += c;
  }
  statements.push(current.trim());
  return statements.filter((s) => s !== '');
}

export interface Word {
  text: string;
  /** True when any part of the word was quoted (so `'>'` is not a redirection). */
  quoted: boolean;
}

export function splitWords(statement: string, env: Record<string, string>): Word[] {
  const words: Word[] = [];
  let text = '';
  let quoted = false;
  let inWord = false;
  for (let i = 0; i < statement.length; i++) {
    const c = statement[i]!;
    if (/\s/.test(c)) {
      if (inWord) words.push({ text, quoted });
      text = '';
      quoted = false;
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = statement.indexOf("'", i + 1);
      const stop = end < 0 ? statement.length : end;
      text += statement.slice(i + 1, stop);
      quoted = true;
      i = stop;
    } else if (c === '"') {
      let j = i + 1;
      let inner = '';
      while (j < statement.length && statement[j] !== '"') {
        if (statement[j] === '\\' && j + 1 < statement.length) inner += statement[++j];
        else inner += statement[j];
        j++;
      }
      text += expand(inner, env);
      quoted = true;
      i = j;
    } else if (c === '\\' && i + 1 < statement.length) {
      text += statement[++i];
    } else if (c === '$') {
      const match = new RegExp(`^${PARAMETER.source}`).exec(statement.slice(i));
      if (match) {
        text += parameter(match, env);
        i += match[0].length - 1;
      } else text += c;
    } else text += c;
  }
  if (inWord) words.push({ text, quoted });
  return words;
}

/** `$NAME`, `${NAME}`, `${#NAME}` (its length), `${NAME:-word}`, `${NAME:+word}` (and without the colon). */
const PARAMETER = /\$(?:\{(#?)([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/;

function parameter(match: RegExpExecArray, env: Record<string, string>): string {
  const [, length, braced, operator, word, bare] = match;
  const value = env[braced ?? bare ?? ''];
  if (length) return String((value ?? '').length);
  if (operator) {
    const set = operator.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    if (operator.endsWith('+')) return set ? (word ?? '') : '';
    return set ? value! : (word ?? '');
  }
  return value ?? '';
}

function expand(text: string, env: Record<string, string>): string {
  return text.replace(new RegExp(PARAMETER.source, 'g'), (...m: string[]) =>
    parameter(m as unknown as RegExpExecArray, env),
  );
}
