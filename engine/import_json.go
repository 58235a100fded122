package engine

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// Import reads its JSON Lines in batches: a reader goroutine cuts the
// input into batches of lines, GOMAXPROCS decoders turn them into
// records (JSON decoding is most of Import's cost), and the calling
// goroutine adds the records to the importer in input order.

const (
	batchLines = 512     // lines per batch
	batchBytes = 1 << 20 // bytes per batch, about
)

// lineBatch is a run of consecutive input lines and, once decoded, their
// records.
type lineBatch struct {
	first int    // number of the first line
	data  []byte // the lines, without newlines
	ends  []int  // line i is data[ends[i-1]:ends[i]]
	err   error  // a read error after the last line, or an *ImportError
	recs  []ImportRecord
	blank []bool        // line i is blank: no record
	done  chan struct{} // closed once decoded
}

func (b *lineBatch) line(i int) []byte {
	start := 0
	if i > 0 {
		start = b.ends[i-1]
	}
	return b.data[start:b.ends[i]]
}

// decode decodes every line, stopping at the first bad one (its error
// becomes the batch's error: lines after it are never added).
func (b *lineBatch) decode() {
	defer close(b.done)
	b.recs = make([]ImportRecord, len(b.ends))
	b.blank = make([]bool, len(b.ends))
	for i := range b.ends {
		l := b.line(i)
		if len(bytes.TrimSpace(l)) == 0 {
			b.blank[i] = true
			continue
		}
		if err := decodeLine(l, &b.recs[i]); err != nil {
			b.ends = b.ends[:i]
			b.err = &ImportError{Line: b.first + i, Err: err}
			return
		}
	}
}

// readLines feeds every line of r to the importer, in order.
func (im *importer) readLines(r io.Reader) error {
	quit := make(chan struct{})
	ordered := make(chan *lineBatch, 2*runtime.GOMAXPROCS(0))
	work := make(chan *lineBatch, 2*runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	defer func() {
		close(quit) // stops the reader, which stops the decoders
		wg.Wait()
	}()
	wg.Go(func() { cutBatches(r, work, ordered, quit) })
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for b := range work {
				b.decode()
			}
		})
	}
	for b := range ordered {
		<-b.done
		for i := range b.ends {
			if b.blank[i] {
				continue
			}
			if err := im.add(b.first+i, &b.recs[i]); err != nil {
				return err
			}
		}
		if b.err != nil {
			return b.err
		}
	}
	return nil
}

// cutBatches reads r into batches, sending each to the decoders (work)
// and, in input order, to the importer (ordered), until the input ends,
// a read fails or quit is closed.
func cutBatches(r io.Reader, work, ordered chan<- *lineBatch, quit <-chan struct{}) {
	defer close(work)
	defer close(ordered)
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte
	line := 1
	for {
		b := &lineBatch{first: line, done: make(chan struct{})}
		var err error
		for len(b.ends) < batchLines && len(b.data) < batchBytes {
			var l []byte
			l, err = readLine(br, &long)
			if err != nil && err != io.EOF {
				break
			}
			b.data = append(b.data, l...)
			b.ends = append(b.ends, len(b.data))
			line++
			if err == io.EOF {
				break
			}
		}
		switch {
		case err == errLineTooLong:
			b.err = &ImportError{Line: line, Err: fmt.Errorf("%w: line longer than %d bytes", ErrMalformedRecord, maxLineBytes)}
		case err != nil && err != io.EOF:
			b.err = fmt.Errorf("kith: import: read line %d: %w", line, err)
		}
		select {
		case ordered <- b:
		case <-quit:
			return
		}
		select {
		case work <- b:
		case <-quit:
			return
		}
		if err != nil {
			return
		}
	}
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its newline; the slice is valid
// until the next call. It returns io.EOF with the last line.
func readLine(br *bufio.Reader, long *[]byte) ([]byte, error) {
	b, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		*long = append((*long)[:0], b...)
		for err == bufio.ErrBufferFull {
			if len(*long) > maxLineBytes {
				return nil, errLineTooLong
			}
			b, err = br.ReadSlice('\n')
			*long = append(*long, b...)
		}
		b = *long
	}
	if len(b) > maxLineBytes {
		return nil, errLineTooLong
	}
	if err == nil {
		b = b[:len(b)-1]
	}
	return bytes.TrimSuffix(b, []byte{'\r'}), err
}

// decodeLine decodes one line: one JSON object, no unknown field, nothing
// after it.
func decodeLine(b []byte, rec *ImportRecord) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(rec); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformedRecord, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: data after the record", ErrMalformedRecord)
	}
	return nil
}
