/**
 * A small JQL subset, enough to search issues by the entity property fields an app declares in
 * `jiraEntityProperties` (by alias or as `issue.property[key].path`), plus `project` and `key`:
 *   clause  := field op value | field IS [NOT] EMPTY | field [NOT] IN (v, …)
 *   op      := = != < <= > >= ~ !~
 *   query   := clause, combined with AND / OR / NOT and parentheses; ORDER BY is accepted
 * A value is a literal (number, "quoted" or bare word) as in Jira: JQL never compares two
 * fields, so `checklistDone < checklistTotal` is an error here as it is in Jira (the value is not
 * a number). https://support.atlassian.com/jira-software-cloud/docs/use-advanced-search-with-jira-query-language-jql/
 */

export type FieldType = 'number' | 'string' | 'text' | 'date' | 'user';

export interface JqlField {
  type: FieldType;
  /** The issue's value for the field; undefined when it has none (property or path absent). */
  get(issue: JqlIssue): unknown;
}

export interface JqlIssue {
  id: string;
  key: string;
  projectKey: string;
  projectId: string;
  /** propertyKey → value */
  properties: Record<string, unknown>;
}

export class JqlError extends Error {
  override name = 'JqlError';
}

type Token = { t: 'word' | 'str' | 'num' | 'op' | '(' | ')' | ','; v: string };

const OPS = ['!=', '<=', '>=', '!~', '=', '<', '>', '~'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, v: c });
      i++;
    } else if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new JqlError(`Unterminated string at position ${i}`);
      out.push({ t: 'str', v: src.slice(i + 1, end) });
      i = end + 1;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (op) {
        out.push({ t: 'op', v: op });
        i += op.length;
        continue;
      }
      // Words include issue.property[key].path (brackets hold the key).
      const m = /^(?:issue\.property\[[^\]]+\](?:\.[A-Za-z0-9_.-]+)?|[A-Za-z0-9_.\-:@]+)/i.exec(src.slice(i));
      if (!m) throw new JqlError(`Unexpected character '${c}' at position ${i}`);
      out.push({ t: /^-?\d+(\.\d+)?$/.test(m[0]) ? 'num' : 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

type Pred = (issue: JqlIssue) => boolean;

export interface CompiledJql {
  matches: Pred;
  orderBy?: { field: string; desc: boolean };
}

/** Parses `jql` against the known fields (by lower-case name). Throws JqlError like Jira's 400. */
export function compileJql(jql: string, fields: (name: string) => JqlField | undefined): CompiledJql {
  const toks = tokenize(jql);
  let p = 0;
  const peek = () => toks[p];
  const kw = (w: string) => peek()?.t === 'word' && peek()!.v.toUpperCase() === w;
  const expect = (t: Token['t'], what: string) => {
    const tok = toks[p++];
    if (!tok || tok.t !== t) throw new JqlError(`Expected ${what}${tok ? ` but found '${tok.v}'` : ' at the end'}`);
    return tok;
  };

  const value = (field: string, f: JqlField): unknown => {
    const tok = toks[p++];
    if (!tok || !['word', 'str', 'num'].includes(tok.t)) throw new JqlError(`Expected a value for field '${field}'`);
    if (f.type === 'number') {
      if (tok.t === 'word' || !Number.isFinite(Number(tok.v))) throw new JqlError(`The value '${tok.v}' is not a valid number for the field '${field}'.`);
      return Number(tok.v);
    }
    if (f.type === 'date') {
      const t = Date.parse(tok.v);
      if (!Number.isFinite(t)) throw new JqlError(`Date value '${tok.v}' for field '${field}' is invalid.`);
      return t;
    }
    return tok.v;
  };

  const compare = (f: JqlField, op: string, want: unknown): Pred => (issue) => {
    let have = f.get(issue);
    if (have === undefined || have === null) return false;
    if (f.type === 'number') {
      if (typeof have !== 'number') return false;
    } else if (f.type === 'date') {
      have = Date.parse(String(have));
      if (!Number.isFinite(have as number)) return false;
    } else {
      have = String(have);
    }
    const a = have as number | string;
    const b = want as number | string;
    switch (op) {
      case '=':
        return typeof a === 'string' ? a.toLowerCase() === String(b).toLowerCase() : a === b;
      case '!=':
        return typeof a === 'string' ? a.toLowerCase() !== String(b).toLowerCase() : a !== b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
      case '~':
        return String(a).toLowerCase().includes(String(b).toLowerCase());
      case '!~':
        return !String(a).toLowerCase().includes(String(b).toLowerCase());
      default:
        throw new JqlError(`Unknown operator ${op}`);
    }
  };

  const clause = (): Pred => {
    const name = expect('word', 'a field name').v;
    const f = fields(name.toLowerCase());
    if (!f) throw new JqlError(`Field '${name}' does not exist or you do not have permission to view it.`);
    if (kw('IS')) {
      p++;
      const not = kw('NOT') ? (p++, true) : false;
      if (!kw('EMPTY') && !kw('NULL')) throw new JqlError(`Expected EMPTY after IS for field '${name}'`);
      p++;
      return (issue) => (f.get(issue) === undefined || f.get(issue) === null) !== not;
    }
    const notIn = kw('NOT') ? (p++, true) : false;
    if (kw('IN')) {
      p++;
      expect('(', "'('");
      const wanted = [value(name, f)];
      while (peek()?.t === ',') {
        p++;
        wanted.push(value(name, f));
      }
      expect(')', "')'");
      const preds = wanted.map((w) => compare(f, '=', w));
      return (issue) => preds.some((q) => q(issue)) !== notIn;
    }
    if (notIn) throw new JqlError(`Expected IN after NOT for field '${name}'`);
    const op = expect('op', `an operator after '${name}'`).v;
    if ((op === '~' || op === '!~') && f.type !== 'text') throw new JqlError(`The operator '${op}' is not supported by the '${name}' field.`);
    if (['<', '<=', '>', '>='].includes(op) && (f.type === 'string' || f.type === 'text' || f.type === 'user')) {
      throw new JqlError(`The operator '${op}' is not supported by the '${name}' field.`);
    }
    return compare(f, op, value(name, f));
  };

  const unary = (): Pred => {
    if (kw('NOT')) {
      p++;
      const inner = unary();
      return (i) => !inner(i);
    }
    if (peek()?.t === '(') {
      p++;
      const inner = or();
      expect(')', "')'");
      return inner;
    }
    return clause();
  };
  const and = (): Pred => {
    const parts = [unary()];
    while (kw('AND')) {
      p++;
      parts.push(unary());
    }
    return (i) => parts.every((q) => q(i));
  };
  const or = (): Pred => {
    const parts = [and()];
    while (kw('OR')) {
      p++;
      parts.push(and());
    }
    return (i) => parts.some((q) => q(i));
  };

  const matches: Pred = toks.length === 0 || kw('ORDER') ? () => true : or();
  let orderBy: CompiledJql['orderBy'];
  if (kw('ORDER')) {
    p++;
    if (!kw('BY')) throw new JqlError("Expected 'BY' after 'ORDER'");
    p++;
    const field = expect('word', 'a field to order by').v.toLowerCase();
    const desc = kw('DESC') ? (p++, true) : kw('ASC') ? (p++, false) : false;
    orderBy = { field, desc };
  }
  if (p < toks.length) throw new JqlError(`Unexpected '${toks[p]!.v}'`);
  return { matches, orderBy };
}
