// A set of bigint addresses stored as disjoint, non-adjacent inclusive
// intervals in an AVL tree keyed by interval start.
//
// It holds the free addresses of a pool: adding or removing a single address
// or a range costs O(log n + k) where n is the number of intervals and k the
// intervals merged or split, and "first member >= x" is O(log n). A fresh /64
// is one interval, so nothing is ever enumerated. The allocator takes the
// lowest free address first, which keeps n small in practice: it grows only
// with holes left by deleted Services.
//
// Deliberately not here: ordering across families or pools (the caller keeps
// one set per CIDR), persistence (it is mutable; `clone()` copies).

interface Node {
  lo: bigint;
  hi: bigint;
  left: Node | null;
  right: Node | null;
  height: number;
}

const height = (n: Node | null): number => (n === null ? 0 : n.height);

function update(n: Node): void {
  n.height = 1 + Math.max(height(n.left), height(n.right));
}

function rotateRight(y: Node): Node {
  const x = y.left as Node;
  y.left = x.right;
  x.right = y;
  update(y);
  update(x);
  return x;
}

function rotateLeft(x: Node): Node {
  const y = x.right as Node;
  x.right = y.left;
  y.left = x;
  update(x);
  update(y);
  return y;
}

function rebalance(n: Node): Node {
  update(n);
  const bf = height(n.left) - height(n.right);
  if (bf > 1) {
    const l = n.left as Node;
    if (height(l.left) < height(l.right)) n.left = rotateLeft(l);
    return rotateRight(n);
  }
  if (bf < -1) {
    const r = n.right as Node;
    if (height(r.right) < height(r.left)) n.right = rotateRight(r);
    return rotateLeft(n);
  }
  return n;
}

function insertNode(n: Node | null, lo: bigint, hi: bigint): Node {
  if (n === null) return { lo, hi, left: null, right: null, height: 1 };
  if (lo < n.lo) n.left = insertNode(n.left, lo, hi);
  else n.right = insertNode(n.right, lo, hi);
  return rebalance(n);
}

function removeNode(n: Node | null, lo: bigint): Node | null {
  if (n === null) return null;
  if (lo < n.lo) n.left = removeNode(n.left, lo);
  else if (lo > n.lo) n.right = removeNode(n.right, lo);
  else {
    if (n.left === null) return n.right;
    if (n.right === null) return n.left;
    let succ = n.right;
    while (succ.left !== null) succ = succ.left;
    n.lo = succ.lo;
    n.hi = succ.hi;
    n.right = removeNode(n.right, succ.lo);
  }
  return rebalance(n);
}

/** The interval with the greatest start <= x. */
function floor(n: Node | null, x: bigint): Node | null {
  let best: Node | null = null;
  while (n !== null) {
    if (n.lo <= x) {
      best = n;
      n = n.right;
    } else n = n.left;
  }
  return best;
}

/** The interval with the smallest start >= x. */
function ceil(n: Node | null, x: bigint): Node | null {
  let best: Node | null = null;
  while (n !== null) {
    if (n.lo >= x) {
      best = n;
      n = n.left;
    } else n = n.right;
  }
  return best;
}

function cloneNode(n: Node | null): Node | null {
  return n === null ? null : { lo: n.lo, hi: n.hi, left: cloneNode(n.left), right: cloneNode(n.right), height: n.height };
}

export class IntervalSet {
  #root: Node | null = null;
  #size = 0n;
  #count = 0;

  constructor(intervals: Iterable<readonly [bigint, bigint]> = []) {
    for (const [lo, hi] of intervals) this.add(lo, hi);
  }

  /** Number of addresses in the set. */
  get size(): bigint {
    return this.#size;
  }

  /** Number of disjoint intervals (the tree's node count). */
  get intervalCount(): number {
    return this.#count;
  }

  has(x: bigint): boolean {
    const f = floor(this.#root, x);
    return f !== null && f.hi >= x;
  }

  /** Smallest member >= x, or undefined. */
  firstAtOrAfter(x: bigint): bigint | undefined {
    const f = floor(this.#root, x);
    if (f !== null && f.hi >= x) return x;
    return ceil(this.#root, x)?.lo;
  }

  /** Adds [lo, hi]; returns how many addresses were not already members. */
  add(lo: bigint, hi: bigint = lo): bigint {
    if (hi < lo) throw new RangeError("interval end before start");
    let newLo = lo;
    let newHi = hi;
    let absorbed = 0n;
    const f = floor(this.#root, lo);
    if (f !== null && f.hi + 1n >= lo) {
      newLo = f.lo;
      if (f.hi > newHi) newHi = f.hi;
      absorbed += f.hi - f.lo + 1n;
      this.#remove(f.lo);
    }
    for (let c = ceil(this.#root, lo); c !== null && c.lo <= hi + 1n; c = ceil(this.#root, lo)) {
      if (c.hi > newHi) newHi = c.hi;
      absorbed += c.hi - c.lo + 1n;
      this.#remove(c.lo);
    }
    this.#insert(newLo, newHi);
    const added = newHi - newLo + 1n - absorbed;
    this.#size += added;
    return added;
  }

  /** Removes [lo, hi]; returns how many addresses were members. */
  delete(lo: bigint, hi: bigint = lo): bigint {
    if (hi < lo) throw new RangeError("interval end before start");
    let removed = 0n;
    const f = floor(this.#root, lo);
    if (f !== null && f.hi >= lo) {
      const { lo: flo, hi: fhi } = f;
      this.#remove(flo);
      if (flo < lo) this.#insert(flo, lo - 1n);
      if (fhi > hi) this.#insert(hi + 1n, fhi);
      removed += (fhi < hi ? fhi : hi) - lo + 1n;
    }
    for (let c = ceil(this.#root, lo); c !== null && c.lo <= hi; c = ceil(this.#root, lo)) {
      const { lo: clo, hi: chi } = c;
      this.#remove(clo);
      if (chi > hi) this.#insert(hi + 1n, chi);
      removed += (chi < hi ? chi : hi) - clo + 1n;
    }
    this.#size -= removed;
    return removed;
  }

  /** The intervals in ascending order. */
  *intervals(): Generator<readonly [bigint, bigint]> {
    const stack: Node[] = [];
    let n = this.#root;
    while (n !== null || stack.length > 0) {
      while (n !== null) {
        stack.push(n);
        n = n.left;
      }
      const top = stack.pop() as Node;
      yield [top.lo, top.hi];
      n = top.right;
    }
  }

  clone(): IntervalSet {
    const copy = new IntervalSet();
    copy.#root = cloneNode(this.#root);
    copy.#size = this.#size;
    copy.#count = this.#count;
    return copy;
  }

  /** Tree height, exposed for the balance property test. */
  get height(): number {
    return height(this.#root);
  }

  #insert(lo: bigint, hi: bigint): void {
    this.#root = insertNode(this.#root, lo, hi);
    this.#count++;
  }

  #remove(lo: bigint): void {
    this.#root = removeNode(this.#root, lo);
    this.#count--;
  }
}
