/*
 * nlcap: LD_PRELOAD shim that records every datagram a process sends to or
 * receives from an AF_NETLINK socket, exactly as the process saw it, as a
 * pcap file with LINKTYPE_NETLINK (253).
 *
 * Record layout: 16-byte Linux cooked (SLL) header + the datagram.
 *   pkttype  u16 BE  4 = sent by the traced process, 0 = received by it
 *   hatype   u16 BE  824 (ARPHRD_NETLINK)
 *   halen    u16 BE  0
 *   addr     8 bytes 0
 *   protocol u16 BE  netlink protocol of the socket (12 = NETLINK_NETFILTER)
 *
 * A text side log (one line per call, also MSG_PEEK reads and failed calls)
 * tells which socket each record belongs to, the recv buffer size, flags and
 * the multicast group in msg_name.
 *
 * A receive that fails with ENOBUFS (the socket overran and the kernel dropped
 * messages) is recorded as one received datagram holding a single
 * NLMSG_OVERRUN message (nlmsg_len 20, type 4, flags/seq/pid 0) whose payload
 * is the int -ENOBUFS, in host order: the same marker @tsconntrack/socket's
 * recording transport writes, so a replay raises ENOBUFS at the same point.
 * The kernel never sends NLMSG_OVERRUN, so the marker is unambiguous.
 *
 * Environment:
 *   NLCAP_PCAP=path   pcap output (required, else the shim is inert)
 *   NLCAP_LOG=path    side log (optional)
 *   NLCAP_TIME=secs   pin time() to this value (delta-time, nlmsg_seq)
 *   NLCAP_TIMEOFDAY=secs.usecs  pin gettimeofday() to this value (the -o timestamp
 *                     prefix of events and expectation dumps); the pcap record
 *                     timestamps keep the real clock
 *   NLCAP_LABELMAP=path  read this file where the tool opens
 *                     /etc/xtables/connlabel.conf (no system file is touched)
 *   NLCAP_HIDE=path   fopen() of exactly this path fails with ENOENT (used with
 *                     /proc/net/netlink so -E never finds a progname: the lookup
 *                     races with the exiting process and would make goldens flaky)
 *
 * Built only when fixtures are (re)made: cc -shared -fPIC -O2 -o nlcap.so nlcap.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_FD 1024

static int pcap_fd = -1;
static int log_fd = -1;
static int fd_proto[MAX_FD];   /* netlink protocol + 1, 0 = not netlink */
static int fd_index[MAX_FD];   /* order of creation among netlink sockets */
static int next_index;
static unsigned long record_no;
static long pinned_time = -1;
static int pinned_tod;          /* 1 when gettimeofday() is pinned */
static struct timeval pinned_tv;

