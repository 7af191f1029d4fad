package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"strconv"
	"time"
)

// Options are one level of a run.
type Options struct {
	N           int // timed signs
	Warmup      int // untimed signs first, at the same concurrency (opens the connections)
	Concurrency int
	ServerPID   int    // the CA process to read RSS and CPU from; 0 for none
	Prefix      string // keeps names apart between levels; random when empty
	Client      string // ClientLean (the default) or ClientNetHTTP
}

// Result is what one level measured. Times are in milliseconds, memory in MB
// (2^20 bytes). Server figures are zero without a ServerPID.
type Result struct {
	Server       string  `json:"server,omitempty"`
	Concurrency  int     `json:"c"`
	N            int     `json:"n"`
	OK           int     `json:"ok"`
	Errors       int     `json:"errors"`
	FirstError   string  `json:"firstError,omitempty"`
	ElapsedSec   float64 `json:"elapsedSec"`
	CertsPerSec  float64 `json:"certsPerSec"`
	P50          float64 `json:"p50Ms"`
	P90          float64 `json:"p90Ms"`
	P99          float64 `json:"p99Ms"`
	Max          float64 `json:"maxMs"`
	ServerPeakMB float64 `json:"serverPeakRssMB"`
	ServerHWMMB  float64 `json:"serverHwmMB"`
	ServerCPU    float64 `json:"serverCpuMsPerCert"`
	ClientCPU    float64 `json:"clientCpuMsPerCert"`
	OtherCPU     float64 `json:"otherCpuPct"` // CPU used by other processes, % of all cores
}

// Run mints the level's requests, warms up, then times N signs at the
// configured concurrency and checks every answer.
func Run(ctx context.Context, is *Issuer, o Options) (*Result, error) {
	if o.N <= 0 || o.Concurrency <= 0 {
		return nil, errors.New("n and the concurrency must be positive")
	}
	if o.Prefix == "" {
		o.Prefix = RandomPrefix()
	}
	prefix := fmt.Sprintf("%s-c%d", o.Prefix, o.Concurrency)
	warm, err := is.Mint(ctx, prefix+"w", o.Warmup)
	if err != nil {
		return nil, fmt.Errorf("minting: %w", err)
	}
	reqs, err := is.Mint(ctx, prefix, o.N)
	if err != nil {
		return nil, fmt.Errorf("minting: %w", err)
	}
	signURL := is.CAURL + "/1.0/sign"
	p, closeConns, err := newPoster(o.Client, signURL, is.Root, o.Concurrency)
	if err != nil {
		return nil, err
	}
	defer closeConns()
	pid := ""
	if o.ServerPID > 0 {
		pid = strconv.Itoa(o.ServerPID)
	}
	res, outs, err := measure(ctx, p, warm, reqs, o.Concurrency, pid)
	if err != nil {
		return nil, err
	}
	summarize(res, outs, reqs)
	return res, nil
}

// measure warms up then times the requests, sampling the server's RSS
// throughout both when pid is set.
func measure(ctx context.Context, p poster, warm, reqs []Request, conc int, pid string) (*Result, []outcome, error) {
	if pid == "" {
		if err := warmUp(ctx, p, warm, conc); err != nil {
			return nil, nil, err
		}
		return timed(ctx, p, reqs, conc, pid)
	}
	rss := StartRSS(pid)
	err := warmUp(ctx, p, warm, conc)
	var res *Result
	var outs []outcome
	if err == nil {
		res, outs, err = timed(ctx, p, reqs, conc, pid)
	}
	peak := rss.Stop()
	if err != nil {
		return nil, nil, err
	}
	res.ServerPeakMB = mb(peak)
	if hwm, err := ProcMemory(pid, "VmHWM"); err == nil {
		res.ServerHWMMB = mb(hwm)
	}
	return res, outs, nil
}

// warmUp sends the untimed requests; it fails only when none succeeded,
// which means the server rejects the tokens and timing would be pointless.
func warmUp(ctx context.Context, p poster, reqs []Request, conc int) error {
	if len(reqs) == 0 {
		return nil
	}
	outs := fire(ctx, p, reqs, conc)
	if err := ctx.Err(); err != nil {
		return err
	}
	if failed, first := checkAll(outs, reqs); failed == len(reqs) {
		return fmt.Errorf("warm-up: every sign failed; the first: %w", first)
	}
	return nil
}

// cpuTimes is one reading of the CPU time used so far by the server, by this
// process and by the whole machine.
type cpuTimes struct{ server, client, machine time.Duration }

func readCPU(pid string) (cpuTimes, error) {
	var t cpuTimes
	var err error
	if pid != "" {
		if t.server, err = ProcCPU(pid); err != nil {
			return t, fmt.Errorf("reading the server's CPU time: %w", err)
		}
	}
	t.client, _ = ProcCPU("self")
	t.machine, _ = MachineCPU()
	return t, nil
}

// timed fires reqs between two CPU readings. What the machine spent beyond
// the server and this process is reported as other processes' share.
func timed(ctx context.Context, p poster, reqs []Request, conc int, pid string) (*Result, []outcome, error) {
	t0, err := readCPU(pid)
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	outs := fire(ctx, p, reqs, conc)
	elapsed := time.Since(start)
	t1, err := readCPU(pid)
	if err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	res := &Result{Concurrency: conc, N: len(reqs), ElapsedSec: elapsed.Seconds()}
	res.ServerCPU = perCert(t1.server-t0.server, len(reqs))
	res.ClientCPU = perCert(t1.client-t0.client, len(reqs))
	if pid != "" && elapsed > 0 {
		other := (t1.machine - t0.machine) - (t1.server - t0.server) - (t1.client - t0.client)
		res.OtherCPU = max(0, 100*float64(other)/float64(elapsed)/float64(runtime.NumCPU()))
	}
	return res, outs, nil
}

// summarize fills in the outcome-derived figures: errors, throughput of
// good certificates, latency percentiles over every request.
func summarize(res *Result, outs []outcome, reqs []Request) {
	failed, first := checkAll(outs, reqs)
	res.Errors, res.OK = failed, len(reqs)-failed
	if first != nil {
		res.FirstError = first.Error()
	}
	if res.ElapsedSec > 0 {
		res.CertsPerSec = float64(res.OK) / res.ElapsedSec
	}
	lat := make([]time.Duration, len(outs))
	for i, o := range outs {
		lat[i] = o.latency
	}
	l := Summarize(lat)
	res.P50, res.P90, res.P99, res.Max = ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max)
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// CheckLoopback refuses a CA URL that is not https on a loopback address:
// the benchmark is a load generator and must only ever target this machine.
func CheckLoopback(caURL string) error {
	u, err := url.Parse(caURL)
	if err != nil {
		return fmt.Errorf("--ca-url: %w", err)
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	if u.Scheme != "https" || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return fmt.Errorf("--ca-url %q: want https://127.0.0.1:PORT (loopback only)", caURL)
	}
	return nil
}
