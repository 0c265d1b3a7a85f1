/**
 * conntrackd's queues (src/queue.c): FIFO lists of nodes, each node in at most one queue, with a
 * maximum length and an ENOSPC counter. Nodes are cache objects (a flow to send) or control
 * messages. A JavaScript Map keeps insertion order and deletes in O(1).
 */

export interface QueueNode {
  /** The queue the node is in, if any (queue_in). */
  owner?: Queue | undefined;
}

export class Queue {
  private readonly nodes = new Set<QueueNode>();
  enospc = 0;
  readonly name: string;
  readonly max: number;
  private readonly onAdd: (() => void) | undefined;
  constructor(name: string, max: number, onAdd?: () => void) {
    this.name = name;
    this.max = max;
    this.onAdd = onAdd;
  }

  get length(): number {
    return this.nodes.size;
  }

  /** 1 when added, 0 when the node is already in a queue, -1 when full (counted). */
  add(node: QueueNode): 1 | 0 | -1 {
    if (node.owner !== undefined) return 0;
    if (this.nodes.size >= this.max) {
      this.enospc++;
      return -1;
    }
    node.owner = this;
    this.nodes.add(node);
    this.onAdd?.();
    return 1;
  }

  del(node: QueueNode): boolean {
    if (node.owner !== this) return false;
    this.nodes.delete(node);
    node.owner = undefined;
    return true;
  }

  /** The oldest node, removed. */
  delHead(): QueueNode | undefined {
    const first = this.nodes.values().next();
    if (first.done) return undefined;
    this.del(first.value);
    return first.value;
  }

  /**
   * Visits the nodes in order; the visitor may delete the current node (a Set's iterator allows
   * that, and visits nodes added meanwhile too); `true` stops. No copy: the resend queue can hold
   * every flow, and each ACK visits only its front.
   */
  iterate(visit: (node: QueueNode) => boolean | void): void {
    for (const node of this.nodes) {
      if (node.owner !== this) continue;
      if (visit(node) === true) return;
    }
  }
}

/** A control message waiting in a queue (queue_object of type Q_ELEM_CTL). */
export class CtlNode implements QueueNode {
  owner?: Queue | undefined;
  /** Set when sent (the resend queue dump prints it). */
  seq = 0;
  flags: number;
  readonly from: number;
  readonly to: number;
  constructor(flags: number, from = 0, to = 0) {
    this.flags = flags;
    this.from = from;
    this.to = to;
    CtlNode.allocated++;
  }
  /** qobjects_num: control nodes alive (`-s queue` prints it). */
  static allocated = 0;
  free(): void {
    CtlNode.allocated--;
  }
}