static ssize_t (*real_sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
static ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
static ssize_t (*real_recv)(int, void *, size_t, int);
static int (*real_socket)(int, int, int);
static int (*real_bind)(int, const struct sockaddr *, socklen_t);
static int (*real_close)(int);
static int (*real_setsockopt)(int, int, int, const void *, socklen_t);

static void put_u32le(unsigned char *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }
static void put_u16be(unsigned char *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }

static void write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

static void logf_(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;
	if (log_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		write_all(log_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

__attribute__((constructor)) static void nlcap_init(void)
{
	const char *pcap = getenv("NLCAP_PCAP");
	const char *logp = getenv("NLCAP_LOG");
	const char *pin = getenv("NLCAP_TIME");
	int saved = errno;

	real_sendto = dlsym(RTLD_NEXT, "sendto");
	real_sendmsg = dlsym(RTLD_NEXT, "sendmsg");
	real_send = dlsym(RTLD_NEXT, "send");
	real_recvmsg = dlsym(RTLD_NEXT, "recvmsg");
	real_recvfrom = dlsym(RTLD_NEXT, "recvfrom");
	real_recv = dlsym(RTLD_NEXT, "recv");
	real_socket = dlsym(RTLD_NEXT, "socket");
	real_bind = dlsym(RTLD_NEXT, "bind");
	real_close = dlsym(RTLD_NEXT, "close");
	real_setsockopt = dlsym(RTLD_NEXT, "setsockopt");
	if (pin && *pin)
		pinned_time = strtol(pin, NULL, 10);
	{
		const char *tod = getenv("NLCAP_TIMEOFDAY");
		char *end;
		if (tod && *tod) {
			pinned_tv.tv_sec = strtol(tod, &end, 10);
			pinned_tv.tv_usec = *end == '.' ? strtol(end + 1, NULL, 10) : 0;
			pinned_tod = 1;
		}
	}
	if (pcap && *pcap) {
		unsigned char gh[24];
		pcap_fd = open(pcap, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		put_u32le(gh, 0xa1b2c3d4);   /* microsecond pcap, host (little) endian */
		gh[4] = 2; gh[5] = 0; gh[6] = 4; gh[7] = 0;
		put_u32le(gh + 8, 0);
		put_u32le(gh + 12, 0);
		put_u32le(gh + 16, 262144);
		put_u32le(gh + 20, 253);      /* LINKTYPE_NETLINK */
		if (pcap_fd >= 0)
			write_all(pcap_fd, gh, sizeof(gh));
	}
	if (logp && *logp)
		log_fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	errno = saved;
}

static int is_nl(int fd) { return fd >= 0 && fd < MAX_FD && fd_proto[fd] != 0; }

/* Appends one pcap record built from an iovec list, truncated to len bytes. */
static void record(int fd, int outgoing, const struct iovec *iov, size_t iovcnt, size_t len)
{
	unsigned char rh[16 + 16];
	struct timespec ts;
	size_t i, left = len;
	if (pcap_fd < 0)
		return;
	/* The real clock, never the pinned gettimeofday() below. */
	clock_gettime(CLOCK_REALTIME, &ts);
	put_u32le(rh, (uint32_t)ts.tv_sec);
	put_u32le(rh + 4, (uint32_t)(ts.tv_nsec / 1000));
	put_u32le(rh + 8, (uint32_t)(len + 16));
	put_u32le(rh + 12, (uint32_t)(len + 16));
	memset(rh + 16, 0, 16);
	put_u16be(rh + 16, outgoing ? 4 : 0);
	put_u16be(rh + 18, 824);
	put_u16be(rh + 30, (uint16_t)(fd_proto[fd] - 1));
	write_all(pcap_fd, rh, sizeof(rh));
	for (i = 0; i < iovcnt && left > 0; i++) {
		size_t n = iov[i].iov_len < left ? iov[i].iov_len : left;
		write_all(pcap_fd, iov[i].iov_base, n);
		left -= n;
	}
	record_no++;
}

/* Records a failed ENOBUFS receive as one NLMSG_OVERRUN message carrying -ENOBUFS. */
static void record_overrun(int fd)
{
	struct {
		struct nlmsghdr h;
		int32_t error;
	} m;
	struct iovec iov = { &m, sizeof(m) };
	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = sizeof(m);
	m.h.nlmsg_type = NLMSG_OVERRUN;
	m.error = -ENOBUFS;
	record(fd, 0, &iov, 1, sizeof(m));
}

/* A receive that lands in the pcap: a datagram, or an ENOBUFS overrun marker. */
static int record_received(int fd, ssize_t r, int err, int flags, const struct iovec *iov, size_t iovcnt, size_t total)
{
	if (flags & MSG_PEEK)
		return 0;
	if (r >= 0) {
		record(fd, 0, iov, iovcnt, (size_t)r < total ? (size_t)r : total);
		return 1;
	}
	if (err == ENOBUFS) {
		record_overrun(fd);
		return 1;
	}
	return 0;
}

static void note(const char *call, int fd, int out, int flags, size_t buflen, ssize_t ret, int err,
		 const struct sockaddr *sa, int counted)
{
	unsigned pid = 0, groups = 0;
	if (sa && sa->sa_family == AF_NETLINK) {
		const struct sockaddr_nl *nl = (const struct sockaddr_nl *)sa;
		pid = nl->nl_pid;
		groups = nl->nl_groups;
	}
	logf_("%s%s fd=%d sock=%d %s flags=0x%x buflen=%zu ret=%zd errno=%d peer_pid=%u groups=0x%x record=%ld\n",
	      out ? "send " : "recv ", call, fd, fd_index[fd], out ? "out" : "in", flags, buflen, ret,
	      ret < 0 ? err : 0, pid, groups, counted ? (long)record_no - 1 : -1L);
}

int socket(int domain, int type, int protocol)
{
	int fd = real_socket(domain, type, protocol);
	if (fd >= 0 && fd < MAX_FD && domain == AF_NETLINK) {
		int saved = errno;
		fd_proto[fd] = protocol + 1;
		fd_index[fd] = next_index++;
		logf_("socket fd=%d sock=%d proto=%d type=0x%x\n", fd, fd_index[fd], protocol, type);
		errno = saved;
	}
	return fd;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	int r = real_bind(fd, addr, len);
	if (is_nl(fd)) {
		int saved = errno;
		const struct sockaddr_nl *nl = (const struct sockaddr_nl *)addr;
		logf_("bind fd=%d sock=%d pid=%u groups=0x%x ret=%d errno=%d\n", fd, fd_index[fd],
		      nl->nl_pid, nl->nl_groups, r, r < 0 ? saved : 0);
		errno = saved;
	}
	return r;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int r = real_setsockopt(fd, level, name, val, len);
	if (is_nl(fd) || (fd >= 0 && fd < MAX_FD && fd_proto[fd])) {
		int saved = errno;
		int v = (val && len >= sizeof(int)) ? *(const int *)val : 0;
		logf_("setsockopt fd=%d sock=%d level=%d name=%d value=%d ret=%d errno=%d\n", fd,
		      fd_index[fd], level, name, v, r, r < 0 ? saved : 0);
		errno = saved;
	}
	return r;
}

int close(int fd)
{
	if (is_nl(fd)) {
		logf_("close fd=%d sock=%d\n", fd, fd_index[fd]);
		fd_proto[fd] = 0;
	}
	return real_close(fd);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
{
	ssize_t r = real_sendto(fd, buf, len, flags, to, tolen);
	if (is_nl(fd)) {
		int saved = errno;
		struct iovec iov = { (void *)buf, len };
		if (r >= 0)
			record(fd, 1, &iov, 1, len);
		note("sendto", fd, 1, flags, len, r, saved, to, r >= 0);
		errno = saved;
	}
	return r;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	ssize_t r = real_send(fd, buf, len, flags);
	if (is_nl(fd)) {
		int saved = errno;
		struct iovec iov = { (void *)buf, len };
		if (r >= 0)
			record(fd, 1, &iov, 1, len);
		note("send", fd, 1, flags, len, r, saved, NULL, r >= 0);
		errno = saved;
	}
	return r;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	ssize_t r = real_sendmsg(fd, msg, flags);
	if (is_nl(fd)) {
		int saved = errno;
		size_t i, total = 0;
		for (i = 0; i < msg->msg_iovlen; i++)
			total += msg->msg_iov[i].iov_len;
		if (r >= 0)
			record(fd, 1, msg->msg_iov, msg->msg_iovlen, total);
		note("sendmsg", fd, 1, flags, total, r, saved, msg->msg_name, r >= 0);
		errno = saved;
	}
	return r;
}

/* A received datagram is recorded with the bytes the caller got (r may
 * exceed the buffer with MSG_TRUNC); MSG_PEEK reads are only logged. */
ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t r = real_recvmsg(fd, msg, flags);
	if (is_nl(fd)) {
		int saved = errno;
		size_t i, total = 0;
		int counted;
		for (i = 0; i < msg->msg_iovlen; i++)
			total += msg->msg_iov[i].iov_len;
		counted = record_received(fd, r, saved, flags, msg->msg_iov, msg->msg_iovlen, total);
		note("recvmsg", fd, 0, flags, total, r, saved, r >= 0 ? msg->msg_name : NULL, counted);
		errno = saved;
	}
	return r;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
	ssize_t r = real_recvfrom(fd, buf, len, flags, from, fromlen);
	if (is_nl(fd)) {
		int saved = errno;
		struct iovec iov = { buf, len };
		int counted = record_received(fd, r, saved, flags, &iov, 1, len);
		note("recvfrom", fd, 0, flags, len, r, saved, r >= 0 ? from : NULL, counted);
		errno = saved;
	}
	return r;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	ssize_t r = real_recv(fd, buf, len, flags);
	if (is_nl(fd)) {
		int saved = errno;
		struct iovec iov = { buf, len };
		int counted = record_received(fd, r, saved, flags, &iov, 1, len);
		note("recv", fd, 0, flags, len, r, saved, NULL, counted);
		errno = saved;
	}
	return r;
}

#define LABELMAP_PATH "/etc/xtables/connlabel.conf"

static const char *redirect(const char *path)
{
	const char *map = getenv("NLCAP_LABELMAP");
	if (map && *map && path && strcmp(path, LABELMAP_PATH) == 0)
		return map;
	return path;
}

static int hidden(const char *path)
{
	const char *hide = getenv("NLCAP_HIDE");
	return hide && *hide && path && strcmp(path, hide) == 0;
}

FILE *fopen(const char *path, const char *mode)
{
	static FILE *(*real_fopen)(const char *, const char *);
	if (hidden(path)) {
		errno = ENOENT;
		return NULL;
	}
	if (!real_fopen)
		real_fopen = dlsym(RTLD_NEXT, "fopen");
	return real_fopen(redirect(path), mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	static FILE *(*real_fopen64)(const char *, const char *);
	if (hidden(path)) {
		errno = ENOENT;
		return NULL;
	}
	if (!real_fopen64)
		real_fopen64 = dlsym(RTLD_NEXT, "fopen64");
	return real_fopen64(redirect(path), mode);
}

time_t time(time_t *t)
{
	time_t now;
	if (pinned_time >= 0) {
		now = (time_t)pinned_time;
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		now = ts.tv_sec;
	}
	if (t)
		*t = now;
	return now;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	static int (*real_gettimeofday)(struct timeval *, void *);
	if (pinned_tod) {
		*tv = pinned_tv;
		return 0;
	}
	if (!real_gettimeofday)
		real_gettimeofday = dlsym(RTLD_NEXT, "gettimeofday");
	return real_gettimeofday(tv, tz);
}
