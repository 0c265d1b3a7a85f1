/**
 * conntrackd's flow caches (src/cache.c, src/hash.c, src/cache-ct.c): a hash table of HashSize
 * buckets holding at most HashLimit objects, hashed with jhash2 (initval 0) over the original
 * tuple exactly as 1.4.7 does, new objects first in their bucket. Dumps walk the buckets in order,
 * so `-i`/`-e` list flows in the same order as conntrackd.
 */
import type { NtaAttrs } from "./wire/nta.js";
import { ntaKey } from "./wire/flow.js";
import { parseIPv4, parseIPv6 } from "@tsconntrack/codec";
import type { Queue, QueueNode } from "./queue.js";

/** C_OBJ_* */
export type ObjectStatus = "none" | "new" | "alive" | "dead";

export interface CacheStats {
  active: number;
  objects: number;
  addOk: number;
  addFail: number;
  addFailEnomem: number;
  addFailEnospc: number;
  updOk: number;
  updFail: number;
  updFailEnoent: number;
  delOk: number;
  delFail: number;
  delFailEnoent: number;
  commitOk: number;
  commitFail: number;
  flush: number;
}

export class CacheObject<T> implements QueueNode {
  status: ObjectStatus = "none";
  /** The sync queue (tx or resend) the object waits in. */
  owner?: Queue | undefined;
  /** FTFW: the sequence number it was last sent with. */
  seq = 0;
  /** time() when added (the dump's "active since"). */
  lifetime = 0;
  /** time() of the last add or update (commit estimates the remaining timeout from it). */
  lastUpdate = 0;
  refcnt = 0;
  readonly key: string;
  readonly bucket: number;
  value: T;
  nta: NtaAttrs;
  constructor(key: string, bucket: number, value: T, nta: NtaAttrs) {
    this.key = key;
    this.bucket = bucket;
    this.value = value;
    this.nta = nta;
  }
}

// jhash2 of include/jhash.h (Bob Jenkins' lookup2 as the old kernel had it).
function mix(s: Uint32Array): void {
  let a = s[0]!, b = s[1]!, c = s[2]!;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 13)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 8)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 13)) >>> 0;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 12)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 16)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 5)) >>> 0;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 3)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 10)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 15)) >>> 0;
  s[0] = a; s[1] = b; s[2] = c;
}

export function jhash2(k: ArrayLike<number>, initval: number): number {
  const s = new Uint32Array([0x9e3779b9, 0x9e3779b9, initval]);
  let len = k.length;
  let i = 0;
  while (len >= 3) {
    s[0] = s[0]! + k[i]!;
    s[1] = s[1]! + k[i + 1]!;
    s[2] = s[2]! + k[i + 2]!;
    mix(s);
    i += 3;
    len -= 3;
  }
  s[2] = s[2]! + k.length * 4;
  if (len === 2) s[1] = s[1]! + k[i + 1]!;
  if (len >= 1) s[0] = s[0]! + k[i]!;
  mix(s);
  return s[2]!;
}

/** A network-order u32 as an x86 load sees it (little endian host). */
const loadBe32 = (v: number): number => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
const swap16 = (v: number): number => ((v & 0xff) << 8) | (v >>> 8);

function loadWords(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < 16; i += 4) out.push((bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0);
  return out;
}

/** cache_ct_hash: the bucket of a flow in a table of `hashSize` buckets. */
export function flowBucket(n: NtaAttrs, hashSize: number): number {
  const l4 = n.l4proto ?? 0;
  // nfct_get_attr_u16 of the ports: the stored (network order) value, 0 when not set.
  const ports = n.port ? ((swap16(n.port.sport) << 16) | swap16(n.port.dport)) >>> 0 : 0;
  const zone = n.zone ?? 0;
  let h: number;
  if (n.ipv4) {
    const words = [loadBe32(parseIPv4(n.ipv4.src) ?? 0), loadBe32(parseIPv4(n.ipv4.dst) ?? 0), ((2 << 16) | l4) >>> 0, ports, zone];
    h = jhash2(words, 0);
  } else if (n.ipv6) {
    const words = [
      ...loadWords(parseIPv6(n.ipv6.src) ?? new Uint8Array(16)),
      ...loadWords(parseIPv6(n.ipv6.dst) ?? new Uint8Array(16)),
      ((10 << 16) | l4) >>> 0, ports, zone,
    ];
    h = jhash2(words, 0);
  } else h = 0;
  return scaleHash(h, hashSize);
}

/** (h * size) >> 32 for a u32 hash, exactly, without BigInt: the high and low halves apart. */
export function scaleHash(h: number, size: number): number {
  const n = (h >>> 16) * size + Math.floor(((h & 0xffff) * size) / 65536);
  return Math.floor(n / 65536);
}

