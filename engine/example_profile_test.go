package engine_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/kithdb/kith/engine"
)

// Open a store. vfs.NewMem keeps it in memory; pass a directory and nil
// options for an on-disk store with the defaults.
func ExampleOpen() {
	db, err := engine.Open("example", &engine.Options{
		FS:                  vfs.NewMem(),
		CustomProfileFields: []string{"team"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	p, err := db.UpdateProfile(context.Background(), "ann", engine.ProfileUpdate{
		Nick:   new("Ann"),
		Custom: map[string][]byte{"team": []byte("storage")},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s of team %s, version %d\n", p.Nick, p.Custom["team"], p.Version)

	// Invalid options are refused before anything is created.
	_, err = engine.Open("bad", &engine.Options{FS: vfs.NewMem(), CustomProfileFields: []string{"no-dash"}})
	fmt.Println(errors.Is(err, engine.ErrInvalidOptions))
	// Output:
	// Ann of team storage, version 1
	// true
}

// UpdateProfile changes only the fields it names; the first update
// creates the user. Invalid input writes nothing.
func ExampleDB_UpdateProfile() {
	db, err := engine.Open("example", &engine.Options{FS: vfs.NewMem()})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()

	p, err := db.UpdateProfile(ctx, "ann", engine.ProfileUpdate{Nick: new("Ann"), Location: new("Paris")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("v%d: %s in %s, allowType %d (NeedConfirm by default)\n", p.Version, p.Nick, p.Location, p.AllowType)

	p, err = db.UpdateProfile(ctx, "ann", engine.ProfileUpdate{Location: new("Lyon"), AllowType: new(engine.AllowAny)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("v%d: %s in %s, allowType %d\n", p.Version, p.Nick, p.Location, p.AllowType)

	_, err = db.UpdateProfile(ctx, "ann", engine.ProfileUpdate{Gender: new(engine.Gender(9))})
	fmt.Println(err, engine.Code(err))
	// Output:
	// v1: Ann in Paris, allowType 1 (NeedConfirm by default)
	// v2: Ann in Lyon, allowType 0
	// kith: invalid profile value: Gender 9 40605
}

// GetProfiles answers each ID in request order; an unknown user is that
// item's ErrNotFound, and IDs past the per-call limit are dropped.
func ExampleDB_GetProfiles() {
	db, err := engine.Open("example", &engine.Options{
		FS:     vfs.NewMem(),
		Limits: engine.Limits{ProfilesPerCall: 3}, // the default is 100
	})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, u := range []string{"ann", "bob"} {
		if _, err := db.UpdateProfile(ctx, u, engine.ProfileUpdate{Nick: new("nick of " + u)}); err != nil {
			log.Fatal(err)
		}
	}

	res, err := db.GetProfiles(ctx, "ann", []string{"bob", "dan", "ann", "eve", "fay"})
	if err != nil {
		log.Fatal(err)
	}
	for _, it := range res.Items {
		if it.Err != nil {
			fmt.Printf("%s: %v (code %d)\n", it.UserID, it.Err, engine.Code(it.Err))
			continue
		}
		fmt.Printf("%s: %s\n", it.UserID, it.Profile.Nick)
	}
	fmt.Println("dropped:", res.Dropped)
	// Output:
	// bob: nick of bob
	// dan: kith: user not found (code 30003)
	// ann: nick of ann
	// dropped: 2
}
