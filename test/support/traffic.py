"""Real loopback traffic for conntrack tests, run inside a test network namespace.

Makes connections whose conntrack entries come from packets (not `conntrack -I`):
tcp (one kept ESTABLISHED, one closed -> TIME_WAIT) over IPv4 and IPv6, replied udp,
unreplied udp to port 5001 (the test ruleset labels it), icmp and icmpv6 echo, and
with --ftp an FTP control connection whose PASV answer makes the ftp helper create an
expectation (--ftp-sport N fixes the client's source port, so the master tuple is the
same on every run), and with --ftp6 an IPv6 FTP session whose EPSV answer does the same. Prints "ready" once everything is in place, then keeps the open sockets
(and so the ESTABLISHED entries and the expectation) until stdin closes or SIGTERM. "ready" comes only
after every TCP segment has been acknowledged, so the table no longer changes (but for its timers).
"""
import os
import select
import signal
import socket
import struct
import sys
import threading
import time

FTP_DATA_PORT = 50000


def tcp_pair(family, host, port, close):
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(4)
    cli = socket.socket(family, socket.SOCK_STREAM)
    cli.connect((host, port))
    peer, _ = srv.accept()
    cli.sendall(b"hello")
    peer.recv(16)
    peer.sendall(b"world")
    cli.recv(16)
    if close:
        cli.close()
        peer.recv(16)  # sees the FIN
        peer.close()
        srv.close()
        return []
    return [srv, cli, peer]


def udp_exchange(family, host, port, reply):
    srv = socket.socket(family, socket.SOCK_DGRAM)
    srv.bind((host, port))
    cli = socket.socket(family, socket.SOCK_DGRAM)
    cli.sendto(b"ping", (host, port))
    data, addr = srv.recvfrom(16)
    if reply:
        srv.sendto(b"pong", addr)
        cli.recvfrom(16)
    return [srv, cli]


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def icmp_echo(ident):
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    header = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    payload = b"fx-icmp"
    packet = struct.pack("!BBHHH", 8, 0, checksum(header + payload), ident, 1) + payload
    sock.sendto(packet, ("127.0.0.1", 0))
    sock.settimeout(2)
    sock.recv(128)
    return [sock]


def icmpv6_echo(ident):
    sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    # The kernel fills in the ICMPv6 checksum for raw ICMPv6 sockets.
    packet = struct.pack("!BBHHH", 128, 0, 0, ident, 1) + b"fx-icmp6"
    sock.sendto(packet, ("::1", 0))
    sock.settimeout(2)
    sock.recv(128)
    return [sock]


def ftp_session(family=socket.AF_INET, host="127.0.0.1", client_port=0, epsv=False):
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, 21))
    srv.listen(1)
    answered = threading.Event()
    command = b"EPSV" if epsv else b"PASV"
    accepted = []

    def serve():
        conn, _ = srv.accept()
        accepted.append(conn)
        conn.sendall(b"220 fx ready\r\n")
        while True:
            line = conn.recv(256)
            if not line:
                break
            if line.startswith(b"PASV"):
                hi, lo = FTP_DATA_PORT >> 8, FTP_DATA_PORT & 0xFF
                conn.sendall(b"227 Entering Passive Mode (127,0,0,1,%d,%d).\r\n" % (hi, lo))
                answered.set()
            elif line.startswith(b"EPSV"):
                conn.sendall(b"229 Entering Extended Passive Mode (|||%d|)\r\n" % FTP_DATA_PORT)
                answered.set()
            else:
                conn.sendall(b"200 ok\r\n")
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    cli = socket.socket(family, socket.SOCK_STREAM)
    if client_port:
        cli.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        cli.bind((host, client_port))
    cli.connect((host, 21))
    cli.recv(256)
    cli.sendall(b"USER fx\r\n")
    cli.recv(256)
    cli.sendall(command + b"\r\n")
    cli.recv(256)
    answered.wait(2)
    return [srv, cli] + accepted


TCP_LISTEN = 10


def wait_until_acked(socks, timeout=5.0):
    """Returns once every connected TCP socket's data has been acknowledged (tcpi_unacked == 0).

    A delayed ACK still in flight changes the entry's packet counter and, for TCP, its timeout (the
    kernel uses the 300 s unacknowledged timeout until the ACK passes), so readers of the table must
    not start before the last ACK went through conntrack.
    """
    deadline = time.monotonic() + timeout
    for sock in socks:
        if sock.type != socket.SOCK_STREAM:
            continue
        while True:
            info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 32)
            state, unacked = info[0], struct.unpack_from("I", info, 24)[0]
            if state == TCP_LISTEN or unacked == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.005)


def option_value(name):
    if name in sys.argv:
        return int(sys.argv[sys.argv.index(name) + 1])
    return 0


def main():
    keep = []
    keep += tcp_pair(socket.AF_INET, "127.0.0.1", 8080, close=False)
    keep += tcp_pair(socket.AF_INET, "127.0.0.1", 8081, close=True)
    keep += tcp_pair(socket.AF_INET6, "::1", 8082, close=False)
    keep += udp_exchange(socket.AF_INET, "127.0.0.1", 5353, reply=True)
    keep += udp_exchange(socket.AF_INET, "127.0.0.1", 5001, reply=False)
    keep += udp_exchange(socket.AF_INET6, "::1", 5354, reply=True)
    keep += icmp_echo(4242)
    keep += icmpv6_echo(4343)
    if "--ftp" in sys.argv:
        keep += ftp_session(client_port=option_value("--ftp-sport"))
    if "--ftp6" in sys.argv:
        keep += ftp_session(socket.AF_INET6, "::1", option_value("--ftp6-sport"), epsv=True)
    wait_until_acked(keep)
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        readable, _, _ = select.select([sys.stdin], [], [])
        if readable and not sys.stdin.buffer.read1(4096):
            break


if __name__ == "__main__":
    main()
