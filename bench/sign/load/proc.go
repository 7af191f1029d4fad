package load

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat. Linux exports
// USER_HZ = 100 to user space on every architecture Go supports, and reading
// sysconf(_SC_CLK_TCK) would need cgo.
const clockTick = 10 * time.Millisecond

// RSSInterval is how often the sampler reads the server's VmRSS.
const RSSInterval = 50 * time.Millisecond

// ProcCPU returns the user+system CPU time the process pid has used so far
// (all its threads; pid "self" reads this process).
func ProcCPU(pid string) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU reads fields 14 (utime) and 15 (stime) of a /proc/PID/stat
// line. The command name (field 2) may hold spaces and parentheses, so
// fields are counted from the last ')'.
func parseStatCPU(b []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat line")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state), so utime (14) is f[11] and stime (15) f[12].
	if len(f) < 13 {
		return 0, errors.New("short /proc stat line")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("malformed utime/stime in /proc stat line")
	}
	return time.Duration(u+s) * clockTick, nil
}

// ProcMemory returns a field of /proc/PID/status in bytes: "VmRSS" (now) or
// "VmHWM" (the peak since the process started).
func ProcMemory(pid, field string) (int64, error) {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, err
	}
	return parseStatusKB(b, field)
}

func parseStatusKB(b []byte, field string) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != field {
			continue
		}
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))
		kb, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("malformed %s: %w", field, err)
		}
		return kb * 1024, nil
	}
	return 0, fmt.Errorf("no %s in /proc status", field)
}

// RSSSampler records the largest VmRSS of a process, read every RSSInterval
// from Start until Stop.
type RSSSampler struct {
	pid  string
	stop chan struct{}
	wg   sync.WaitGroup
	peak int64
}

// StartRSS starts sampling pid's resident set size.
func StartRSS(pid string) *RSSSampler {
	s := &RSSSampler{pid: pid, stop: make(chan struct{})}
	s.sample()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(RSSInterval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

func (s *RSSSampler) sample() {
	if rss, err := ProcMemory(s.pid, "VmRSS"); err == nil && rss > s.peak {
		s.peak = rss
	}
}

// Stop takes a last sample, ends the sampling and returns the peak in bytes.
func (s *RSSSampler) Stop() int64 {
	close(s.stop)
	s.wg.Wait()
	s.sample()
	return s.peak
}

// MachineCPU is the busy CPU time of all cores since boot, from the first
// line of /proc/stat: user, nice, system, irq, softirq and steal (idle and
// iowait are not busy).
func MachineCPU() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	return parseMachineCPU(b)
}

func parseMachineCPU(b []byte) (time.Duration, error) {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 9 || f[0] != "cpu" {
		return 0, errors.New("malformed /proc/stat")
	}
	var busy int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system (idle iowait) irq softirq steal
		v, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return 0, errors.New("malformed /proc/stat")
		}
		busy += v
	}
	return time.Duration(busy) * clockTick, nil
}
