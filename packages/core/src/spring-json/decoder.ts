// Typed JSON nodes to JavaScript values: `@class` hints moved to JAVA_CLASS, number literals kept
// where JavaScript would lose them, so an unchanged value is written back with the same Java types.
import { SessionSerializationError } from '../errors.js';
import { numberLiteral } from './encoder.js';
import {
  CLASS_NAME,
  isSetClass,
  kindOf,
  type ScalarHint,
  scalarHints,
  setJavaClass,
  TYPE_PROPERTY,
  WRAPPER_CLASS_NAME,
} from './java-classes.js';
import type { Node } from './json-parser.js';

/** Sets a decoded property; `__proto__` becomes an own property, never the object's prototype. */
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** A number literal as JavaScript: integers beyond 2^53 as bigint (Jackson reads Long/BigInteger). */
function numberValue(node: { raw: string; int: boolean }): number | bigint {
  if (!node.int) return Number(node.raw);
  const n = Number(node.raw);
  if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
  return BigInt(node.raw);
}

interface Decoded {
  value: unknown;
  hint?: ScalarHint;
}

export class Decoder {
  /** Set for a root Java wrote with type information: untyped nested containers are then remembered. */
  private typedRoot = false;

  constructor(private readonly attributeName: string) {}

  private malformed(message: string): never {
    throw new SessionSerializationError(this.attributeName, `stored value is not Spring JSON: ${message}`);
  }

  decodeRoot(node: Node): unknown {
    this.typedRoot =
      (node.t === 'obj' && node.keys.includes(TYPE_PROPERTY)) ||
      (node.t === 'arr' && this.wrapperClass(node) !== undefined);
    return this.decode(node, 0).value;
  }

  private wrapperClass(node: { items: Node[] }): string | undefined {
    if (node.items.length !== 2) return undefined;
    const [first, payload] = node.items as [Node, Node];
    if (first.t !== 'str' || !WRAPPER_CLASS_NAME.test(first.v)) return undefined;
    return payload.t === 'lit' && payload.v === null ? undefined : first.v;
  }

  private decode(node: Node, depth: number): Decoded {
    switch (node.t) {
      case 'str':
        return { value: node.v };
      case 'lit':
        return { value: node.v };
      case 'num': {
        const value = numberValue(node);
        const same = typeof value === 'number' && numberLiteral(value) === node.raw;
        return same ? { value } : { value, hint: { javaClass: null, raw: node.raw, value } };
      }
      case 'obj':
        return { value: this.decodeObject(node, depth, undefined) };
      case 'arr': {
        const javaClass = this.wrapperClass(node);
        if (javaClass === undefined) return { value: this.decodeList(node.items, depth, undefined) };
        return this.decodeWrapper(javaClass, node.items[1] as Node, depth);
      }
    }
  }

  private decodeWrapper(javaClass: string, payload: Node, depth: number): Decoded {
    const kind = kindOf(javaClass);
    switch (payload.t) {
      case 'arr':
        if (kind === 'map' || kind === 'date' || kind === 'scalar') {
          this.malformed(`${javaClass} holds an array`);
        }
        return {
          value: isSetClass(javaClass)
            ? this.decodeSet(payload.items, depth, javaClass)
            : this.decodeList(payload.items, depth, javaClass),
        };
      case 'obj':
        // Jackson also reads a bean in wrapper-array form; it is written back in property form.
        return { value: this.decodeObject(payload, depth, javaClass) };
      default: {
        if (kind === 'map' || kind === 'list' || kind === 'set' || kind === 'array') {
          this.malformed(`${javaClass} holds a scalar`);
        }
        if (kind === 'date') return { value: this.decodeDate(javaClass, payload) };
        const value =
          payload.t === 'num' ? numberValue(payload) : payload.t === 'str' ? payload.v : payload.v;
        const raw = payload.t === 'lit' ? String(payload.v) : payload.raw;
        return { value, hint: { javaClass, raw, value } };
      }
    }
  }

  private decodeDate(javaClass: string, payload: Node): Date {
    let time = Number.NaN;
    if (payload.t === 'num' && payload.int) time = Number(payload.raw);
    else if (payload.t === 'str') time = Date.parse(payload.v);
    const date = new Date(time);
    if (Number.isNaN(date.getTime()))
      this.malformed(
        `${javaClass} holds ${payload.t === 'str' ? payload.raw : 'no epoch milliseconds in range'}`,
      );
    setJavaClass(date, javaClass);
    return date;
  }

  /** `javaClass` undefined: an array without type information (see {@link Decoder.mark}). */
  private decodeList(items: Node[], depth: number, javaClass: string | undefined): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < items.length; i++) {
      const { value, hint } = this.decode(items[i] as Node, depth + 1);
      out.push(value);
      if (hint !== undefined) this.remember(out, i, hint);
    }
    this.mark(out, javaClass, depth);
    return out;
  }

  private decodeSet(items: Node[], depth: number, javaClass: string): Set<unknown> {
    const out = new Set<unknown>();
    for (const item of items) {
      const { value, hint } = this.decode(item, depth + 1);
      out.add(value);
      if (hint !== undefined) this.remember(out, value, hint);
    }
    setJavaClass(out, javaClass);
    return out;
  }

  private decodeObject(
    node: { keys: string[]; values: Node[] },
    depth: number,
    wrapperClass: string | undefined,
  ) {
    const out: Record<string, unknown> = {};
    let javaClass = wrapperClass;
    let typeSeen = false;
    for (let i = 0; i < node.keys.length; i++) {
      const key = node.keys[i] as string;
      const valueNode = node.values[i] as Node;
      if (key === TYPE_PROPERTY && !typeSeen) {
        // Jackson takes the first "@class" as the type id.
        if (valueNode.t !== 'str' || !CLASS_NAME.test(valueNode.v))
          this.malformed(`"@class" is not a class name`);
        const kind = kindOf(valueNode.v);
        if (kind !== 'map' && kind !== 'unknown') this.malformed(`${valueNode.v} is written as an object`);
        javaClass = valueNode.v;
        typeSeen = true;
        continue;
      }
      const { value, hint } = this.decode(valueNode, depth + 1);
      assign(out, key, value);
      if (hint !== undefined) this.remember(out, key, hint);
    }
    this.mark(out, javaClass, depth);
    return out;
  }

  /**
   * Records a container's class. A container without type information inside a typed root is one
   * Java wrote untyped on purpose (its field's declared type): it stays untyped (`null`). At the
   * root, or anywhere in an untyped document (old plain JSON), it is left unmarked, so the next
   * write adds the type information Java needs.
   */
  private mark(target: object, javaClass: string | undefined, depth: number): void {
    if (javaClass !== undefined) setJavaClass(target, javaClass);
    else if (depth > 0 && this.typedRoot) setJavaClass(target, null);
  }

  private remember(container: object, key: unknown, hint: ScalarHint): void {
    let hints = scalarHints.get(container);
    if (hints === undefined) {
      hints = new Map();
      scalarHints.set(container, hints);
    }
    hints.set(key, hint);
  }
}
