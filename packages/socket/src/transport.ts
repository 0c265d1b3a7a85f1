/** One datagram as received, with what the socket knows about where it came from. */
export interface Datagram {
  bytes: Uint8Array;
  /** Source network namespace id (only with NETLINK_LISTEN_ALL_NSID, for events from a peer netns). */
  nsid?: number;
  /** When it was received, where the transport knows better than the clock (a replay: the capture's time). */
  receivedAt?: { seconds: number; nanoseconds: number };
}

/**
 * A datagram pipe to a netlink peer. `LiveTransport` talks to the kernel; `ReplayTransport`
 * answers from a capture; `RecordingTransport` wraps another and keeps every datagram.
 *
 * Errors (ENOBUFS, EPERM, …) are thrown as `NetlinkSocketError`. End of stream (a closed
 * transport or an exhausted capture) is `null`.
 */
export interface Transport {
  /** Netlink protocol number (12 = NETLINK_NETFILTER). */
  readonly protocol: number;
  /** Our port id (nl_pid); replies to our requests carry it. */
  readonly portId: number;
  /** The receive buffer size the kernel granted (SO_RCVBUF as read back), 0 when not applicable. */
  readonly receiveBufferSize: number;
  /** The send buffer size (SO_SNDBUF as read back); requests sent at once must fit in it. */
  readonly sendBufferSize: number;
  /** Sends one datagram (one or more netlink messages). */
  send(datagram: Uint8Array): void;
  /**
   * Blocks until a datagram arrives. The bytes may be a view into a buffer the transport reuses:
   * valid only until the next receive call. Copy to keep.
   */
  receiveSync(): Datagram | null;
  /** Waits without blocking the event loop. The bytes are the caller's own (never reused). */
  receive(): Promise<Datagram | null>;
  /**
   * Optional, for dumps: waits for one or more datagrams received together on a helper thread,
   * so that the caller can process one batch while the next is received. The views of a batch
   * stay valid until the second call after the one that returned them (two batches alternate).
   * Never call it again once the peer has nothing more to send: it would wait for ever.
   */
  receiveBatch?(): Promise<readonly Uint8Array[] | null>;
  /**
   * Asks for a receive buffer of `bytes` (SO_RCVBUFFORCE, falling back to SO_RCVBUF), clamped to
   * 0..INT_MAX as the kernel clamps its int; returns the size granted.
   */
  setReceiveBufferSize(bytes: number): number;
  joinGroup(group: number): void;
  leaveGroup(group: number): void;
  close(): void;
}
