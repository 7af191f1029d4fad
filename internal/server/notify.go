package server

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

// sd_notify(3) states Stride sends.
const (
	NotifyReady    = "READY=1"
	NotifyStopping = "STOPPING=1"
)

// NotifyReloading is the state sent when a reload starts: systemd requires
// MONOTONIC_USEC (CLOCK_MONOTONIC, µs) beside RELOADING=1 for
// Type=notify-reload services.
func NotifyReloading() string {
	return "RELOADING=1\nMONOTONIC_USEC=" + strconv.FormatUint(monotonicUsec(), 10)
}

// NotifySocketFromEnv returns $NOTIFY_SOCKET, where systemd listens for a
// Type=notify service's datagrams. Read by the composition root only.
func NotifySocketFromEnv() string { return os.Getenv("NOTIFY_SOCKET") }

// Notify sends one sd_notify datagram with state to socket (a path, or
// "@name" for the abstract namespace). It does nothing when socket is "",
// i.e. when not run by a service manager. Written by hand: the protocol is
// one unixgram write.
func Notify(socket, state string) error {
	if socket == "" {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: socket, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd_notify %s: %w", socket, err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify %s: %w", socket, err)
	}
	return nil
}
