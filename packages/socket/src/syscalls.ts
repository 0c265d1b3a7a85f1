/**
 * The few system calls the socket layer needs, in kernel style: each returns a non-negative
 * result or a negative errno, and never throws for an errno. libc.ts implements it with ffi-rs;
 * a future `node:ffi` binding (or a test double) can implement the same interface.
 *
 * Buffers are passed by reference: the callee reads and writes the caller's memory in place.
 */
export interface Syscalls {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, sockaddr: Uint8Array): number;
  connect(fd: number, sockaddr: Uint8Array): number;
  /** Fills `sockaddr` (12 bytes for sockaddr_nl). */
  getsockname(fd: number, sockaddr: Uint8Array): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): number;
  /** Fills `value`; returns the length the kernel wrote. */
  getsockopt(fd: number, level: number, name: number, value: Uint8Array): number;
  send(fd: number, data: Uint8Array, flags: number): number;
  /** Returns the datagram's real length with MSG_TRUNC, which may exceed `buffer.length`. */
  recv(fd: number, buffer: Uint8Array, flags: number): number;
  /** recvmsg(2) with room for one control message; reports the NETLINK_LISTEN_ALL_NSID source netns id. */
  recvmsg(fd: number, buffer: Uint8Array, flags: number, out: RecvmsgInfo): number;
  /**
   * recvmmsg(2) on a helper thread: up to `batch.slots` datagrams into the batch's buffers in one
   * call, while the JavaScript thread goes on (a dump's kernel work then overlaps the caller's).
   * Resolves to the number received or -errno. Optional: without it, dumps read one datagram at a time.
   */
  recvBatchAsync?(fd: number, batch: ReceiveBatch, flags: number): Promise<number>;
  /** Buffers and message headers for recvBatchAsync, prepared once and reused. */
  createReceiveBatch?(slots: number, slotSize: number): ReceiveBatch;
  /** Waits in a worker thread until one of `fds` is readable or in error. Resolves to the ready count or -errno. */
  pollAsync(fds: readonly number[], timeoutMs: number): Promise<number>;
  /** An eventfd used to wake a pending pollAsync. */
  eventfd(): number;
  /** Attaches a classic BPF program (`sock_filter` instructions, 8 bytes each, host order). */
  attachFilter(fd: number, instructions: Uint8Array): number;
  setns(fd: number, nstype: number): number;
  close(fd: number): number;
}

export interface RecvmsgInfo {
  /** The source network namespace id (from a NETLINK_LISTEN_ALL_NSID control message), or undefined. */
  nsid: number | undefined;
  /** The sender's port id from the source address (0 = the kernel). */
  senderPortId: number;
  /** The multicast group mask from the source address (0 = unicast). */
  groups: number;
}

/** `slots` receive buffers of `slotSize` bytes each, filled by one recvBatchAsync call. */
export interface ReceiveBatch {
  readonly slots: number;
  readonly slotSize: number;
  /** Datagram `i` of the last call: a view of its buffer, `length(i)` bytes long when it fitted. */
  slot(i: number): Uint8Array;
  /** The real length of datagram `i` (with MSG_TRUNC it may exceed slotSize: it was truncated). */
  length(i: number): number;
}
