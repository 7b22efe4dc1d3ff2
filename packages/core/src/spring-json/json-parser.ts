import { MAX_DEPTH } from './java-classes.js';

// JSON.parse cannot tell 1.0 from 1 nor keep integers beyond 2^53 exact, so a small
// strict parser keeps each number's literal.

export type Node =
  | { readonly t: 'str'; readonly v: string; readonly raw: string }
  | { readonly t: 'num'; readonly raw: string; readonly int: boolean }
  | { readonly t: 'lit'; readonly v: boolean | null }
  | { readonly t: 'arr'; readonly items: Node[] }
  | { readonly t: 'obj'; readonly keys: string[]; readonly values: Node[] };

export class MalformedJson extends Error {}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?(?:[eE][+-]?\d+)?/y;

export class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): Node {
    const node = this.value(0);
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.error('unexpected text after the value');
    return node;
  }

  private error(message: string): never {
    throw new MalformedJson(`${message} at offset ${this.pos}`);
  }

  private skipWhitespace(): void {
    const { text } = this;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  private value(depth: number): Node {
    if (depth > MAX_DEPTH) this.error(`nested more than ${MAX_DEPTH} levels`);
    this.skipWhitespace();
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default: {
        NUMBER.lastIndex = this.pos;
        const match = NUMBER.exec(this.text);
        if (match === null)
          this.error(c === undefined ? 'unexpected end of text' : `unexpected ${JSON.stringify(c)}`);
        this.pos += match[0].length;
        return { t: 'num', raw: match[0], int: !/[.eE]/.test(match[0]) };
      }
    }
  }

  private literal(word: string, v: boolean | null): Node {
    if (!this.text.startsWith(word, this.pos)) this.error('unexpected token');
    this.pos += word.length;
    return { t: 'lit', v };
  }

  private string(): { t: 'str'; v: string; raw: string } {
    const start = this.pos;
    this.pos++;
    const { text } = this;
    for (;;) {
      let code = text.charCodeAt(this.pos);
      // Skip the plain characters: anything but a quote, a backslash, a control character or the end.
      while (code >= 0x20 && code !== 0x22 && code !== 0x5c) code = text.charCodeAt(++this.pos);
      const c = text[this.pos];
      if (c === '"') break;
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6)))
            this.error('bad \\u escape');
          this.pos += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          this.pos += 2;
        } else {
          this.error('bad escape');
        }
        continue;
      }
      this.error(c === undefined ? 'unterminated string' : 'control character in string');
    }
    this.pos++;
    const raw = this.text.slice(start, this.pos);
    return { t: 'str', v: raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1), raw };
  }

  private array(depth: number): Node {
    this.pos++;
    const items: Node[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { t: 'arr', items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos++];
      if (c === ']') return { t: 'arr', items };
      if (c !== ',') this.error('expected , or ]');
    }
  }

  private object(depth: number): Node {
    this.pos++;
    const keys: string[] = [];
    const values: Node[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { t: 'obj', keys, values };
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.error('expected a property name');
      keys.push(this.string().v);
      this.skipWhitespace();
      if (this.text[this.pos++] !== ':') this.error('expected :');
      values.push(this.value(depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos++];
      if (c === '}') return { t: 'obj', keys, values };
      if (c !== ',') this.error('expected , or }');
    }
  }
}
