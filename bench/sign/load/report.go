package load

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteText prints one level's figures as a short block.
func (r *Result) WriteText(w io.Writer) {
	name := r.Server
	if name == "" {
		name = "server"
	}
	fmt.Fprintf(w, "%s c=%d: %d signs, %d ok, %d errors in %.2fs\n", name, r.Concurrency, r.N, r.OK, r.Errors, r.ElapsedSec)
	fmt.Fprintf(w, "  certs/s     %.1f\n", r.CertsPerSec)
	fmt.Fprintf(w, "  latency ms  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", r.P50, r.P90, r.P99, r.Max)
	fmt.Fprintf(w, "  server      peak RSS %.1f MB (VmHWM %.1f MB), CPU %.3f ms/cert\n", r.ServerPeakMB, r.ServerHWMMB, r.ServerCPU)
	fmt.Fprintf(w, "  client      CPU %.3f ms/cert\n", r.ClientCPU)
	fmt.Fprintf(w, "  others      %.0f%% of the machine's CPU went to other processes\n", r.OtherCPU)
	if r.FirstError != "" {
		fmt.Fprintf(w, "  first error %s\n", r.FirstError)
	}
}

// WriteTable prints results as one aligned comparison table.
func WriteTable(w io.Writer, rs []*Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "server\tc\tn\terrors\tcerts/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\tpeak RSS MB\tserver CPU ms/cert\tclient CPU ms/cert\tother CPU %\t")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.1f\t%.1f\t%.3f\t%.3f\t%.0f\t\n",
			r.Server, r.Concurrency, r.N, r.Errors, r.CertsPerSec, r.P50, r.P90, r.P99, r.Max,
			r.ServerPeakMB, r.ServerCPU, r.ClientCPU, r.OtherCPU)
	}
	return tw.Flush()
}

// WriteJSON prints results as one indented JSON array.
func WriteJSON(w io.Writer, rs []*Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rs)
}
