package codec_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/kithdb/kith/codec"
	"github.com/vmihailenco/msgpack/v5"
)

// splitRecord returns the raw msgpack elements of an encoded record: the
// version first, then one per field.
func splitRecord(t *testing.T, b []byte) [][]byte {
	t.Helper()
	d := msgpack.NewDecoder(bytes.NewReader(b))
	n, err := d.DecodeArrayLen()
	if err != nil {
		t.Fatal(err)
	}
	elems := make([][]byte, n)
	for i := range elems {
		if elems[i], err = d.DecodeRaw(); err != nil {
			t.Fatal(err)
		}
	}
	return elems
}

// futureFields are values a newer writer might append: a string, nested
// arrays and maps, a bin and an ext.
var futureFields = [][]byte{
	{0xa6, 'f', 'u', 't', 'u', 'r', 'e'},
	{0x82, 0xa1, 'k', 0x92, 0x01, 0x81, 0xa1, 'x', 0xc4, 0x01, 0xff, 0xa1, 'n', 0xc0},
	{0xc5, 0x00, 0x03, 1, 2, 3},
	{0xd6, 0x05, 1, 2, 3, 4},
	{0xdc, 0x00, 0x01, 0xcb, 0, 0, 0, 0, 0, 0, 0, 0},
}

// TestForwardCompat decodes records carrying fields appended by a newer
// writer: they are skipped and the known fields are intact.
func TestForwardCompat(t *testing.T) {
	for _, want := range fullRecords() {
		elems := splitRecord(t, mustAppend(t, want))
		for extra := 1; extra <= len(futureFields); extra++ {
			in := raw(len(elems)+extra, append(elems, futureFields[:extra]...)...)
			got := newLike(want)
			if err := codec.Decode(in, got); err != nil {
				t.Fatalf("%s with %d extra fields: %v", typeName(want), extra, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s with %d extra fields: %+v", typeName(want), extra, got)
			}
		}
	}
}

// TestOlderWriter decodes records written with fewer fields, as by an
// older writer: the missing fields are zero.
func TestOlderWriter(t *testing.T) {
	for _, full := range fullRecords() {
		elems := splitRecord(t, mustAppend(t, full))
		for k := 0; k < len(elems); k++ {
			got := fullLike(full)
			if err := codec.Decode(raw(k+1, elems[:k+1]...), got); err != nil {
				t.Fatalf("%s with %d fields: %v", typeName(full), k, err)
			}
			if want := truncateFields(full, k); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s with %d fields:\n got %+v\nwant %+v", typeName(full), k, got, want)
			}
		}
	}
}

// fullLike returns a fully set record of r's type, so that a decode
// that fails to clear a field shows.
func fullLike(r codec.Record) codec.Record {
	for _, f := range fullRecords() {
		if reflect.TypeOf(f) == reflect.TypeOf(r) {
			return f
		}
	}
	panic("unknown record type")
}

// truncateFields returns a copy of r with every field from the k-th on
// set to zero.
func truncateFields(r codec.Record, k int) codec.Record {
	out := newLike(r)
	src, dst := reflect.ValueOf(r).Elem(), reflect.ValueOf(out).Elem()
	for i := range k {
		dst.Field(i).Set(src.Field(i))
	}
	return out
}

// TestUnknownVersion checks that every record refuses version 0 and a
// version newer than it knows, even with extra fields.
func TestUnknownVersion(t *testing.T) {
	for _, r := range fullRecords() {
		elems := splitRecord(t, mustAppend(t, r))
		for _, v := range [][]byte{{0x00}, {0x02}, {0x63}, {0xcd, 0x01, 0x00}} {
			in := raw(len(elems)+1, append(append([][]byte{v}, elems[1:]...), futureFields[0])...)
			if err := codec.Decode(in, newLike(r)); !errors.Is(err, codec.ErrCorrupt) {
				t.Errorf("%s version %x: %v, want ErrCorrupt", typeName(r), v, err)
			}
		}
	}
}
