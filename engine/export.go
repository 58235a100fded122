package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/kithdb/kith/codec"
	"github.com/kithdb/kith/index"
)

// Export writes the whole store to w as JSON Lines that Import reads (see
// ImportRecord and README.md), from one consistent view of the store:
// writes made while it runs are either wholly in the output or not at all.
//
// The output holds, in this order and each in key order: a profile record
// for every user with a stored profile, a bare profile record (ID only)
// for every user that exists only through its edges, then the friend
// groups, friend edges, blocks and pending applications. The same store
// content always gives the same bytes. Change logs are not exported: an
// imported user starts with an empty log at seq 0, and clients resync
// from their lists.
func (db *DB) Export(ctx context.Context, w io.Writer) error {
	if w == nil {
		return fmt.Errorf("%w: Export to a nil writer", ErrInvalidArgument)
	}
	if err := db.enter(ctx); err != nil {
		return err
	}
	defer db.leave()
	r, err := db.newReader()
	if err != nil {
		return err
	}
	defer r.close()
	aux, err := r.clone()
	if err != nil {
		return err
	}
	defer aux.close()
	bw := bufio.NewWriterSize(w, 64<<10)
	x := &exporter{ctx: ctx, r: r, aux: aux, enc: json.NewEncoder(bw)}
	x.enc.SetEscapeHTML(false)
	for _, step := range []func() error{x.profiles, x.bareUsers, x.groups, x.friends, x.blocks, x.applications} {
		if err := step(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// exporter writes the records of one Export.
type exporter struct {
	ctx context.Context
	r   *reader // the scans
	aux *reader // point reads on the same view during a scan
	enc *json.Encoder
	n   int
}

// each scans the keys of kind, parses each key and calls fn with it and
// the value; fn returns the record to write.
func (x *exporter) each(kind byte, fn func(k index.Key, val []byte) (*ImportRecord, error)) error {
	return x.r.scan([]byte{kind}, nil, func(key, val []byte) (bool, error) {
		if x.n++; x.n%1024 == 0 && x.ctx.Err() != nil {
			return false, x.ctx.Err()
		}
		k, err := index.Parse(key)
		if err != nil {
			return false, corrupt(key, err)
		}
		rec, err := fn(k, val)
		if err != nil || rec == nil {
			return err == nil, err
		}
		return true, x.enc.Encode(rec)
	})
}

func (x *exporter) profiles() error {
	return x.each(index.KindProfile, func(k index.Key, val []byte) (*ImportRecord, error) {
		var p Profile
		if err := decodeAt(k.Append(nil), val, &p); err != nil {
			return nil, err
		}
		rec, err := profileRecord(k.Owner, &p)
		if err != nil {
			return nil, corrupt(k.Append(nil), err)
		}
		return &ImportRecord{Profile: rec}, nil
	})
}

// profileRecord is the record of a stored profile.
func profileRecord(uid string, p *Profile) (*ProfileRecord, error) {
	if int(p.Gender) >= len(genderNames) || int(p.AllowType) >= len(allowTypeNames) ||
		int(p.AdminForbidType) >= len(adminForbidNames) {
		return nil, fmt.Errorf("enum out of range in profile of %q", uid)
	}
	return &ProfileRecord{
		ID: uid, Nick: p.Nick, FaceURL: p.FaceURL, Gender: genderNames[p.Gender],
		SelfSignature: p.SelfSignature, AllowType: allowTypeNames[p.AllowType], Birthday: p.Birthday,
		Location: p.Location, Language: p.Language, MessageSettings: p.MessageSettings,
		AdminForbidType: adminForbidNames[p.AdminForbidType], Level: p.Level, Role: p.Role,
		Custom: customRecord(p.Custom), Version: p.Version, UpdateTime: new(p.UpdatedAt),
	}, nil
}

// bareUsers writes the users that have counters but no stored profile.
func (x *exporter) bareUsers() error {
	var pk []byte
	return x.each(index.KindCounters, func(k index.Key, _ []byte) (*ImportRecord, error) {
		pk = index.Profile(pk[:0], k.Owner)
		if _, ok, err := x.aux.get(pk); err != nil || ok {
			return nil, err
		}
		return &ImportRecord{Profile: &ProfileRecord{ID: k.Owner}}, nil
	})
}

func (x *exporter) groups() error {
	return x.each(index.KindGroup, func(k index.Key, val []byte) (*ImportRecord, error) {
		var g codec.Group
		if err := decodeAt(k.Append(nil), val, &g); err != nil {
			return nil, err
		}
		return &ImportRecord{Group: &GroupRecord{Owner: k.Owner, Name: k.Group, CreateTime: new(g.CreatedAt)}}, nil
	})
}

func (x *exporter) friends() error {
	return x.each(index.KindFriend, func(k index.Key, val []byte) (*ImportRecord, error) {
		var e FriendEdge
		if err := decodeAt(k.Append(nil), val, &e); err != nil {
			return nil, err
		}
		return &ImportRecord{Friend: &FriendRecord{Owner: k.Owner, Friend: k.Peer, Remark: e.Remark,
			Groups: e.Groups, AddSource: e.AddSource, AddWording: e.AddWording, AddTime: new(e.AddedAt),
			Custom: customRecord(e.Custom)}}, nil
	})
}

func (x *exporter) blocks() error {
	return x.each(index.KindBlock, func(k index.Key, val []byte) (*ImportRecord, error) {
		var b codec.BlockEdge
		if err := decodeAt(k.Append(nil), val, &b); err != nil {
			return nil, err
		}
		return &ImportRecord{Block: &BlockRecord{Owner: k.Owner, Target: k.Peer, AddTime: new(b.CreatedAt)}}, nil
	})
}

func (x *exporter) applications() error {
	return x.each(index.KindAppIn, func(k index.Key, val []byte) (*ImportRecord, error) {
		var a Application
		if err := decodeAt(k.Append(nil), val, &a); err != nil {
			return nil, err
		}
		return &ImportRecord{Application: &ApplicationRecord{From: k.Peer, To: k.Owner, Wording: a.Wording,
			Source: a.Source, Remark: a.Remark, Group: a.Group, AddTime: new(a.CreatedAt), Read: a.Read}}, nil
	})
}
