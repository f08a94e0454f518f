/** A unit id's 64-bit hash as two int32s (see UnitIndex). */
export interface UnitKey {
  h1: number
  h2: number
}

/**
 * Fills `into` with the id's hash: FNV-1a from a salted offset basis and a multiply-xorshift in
 * the style of MurmurHash2, in one pass over the UTF-16 code units, each through murmur3's
 * finaliser. Returns `into`.
 */
export function hashUnit(id: string, into: UnitKey): UnitKey {
  let a = 0x811c9dc5 ^ 0x5bd1e995
  let b = 0x9747b28c
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
    b ^= b >>> 15
  }
  into.h1 = fmix32(a)
  into.h2 = fmix32(b ^ id.length)
  return into
}

/**
 * The A/A half of a unit: the low bit of its first hash. That FNV-1a is salted (and finalised) so
 * that the halves are independent of a flag service that assigns the arms by plain FNV-1a of the
 * same id, as examples/generate-traffic.ts does.
 */
export function unitHalf(key: UnitKey): 0 | 1 {
  return (key.h1 & 1) as 0 | 1
}

/**
 * Unit -> slot, keyed by a 64-bit hash of the unit id (hashUnit) in an open-addressing table of
 * int32s (linear probing; Knuth, TAOCP vol. 3, 6.4). The parallel file reader hashes ids in its
 * workers, so ids never cross threads and this thread only probes.
 *
 * It replaces a null-prototype object keyed by the id, which kept every id string (about 40 bytes)
 * plus a 24-byte dictionary entry at load 1/2 per unit: 20 MB for 200,000 users, against 12 bytes
 * per entry here at load 3/4 at most. Two distinct ids share a 64-bit hash with probability about
 * n^2 / 2^65 (3e-8 for a million units); such a pair would be counted as one user, which moves no
 * interval measurably. Hashing a short id costs about what the dictionary's own string hash did.
 */
export class UnitIndex {
  private lo: Int32Array
  private hi: Int32Array
  /** slot + 1; 0 marks an empty entry. */
  private slots: Int32Array
  private bits: number
  size = 0
  /** The entry find() stopped at: where insert() puts the id it looked for. */
  private at = 0
  private h1 = 0
  private h2 = 0

  constructor(initialBits = 12) {
    this.bits = initialBits
    this.lo = new Int32Array(1 << initialBits)
    this.hi = new Int32Array(1 << initialBits)
    this.slots = new Int32Array(1 << initialBits)
  }

  /** The unit's slot, or -1 when it is new (then insert() adds it). */
  find(key: UnitKey): number {
    const { h1, h2 } = key
    this.h1 = h1
    this.h2 = h2
    const mask = this.slots.length - 1
    for (let i = h1 >>> (32 - this.bits); ; i = (i + 1) & mask) {
      const slot = this.slots[i] as number
      if (slot === 0) {
        this.at = i
        return -1
      }
      if (this.lo[i] === h1 && this.hi[i] === h2) return slot - 1
    }
  }

  /** Calls `visit` with each unit's hash and slot, in table order. */
  forEach(visit: (key: UnitKey, slot: number) => void): void {
    const key: UnitKey = { h1: 0, h2: 0 }
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i] as number
      if (slot === 0) continue
      key.h1 = this.lo[i] as number
      key.h2 = this.hi[i] as number
      visit(key, slot - 1)
    }
  }

  /** Forgets every unit (the builder's finish()). */
  release(): void {
    this.bits = 4
    this.lo = new Int32Array(16)
    this.hi = new Int32Array(16)
    this.slots = new Int32Array(16)
    this.size = 0
  }

  /** Adds the unit the last find() did not find. */
  insert(slot: number): void {
    if (4 * (this.size + 1) > 3 * this.slots.length) {
      this.grow()
      this.at = this.free(this.h1)
    }
    this.lo[this.at] = this.h1
    this.hi[this.at] = this.h2
    this.slots[this.at] = slot + 1
    this.size++
  }

  private free(h1: number): number {
    const mask = this.slots.length - 1
    let i = h1 >>> (32 - this.bits)
    while (this.slots[i] !== 0) i = (i + 1) & mask
    return i
  }

  private grow(): void {
    const { lo, hi, slots } = this
    this.bits++
    this.lo = new Int32Array(1 << this.bits)
    this.hi = new Int32Array(1 << this.bits)
    this.slots = new Int32Array(1 << this.bits)
    for (let j = 0; j < slots.length; j++) {
      if (slots[j] === 0) continue
      const i = this.free(lo[j] as number)
      this.lo[i] = lo[j] as number
      this.hi[i] = hi[j] as number
      this.slots[i] = slots[j] as number
    }
  }
}

/** murmur3's 32-bit finaliser: every input bit affects every output bit (as a signed int32). */
export function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}
