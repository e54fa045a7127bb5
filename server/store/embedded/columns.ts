// Growable typed-array columns and a dictionary of repeated strings: the compact parts of the
// in-memory indexes (a few bytes per record instead of an object each).

type TypedArray = Float64Array | Uint32Array | Uint16Array | Uint8Array;

/** A column of numbers that grows by doubling; `data` may be replaced as it grows, so read it afresh. */
export class Column<A extends TypedArray> {
  data: A;
  length = 0;

  constructor(private readonly make: (capacity: number) => A) {
    this.data = make(1024);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** Gives back the room beyond what is used (after a build), keeping a little for what follows. */
  trim(room = 1024): void {
    if (this.data.length <= this.length + room) return;
    const exact = this.make(this.length + room);
    exact.set(this.data.subarray(0, this.length));
    this.data = exact;
  }

  /** Bytes held (for the health of the index). */
  get bytes(): number {
    return this.data.byteLength;
  }
}

export const float64Column = () => new Column((n) => new Float64Array(n));
export const uint32Column = () => new Column((n) => new Uint32Array(n));
export const uint16Column = () => new Column((n) => new Uint16Array(n));
export const uint8Column = () => new Column((n) => new Uint8Array(n));

/** Each distinct string once, numbered from 1 in the order first seen (0 stands for none). */
export class Dictionary {
  readonly #ids = new Map<string, number>();
  /** `values[id - 1]` is the string numbered `id`. */
  readonly values: string[] = [];

  idOf(value: string): number {
    let id = this.#ids.get(value);
    if (id === undefined) {
      this.values.push(value);
      id = this.values.length;
      this.#ids.set(value, id);
    }
    return id;
  }

  find(value: string): number | undefined {
    return this.#ids.get(value);
  }

  /** Which ids' strings pass `test`: a table indexed by id (index 0, none, never passes). */
  matching(test: (value: string) => boolean): Uint8Array {
    const table = new Uint8Array(this.values.length + 1);
    this.values.forEach((value, i) => {
      if (test(value)) table[i + 1] = 1;
    });
    return table;
  }
}

/** 32-bit FNV-1a of a string's UTF-16 units, never 0 (0 stands for none). */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0 || 1;
}
