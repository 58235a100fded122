package codec_test

import (
	"bytes"
	"errors"
	"reflect"
	"runtime"
	"sync"
	"testing"

	"github.com/kithdb/kith/codec"
	"github.com/vmihailenco/msgpack/v5"
)

func TestRoundTrip(t *testing.T) {
	for _, set := range [][]codec.Record{fullRecords(), zeroRecords()} {
		for _, want := range set {
			t.Run(typeName(want), func(t *testing.T) {
				b := mustAppend(t, want)
				got := newLike(want)
				if err := codec.Decode(b, got); err != nil {
					t.Fatalf("Decode(%x): %v", b, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
				}
				if again := mustAppend(t, got); !bytes.Equal(again, b) {
					t.Fatalf("re-encode not stable:\n%x\n%x", b, again)
				}
			})
		}
	}
}

// TestFieldCount checks that every record writes one element per struct
// field plus the version, so a field added to a struct cannot be forgotten
// in its encoder.
func TestFieldCount(t *testing.T) {
	for _, r := range fullRecords() {
		n, err := msgpack.NewDecoder(bytes.NewReader(mustAppend(t, r))).DecodeArrayLen()
		if err != nil {
			t.Fatal(err)
		}
		if want := reflect.TypeOf(r).Elem().NumField() + 1; n != want {
			t.Errorf("%s: array of %d elements, want %d", typeName(r), n, want)
		}
	}
}

func TestAppendKeepsPrefix(t *testing.T) {
	dst := []byte("prefix")
	b, err := codec.Append(dst, fullFriendEdge())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("prefix")) || !bytes.Equal(b[6:], mustAppend(t, fullFriendEdge())) {
		t.Fatalf("Append(prefix) = %x", b)
	}
}

// TestEmptyIsNil checks that empty and nil slices and maps encode alike and
// decode as nil.
func TestEmptyIsNil(t *testing.T) {
	empty := &codec.FriendEdge{Groups: []string{}, Custom: map[string][]byte{}}
	if !bytes.Equal(mustAppend(t, empty), mustAppend(t, &codec.FriendEdge{})) {
		t.Fatal("empty and nil encode differently")
	}
	p := &codec.Profile{Custom: map[string][]byte{"k": {}}}
	var got codec.Profile
	if err := codec.Decode(mustAppend(t, p), &got); err != nil {
		t.Fatal(err)
	}
	if v, ok := got.Custom["k"]; !ok || v != nil {
		t.Fatalf("Custom = %#v, want k: nil", got.Custom)
	}
}

func TestDecodeOverwritesReusedRecord(t *testing.T) {
	for _, full := range fullRecords() {
		zero := newLike(full)
		got := newLike(full)
		if err := codec.Decode(mustAppend(t, full), got); err != nil {
			t.Fatal(err)
		}
		if err := codec.Decode(mustAppend(t, zero), got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, zero) {
			t.Errorf("%s: reused record kept %+v", typeName(full), got)
		}
	}
}

func TestDecodeCopiesStrings(t *testing.T) {
	b := mustAppend(t, fullFriendEdge())
	var got codec.FriendEdge
	if err := codec.Decode(b, &got); err != nil {
		t.Fatal(err)
	}
	clear(b)
	if !reflect.DeepEqual(&got, fullFriendEdge()) {
		t.Fatalf("decoded record changed with its input: %+v", got)
	}
}

