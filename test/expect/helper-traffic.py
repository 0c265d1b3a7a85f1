"""Makes helper expectations from real packets, with fixed ports so twin namespaces get the same ones.

FTP over IPv4 (PASV answer: data port 50000, client port 40021), FTP over IPv6 (EPSV answer: data
port 50001, client port 41036) and a TFTP read request from port 40069 (the tftp helper expects the
server's answer). The ruleset of expect.test.ts attaches the ftp and tftp helpers. Prints "ready",
then keeps the sockets (and so the masters) until stdin closes or SIGTERM.
"""
import os
import signal
import socket
import sys
import threading


def ftp_session(family, host, client_port, data_port, epsv):
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, 21))
    srv.listen(1)
    answered = threading.Event()

    def serve():
        conn, _ = srv.accept()
        conn.sendall(b"220 ready\r\n")
        for line in conn.makefile("rb"):
            if line.startswith(b"PASV"):
                ip = host.replace(".", ",").encode()
                conn.sendall(b"227 Entering Passive Mode (%s,%d,%d).\r\n" % (ip, data_port >> 8, data_port & 0xFF))
                answered.set()
            elif line.startswith(b"EPSV"):
                conn.sendall(b"229 Entering Extended Passive Mode (|||%d|)\r\n" % data_port)
                answered.set()
            else:
                conn.sendall(b"200 ok\r\n")

    threading.Thread(target=serve, daemon=True).start()
    cli = socket.socket(family, socket.SOCK_STREAM)
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    cli.bind((host, client_port))
    cli.connect((host, 21))
    cli.recv(256)
    cli.sendall(b"EPSV\r\n" if epsv else b"PASV\r\n")
    cli.recv(256)
    answered.wait(2)
    return [srv, cli]


def tftp_request(client_port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(("127.0.0.1", 69))
    cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    cli.bind(("127.0.0.1", client_port))
    cli.sendto(b"\x00\x01file\x00octet\x00", ("127.0.0.1", 69))
    srv.recvfrom(512)
    return [srv, cli]


def main():
    keep = []
    keep += ftp_session(socket.AF_INET, "127.0.0.1", 40021, 50000, epsv=False)
    keep += ftp_session(socket.AF_INET6, "::1", 41036, 50001, epsv=True)
    keep += tftp_request(40069)
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    sys.stdin.read()


main()
