"""Steady loopback traffic for the live views (top, metrics), run inside a test network namespace.

Keeps flows busy so their conntrack counters grow: --udp N UDP flows to 127.0.0.1 (ports 6000..),
each sending --rate datagrams of --size bytes a second, and --tcp N TCP connections to port 7000
sending as many chunks. Prints "ready" once every flow has sent its first packet, then runs until
stdin closes or SIGTERM. The table needs a ruleset with a ct expression (nft), or nothing is tracked.
"""
import argparse
import select
import signal
import socket
import sys
import threading
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--udp", type=int, default=3)
    parser.add_argument("--tcp", type=int, default=1)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--size", type=int, default=500)
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    sinks = []
    senders = []
    for i in range(args.udp):
        sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sink.bind(("127.0.0.1", 6000 + i))
        sinks.append(sink)
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sender.connect(("127.0.0.1", 6000 + i))
        senders.append(sender)
    if args.tcp > 0:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 7000))
        server.listen(args.tcp)
        for _ in range(args.tcp):
            client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            client.connect(("127.0.0.1", 7000))
            peer, _ = server.accept()
            sinks.append(peer)
            senders.append(client)

    def drain():
        while not stop.is_set():
            ready, _, _ = select.select(sinks, [], [], 0.2)
            for sock in ready:
                try:
                    sock.recv(65536)
                except OSError:
                    pass

    threading.Thread(target=drain, daemon=True).start()
    payload = b"x" * args.size
    for sender in senders:
        sender.send(payload)
    print("ready", flush=True)

    def watch_stdin():
        sys.stdin.read()
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    period = 1.0 / args.rate
    next_at = time.monotonic()
    while not stop.is_set():
        for sender in senders:
            try:
                sender.send(payload)
            except OSError:
                pass
        next_at += period
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)


if __name__ == "__main__":
    main()