func TestDecodeErrors(t *testing.T) {
	valid := mustAppend(t, fullProfile())
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"nil", []byte{0xc0}},
		{"not an array", []byte{0x01}},
		{"empty array", []byte{0x90}},
		{"version 0", []byte{0x91, 0x00}},
		{"version 2", []byte{0x91, 0x02}},
		{"version 99", []byte{0x92, 0x63, 0xa1, 'x'}},
		{"version nil", []byte{0x91, 0xc0}},
		{"version negative", []byte{0x91, 0xff}},
		{"version string", []byte{0x91, 0xa1, '1'}},
		{"trailing byte", append(bytes.Clone(valid), 0x00)},
		{"two records", append(bytes.Clone(valid), valid...)},
		{"array longer than input", []byte{0xdd, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"string longer than input", []byte{0x92, 0x01, 0xdb, 0x7f, 0xff, 0xff, 0xff}},
		{"wrong type for string", []byte{0x92, 0x01, 0x05}},
		{"uint8 out of range", raw(4, v1, pfields(2), []byte{0xcd, 0x01, 0x00})},
		{"uint32 out of range", raw(7, v1, pfields(5), []byte{0xcf, 0, 0, 0, 1, 0, 0, 0, 0})},
		{"bool for uint", raw(4, v1, pfields(2), []byte{0xc3})},
		{"float for int", raw(16, v1, pfields(14), []byte{0xcb, 0, 0, 0, 0, 0, 0, 0, 0})},
		{"map key not a string", raw(14, v1, pfields(12), []byte{0x81, 0x01, 0xc0})},
		{"duplicate map key", raw(14, v1, pfields(12), []byte{0x82, 0xa1, 'k', 0xc0, 0xa1, 'k', 0xc0})},
		{"ext instead of map", raw(14, v1, pfields(12), []byte{0xd4, 0x01, 0x80})},
		{"map longer than input", raw(14, v1, pfields(12), []byte{0x8f, 0xa1, 'k', 0xc0})},
		{"bad code in skipped field", raw(19, v1, pfields(15), []byte{0xc0, 0x00, 0xc1})},
		{"skipped bin longer than input", raw(17, v1, pfields(15), []byte{0xc6, 0x7f, 0xff, 0xff, 0xff, 0x00})},
		{"skipped map longer than input", raw(17, v1, pfields(15), []byte{0x8f, 0x00})},
	}
	for i := 1; i < len(valid); i++ {
		tests = append(tests, struct {
			name string
			in   []byte
		}{"truncated", valid[:i]})
	}
	for _, tt := range tests {
		got := fullProfile()
		err := codec.Decode(tt.in, got)
		if !errors.Is(err, codec.ErrCorrupt) {
			t.Errorf("%s: Decode(%x) = %v, want ErrCorrupt", tt.name, tt.in, err)
		}
		if testing.Verbose() && tt.name != "truncated" {
			t.Logf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(got, &codec.Profile{}) {
			t.Errorf("%s: record not zeroed after error: %+v", tt.name, got)
		}
	}
}

// v1 is version 1, the first element of every record.
var v1 = []byte{0x01}

// raw returns a msgpack array header for n elements followed by parts.
func raw(n int, parts ...[]byte) []byte {
	var buf bytes.Buffer
	if err := msgpack.NewEncoder(&buf).EncodeArrayLen(n); err != nil {
		panic(err)
	}
	for _, p := range parts {
		buf.Write(p)
	}
	return buf.Bytes()
}

// pfields returns the first k fields of a zero Profile, encoded.
func pfields(k int) []byte {
	all := [][]byte{
		{0xa0}, {0xa0}, {0x00}, {0xa0}, {0x00}, {0x00}, {0xa0}, {0x00},
		{0x00}, {0x00}, {0x00}, {0x00}, {0xc0}, {0x00}, {0x00},
	}
	return bytes.Join(all[:k], nil)
}

