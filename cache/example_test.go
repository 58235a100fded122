package cache_test

import (
	"fmt"
	"time"

	"github.com/kithdb/kith/cache"
)

// A read-through fill races with a write-through Set: the fill, whose token
// predates the Set, is dropped, and the cache keeps the newer value.
func ExampleCache_Fill() {
	c, err := cache.New[string](cache.Options{Entries: 100})
	if err != nil {
		panic(err)
	}
	tok := c.Token("alice") // reader: token first, then the source read
	read := "alice v1"

	c.Set("alice", "alice v2", len("alice v2"), 0) // writer: source, then cache

	fmt.Println(c.Fill("alice", read, len(read), time.Minute, tok))
	v, ok := c.Get("alice")
	fmt.Println(v, ok)
	// Output:
	// false
	// alice v2 true
}
