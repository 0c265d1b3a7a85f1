#!/bin/sh
# tsconntrackd-failover.sh primary|backup|fault
#
# The state-transition hook for keepalived's notify_master / notify_backup / notify_fault (see
# the tsconntrackd README). It works with conntrackd 1.4.7 as well: point TSCONNTRACKD at it.
#
#   primary  this node takes over: put the flows learned from the peer into the kernel, start
#            the caches afresh from the kernel table and send them all to the peer;
#   backup   this node stands by: make sure the daemon runs (a stale lock file of a crashed one
#            is removed), age the kernel's flows that the primary now handles, and ask the
#            primary for a full copy of its flows;
#   fault    the node is out: age the kernel's flows.
#
# Environment: TSCONNTRACKD (the program, default tsconntrackd from PATH), TSCONNTRACKD_CONFIG
# (default /etc/conntrackd/conntrackd.conf), TSCONNTRACKD_LOCK (the config's LockFile, default
# /var/lock/conntrack.lock). Failures are reported with logger(1) when it exists, else on stderr.

BIN=${TSCONNTRACKD:-tsconntrackd}
CONFIG=${TSCONNTRACKD_CONFIG:-/etc/conntrackd/conntrackd.conf}
LOCK=${TSCONNTRACKD_LOCK:-/var/lock/conntrack.lock}

report() {
	if command -v logger >/dev/null 2>&1; then logger -t tsconntrackd-failover "$*"; else echo "tsconntrackd-failover: $*" >&2; fi
}

# ctl OPTION...: one request to the daemon; a failure is reported, not fatal.
ctl() {
	$BIN -C "$CONFIG" "$@" || report "ERROR: '$BIN -C $CONFIG $*' failed"
}

case "$1" in
primary)
	ctl -c        # commit the external cache (returns when the kernel has the flows)
	ctl -f        # flush the internal and external caches
	ctl -R        # fill the internal cache from the kernel table again
	ctl -B        # send all of it to the peer
	;;
backup)
	if ! $BIN -C "$CONFIG" -s >/dev/null 2>&1; then
		if [ -f "$LOCK" ]; then
			report "WARNING: the daemon was not stopped cleanly; removing its lock file $LOCK"
			rm -f "$LOCK"
		fi
		if ! $BIN -C "$CONFIG" -d; then
			report "ERROR: cannot start $BIN"
			exit 1
		fi
	fi
	ctl -t        # shorten the kernel's timeouts: the primary now owns these flows
	ctl -n        # ask the primary for its flows (NOTRACK and FTFW; nothing in ALARM)
	;;
fault)
	ctl -t
	;;
*)
	report "ERROR: unknown state transition '$1'"
	echo "Usage: $0 {primary|backup|fault}" >&2
	exit 1
	;;
esac
exit 0