// TestDecodeHostileLengths checks that lengths declared far beyond the
// input are refused before anything is allocated for them.
func TestDecodeHostileLengths(t *testing.T) {
	inputs := [][]byte{
		{0x92, 0x01, 0xdb, 0x7f, 0xff, 0xff, 0xff},                                                 // Profile.Nick: str32 of 2 GiB
		{0x93, 0x01, 0xa0, 0xdd, 0x7f, 0xff, 0xff, 0xff},                                           // FriendEdge.Groups: array32
		{0x9f, 0x01, 0xa0, 0xa0, 0, 0xa0, 0, 0, 0xa0, 0, 0, 0, 0, 0, 0xdf, 0x7f, 0xff, 0xff, 0xff}, // Profile.Custom: map32
		{0x92, 0x01, 0xc9, 0x7f, 0xff, 0xff, 0xff, 0x01},                                           // skipped ext32
	}
	for _, in := range inputs {
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		err := codec.Decode(in, &codec.Profile{})
		runtime.ReadMemStats(&ms1)
		if !errors.Is(err, codec.ErrCorrupt) {
			t.Errorf("Decode(%x) = %v, want ErrCorrupt", in, err)
		}
		if n := ms1.TotalAlloc - ms0.TotalAlloc; n > 64<<10 {
			t.Errorf("Decode(%x) allocated %d bytes", in, n)
		}
		// The same through a msgpack decoder that does not know the input
		// length.
		runtime.ReadMemStats(&ms0)
		err = msgpack.NewDecoder(iotestOneByte(in)).Decode(&codec.Profile{})
		runtime.ReadMemStats(&ms1)
		if err == nil {
			t.Errorf("msgpack Decode(%x) succeeded", in)
		}
		if n := ms1.TotalAlloc - ms0.TotalAlloc; n > 64<<10 {
			t.Errorf("msgpack Decode(%x) allocated %d bytes", in, n)
		}
	}
}

// TestDeepNesting checks that a deeply nested extra field is skipped
// without recursion, and refused when truncated.
func TestDeepNesting(t *testing.T) {
	in := []byte{0x93, 0x01, 0x05} // Group: version, CreatedAt, one extra field
	in = append(in, bytes.Repeat([]byte{0x91}, 1<<20)...)
	in = append(in, 0xc0)
	var g codec.Group
	if err := codec.Decode(in, &g); err != nil || g.CreatedAt != 5 {
		t.Fatalf("Decode(nested) = %v, %+v", err, g)
	}
	if err := codec.Decode(in[:len(in)-1], &g); !errors.Is(err, codec.ErrCorrupt) {
		t.Fatalf("Decode(truncated nesting) = %v, want ErrCorrupt", err)
	}
}

func TestAppendAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	for _, r := range []codec.Record{fullProfile(), fullFriendEdge()} {
		buf := make([]byte, 0, 1024)
		n := testing.AllocsPerRun(100, func() {
			var err error
			if buf, err = codec.Append(buf[:0], r); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("Append(%s) allocates %v times, want 0", typeName(r), n)
		}
	}
}

// TestMsgpackAPI checks the records through msgpack's own Marshal and
// Unmarshal, which call the same methods with decoders that are not
// codec's.
func TestMsgpackAPI(t *testing.T) {
	for _, want := range fullRecords() {
		b, err := msgpack.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, mustAppend(t, want)) {
			t.Errorf("%s: Marshal and Append differ", typeName(want))
		}
		got := newLike(want)
		if err := msgpack.NewDecoder(iotestOneByte(b)).Decode(got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: msgpack round trip: %+v", typeName(want), got)
		}
		if err := msgpack.Unmarshal(b[:len(b)-1], got); !errors.Is(err, codec.ErrCorrupt) {
			t.Errorf("%s: Unmarshal(truncated) = %v", typeName(want), err)
		}
	}
}

// oneByteReader hides a reader's other methods so msgpack wraps it in a
// bufio.Reader: the path where the input length is unknown.
type oneByteReader struct{ r *bytes.Reader }

func (o oneByteReader) Read(p []byte) (int, error) { return o.r.Read(p[:min(len(p), 1)]) }

func iotestOneByte(b []byte) oneByteReader { return oneByteReader{bytes.NewReader(b)} }

func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				for _, want := range fullRecords() {
					got := newLike(want)
					b, err := codec.Append(nil, want)
					if err == nil {
						err = codec.Decode(b, got)
					}
					if err != nil || !reflect.DeepEqual(got, want) {
						t.Errorf("%s: %v %+v", typeName(want), err, got)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
