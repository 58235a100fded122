package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress reports a long phase on the log: on a terminal it redraws one
// line several times a second, elsewhere (a file, a pipe, CI) it writes a
// plain line every few seconds.
type progress struct {
	log  io.Writer
	term bool
	line func(elapsed time.Duration) string // the current status

	start time.Time
	quit  chan struct{}
	done  sync.WaitGroup
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// startProgress starts reporting line() until stop.
func startProgress(log io.Writer, term bool, line func(time.Duration) string) *progress {
	p := &progress{log: log, term: term, line: line, start: time.Now(), quit: make(chan struct{})}
	every := 2 * time.Second
	if term {
		every = 250 * time.Millisecond
	}
	p.done.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.print(false)
			case <-p.quit:
				return
			}
		}
	})
	return p
}

func (p *progress) print(final bool) {
	s := p.line(time.Since(p.start))
	switch {
	case p.term && final:
		fmt.Fprintf(p.log, "\r\033[K%s\n", s)
	case p.term:
		fmt.Fprintf(p.log, "\r\033[K%s", s)
	default:
		fmt.Fprintf(p.log, "%s  %s\n", time.Now().Format("15:04:05.000"), s)
	}
}

// stop ends the reporting with a last line.
func (p *progress) stop() {
	close(p.quit)
	p.done.Wait()
	p.print(true)
}

// rateETA formats done of total at the rate since the start, with the
// time left.
func rateETA(what string, done, total int64, elapsed time.Duration) string {
	rate := perSecond(done, elapsed)
	s := fmt.Sprintf("%s %s/%s (%.0f%%)  %s/s", what, count(done), count(total),
		100*float64(done)/float64(max(total, 1)), si(rate))
	if done > 0 && done < total {
		s += fmt.Sprintf("  ETA %v", time.Duration(float64(total-done)/rate*float64(time.Second)).Round(100*time.Millisecond))
	}
	return s
}

// count formats n with thousands separators.
func count[T ~int | ~int64 | ~uint64](n T) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// perSecond returns n events over d as a rate per second.
func perSecond[T ~int | ~int64 | ~uint64](n T, d time.Duration) float64 {
	return float64(n) / max(d.Seconds(), 1e-9)
}

// si formats x with a k/M/G suffix.
func si(x float64) string {
	switch {
	case x >= 1e9:
		return fmt.Sprintf("%.2fG", x/1e9)
	case x >= 1e6:
		return fmt.Sprintf("%.2fM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.1fk", x/1e3)
	}
	return fmt.Sprintf("%.0f", x)
}
