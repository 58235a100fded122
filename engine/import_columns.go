package engine

import "github.com/kithdb/kith/codec"

// The importer keeps its per-edge data in columns and arenas of fixed
// chunks rather than in slices grown by append: growing never copies what
// is there, leaves no garbage behind, and wastes at most one chunk, so an
// import's memory is close to what its data needs.

const (
	columnBits = 16 // elements per chunkedColumn chunk: 64 Ki
	columnMask = 1<<columnBits - 1
	arenaChunk = 1 << 20 // bytes per recordArena chunk
	arenaSlack = 4 << 10 // start a new chunk when less room is left
)

// chunkedColumn is an append-only array of T in chunks.
type chunkedColumn[T any] struct {
	chunks [][]T
	n      int
}

func (c *chunkedColumn[T]) add(v T) {
	if c.n&columnMask == 0 {
		c.chunks = append(c.chunks, make([]T, 1<<columnBits))
	}
	c.chunks[c.n>>columnBits][c.n&columnMask] = v
	c.n++
}

func (c *chunkedColumn[T]) at(i int) T { return c.chunks[i>>columnBits][i&columnMask] }

func (c *chunkedColumn[T]) len() int { return c.n }

// recordArena holds encoded records, numbered in the order they were added. A
// record never straddles two chunks.
type recordArena struct {
	chunks [][]byte
	refs   chunkedColumn[uint64] // record i starts at chunk refs[i]>>32, offset uint32(refs[i])
}

// add encodes rec and returns its number.
func (a *recordArena) add(rec codec.Record) (int, error) {
	last := len(a.chunks) - 1
	if last < 0 || cap(a.chunks[last])-len(a.chunks[last]) < arenaSlack {
		a.chunks = append(a.chunks, make([]byte, 0, arenaChunk))
		last++
	}
	start := len(a.chunks[last])
	b, err := codec.Append(a.chunks[last], rec) // a record past the chunk's room grows it: rare and harmless
	if err != nil {
		return 0, err
	}
	a.chunks[last] = b
	a.refs.add(uint64(last)<<32 | uint64(start))
	return a.refs.len() - 1, nil
}

// get returns record i; the slice is the recordArena's.
func (a *recordArena) get(i int) []byte {
	r := a.refs.at(i)
	chunk := a.chunks[r>>32]
	end := len(chunk)
	if i+1 < a.refs.len() {
		if next := a.refs.at(i + 1); next>>32 == r>>32 {
			end = int(uint32(next))
		}
	}
	return chunk[uint32(r):end]
}