export interface CacheOptions {
  name: string;
  hashSize: number;
  hashLimit: number;
  now?: () => number;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export class FlowCache<T> {
  readonly name: string;
  readonly stats: CacheStats = {
    active: 0, objects: 0, addOk: 0, addFail: 0, addFailEnomem: 0, addFailEnospc: 0, updOk: 0, updFail: 0,
    updFailEnoent: 0, delOk: 0, delFail: 0, delFailEnoent: 0, commitOk: 0, commitFail: 0, flush: 0,
  };
  private readonly byKey = new Map<string, CacheObject<T>>();
  /** Buckets in use, each newest first. */
  private readonly buckets = new Map<number, CacheObject<T>[]>();
  private readonly hashSize: number;
  private readonly hashLimit: number;
  private readonly now: () => number;
  /** Called when an object leaves the table (sync modes drop it from their queues). */
  onRemove: ((obj: CacheObject<T>) => void) | undefined;
  /** Called after an add or an update (cache features: ALARM's timers). */
  onTouch: ((obj: CacheObject<T>) => void) | undefined;

  constructor(options: CacheOptions) {
    this.name = options.name;
    this.hashSize = options.hashSize;
    this.hashLimit = options.hashLimit;
    this.now = options.now ?? nowSeconds;
  }

  /** hashtable_counter: objects in the table. */
  get size(): number {
    return this.byKey.size;
  }

  find(nta: NtaAttrs): CacheObject<T> | undefined {
    return this.byKey.get(ntaKey(nta));
  }

  /** cache_object_new + cache_add; undefined when the table is full (ENOSPC). */
  add(value: T, nta: NtaAttrs): CacheObject<T> | undefined {
    const key = ntaKey(nta);
    if (this.byKey.size >= this.hashLimit) {
      this.stats.addFail++;
      this.stats.addFailEnospc++;
      return undefined;
    }
    const obj = new CacheObject(key, flowBucket(nta, this.hashSize), value, nta);
    this.stats.objects++;
    this.byKey.set(key, obj);
    const bucket = this.buckets.get(obj.bucket);
    if (bucket) bucket.unshift(obj);
    else this.buckets.set(obj.bucket, [obj]);
    this.stats.active++;
    this.stats.addOk++;
    obj.lifetime = obj.lastUpdate = this.now();
    obj.status = "new";
    obj.refcnt++;
    this.onTouch?.(obj);
    return obj;
  }

  /** cache_update: replaces the value, the object becomes ALIVE. */
  update(obj: CacheObject<T>, value: T, nta: NtaAttrs): void {
    obj.value = value;
    obj.nta = nta;
    this.stats.updOk++;
    obj.lastUpdate = this.now();
    obj.status = "alive";
    this.onTouch?.(obj);
  }

  /** cache_update_force: update a live object, else (re)create it. */
  updateForce(value: T, nta: NtaAttrs, merge?: (old: T, value: T) => T): CacheObject<T> | undefined {
    const obj = this.find(nta);
    if (obj) {
      if (obj.status !== "dead") {
        const merged = merge ? merge(obj.value, value) : value;
        this.update(obj, merged, nta);
        return obj;
      }
      this.del(obj);
    }
    return this.add(value, nta);
  }

  /** cache_object_set_status(DEAD): counted as deleted, kept while referenced. */
  setDead(obj: CacheObject<T>): void {
    if (obj.status !== "dead") {
      this.stats.delOk++;
      this.stats.active--;
    }
    obj.status = "dead";
  }

  /** cache_object_put. */
  put(obj: CacheObject<T>): void {
    if (--obj.refcnt <= 0) this.del(obj);
  }
  get(obj: CacheObject<T>): void {
    obj.refcnt++;
  }

  /** cache_del + free. */
  del(obj: CacheObject<T>): void {
    if (this.byKey.get(obj.key) !== obj) return;
    if (obj.status !== "dead") {
      this.stats.delOk++;
      this.stats.active--;
    }
    this.byKey.delete(obj.key);
    const bucket = this.buckets.get(obj.bucket);
    if (bucket) {
      const i = bucket.indexOf(obj);
      if (i >= 0) bucket.splice(i, 1);
      if (bucket.length === 0) this.buckets.delete(obj.bucket);
    }
    this.stats.objects--;
    this.onRemove?.(obj);
  }

  /** In hash-table order (buckets ascending, newest first in a bucket). */
  *objects(): Generator<CacheObject<T>> {
    const ids = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const id of ids) for (const obj of [...(this.buckets.get(id) ?? [])]) yield obj;
  }

  flush(): void {
    for (const obj of [...this.byKey.values()]) this.del(obj);
    this.stats.flush++;
  }
}
