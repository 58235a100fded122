package codec

import "github.com/vmihailenco/msgpack/v5"

// Record versions, written as the first element of every record. Part of
// the format: never change a value. Appending a field keeps the version;
// a new version is only for a change old readers must refuse.
const (
	ProfileVersion     = 1
	FriendEdgeVersion  = 1
	ApplicationVersion = 1
	BlockEdgeVersion   = 1
	GroupVersion       = 1
	CountersVersion    = 1
	EventVersion       = 1
)

// Number of fields this build writes for each record, after the version.
// Each equals the number of fields of the struct; raise it when appending
// a field.
const (
	profileFields     = 15
	friendEdgeFields  = 6
	applicationFields = 6
	blockEdgeFields   = 1
	groupFields       = 1
	countersFields    = 7
	eventFields       = 5
)

// EncodeMsgpack implements msgpack.CustomEncoder. Use Append.
func (p *Profile) EncodeMsgpack(e *msgpack.Encoder) error {
	return p.encode(&writer{e: e})
}

func (p *Profile) encode(w *writer) error {
	w.begin(ProfileVersion, profileFields)
	w.str(p.Nick)
	w.str(p.FaceURL)
	w.uint(uint64(p.Gender))
	w.str(p.SelfSignature)
	w.uint(uint64(p.AllowType))
	w.uint(uint64(p.Birthday))
	w.str(p.Location)
	w.uint(uint64(p.Language))
	w.uint(uint64(p.MessageSettings))
	w.uint(uint64(p.AdminForbidType))
	w.uint(uint64(p.Level))
	w.uint(uint64(p.Role))
	w.custom(p.Custom)
	w.uint(p.Version)
	w.int(p.UpdatedAt)
	return w.err
}

// DecodeMsgpack implements msgpack.CustomDecoder. Use Decode.
func (p *Profile) DecodeMsgpack(d *msgpack.Decoder) error {
	return p.decode(&reader{d: d})
}

func (p *Profile) decode(r *reader) error {
	r.begin(ProfileVersion)
	// Go evaluates the calls in a composite literal left to right.
	return finish(r, p, Profile{
		Nick:            r.str(),
		FaceURL:         r.str(),
		Gender:          Gender(r.uint8()),
		SelfSignature:   r.str(),
		AllowType:       AllowType(r.uint8()),
		Birthday:        r.uint32(),
		Location:        r.str(),
		Language:        r.uint32(),
		MessageSettings: r.uint32(),
		AdminForbidType: AdminForbidType(r.uint8()),
		Level:           r.uint32(),
		Role:            r.uint32(),
		Custom:          r.custom(),
		Version:         r.uint64(),
		UpdatedAt:       r.int64(),
	})
}

// EncodeMsgpack implements msgpack.CustomEncoder. Use Append.
func (f *FriendEdge) EncodeMsgpack(e *msgpack.Encoder) error {
	return f.encode(&writer{e: e})
}

func (f *FriendEdge) encode(w *writer) error {
	w.begin(FriendEdgeVersion, friendEdgeFields)
	w.str(f.Remark)
	w.strs(f.Groups)
	w.str(f.AddSource)
	w.str(f.AddWording)
	w.int(f.AddedAt)
	w.custom(f.Custom)
	return w.err
}

// DecodeMsgpack implements msgpack.CustomDecoder. Use Decode.
func (f *FriendEdge) DecodeMsgpack(d *msgpack.Decoder) error {
	return f.decode(&reader{d: d})
}

func (f *FriendEdge) decode(r *reader) error {
	r.begin(FriendEdgeVersion)
	return finish(r, f, FriendEdge{
		Remark:     r.str(),
		Groups:     r.strs(),
		AddSource:  r.str(),
		AddWording: r.str(),
		AddedAt:    r.int64(),
		Custom:     r.custom(),
	})
}

// EncodeMsgpack implements msgpack.CustomEncoder. Use Append.
func (a *Application) EncodeMsgpack(e *msgpack.Encoder) error {
	return a.encode(&writer{e: e})
}

func (a *Application) encode(w *writer) error {
	w.begin(ApplicationVersion, applicationFields)
	w.str(a.Wording)
	w.str(a.Source)
	w.str(a.Remark)
	w.str(a.Group)
	w.int(a.CreatedAt)
	w.bool(a.Read)
	return w.err
}

// DecodeMsgpack implements msgpack.CustomDecoder. Use Decode.
func (a *Application) DecodeMsgpack(d *msgpack.Decoder) error {
	return a.decode(&reader{d: d})
}

func (a *Application) decode(r *reader) error {
	r.begin(ApplicationVersion)
	return finish(r, a, Application{
		Wording:   r.str(),
		Source:    r.str(),
		Remark:    r.str(),
		Group:     r.str(),
		CreatedAt: r.int64(),
		Read:      r.bool(),
	})
}

// EncodeMsgpack implements msgpack.CustomEncoder. Use Append.
func (b *BlockEdge) EncodeMsgpack(e *msgpack.Encoder) error {
	return b.encode(&writer{e: e})
}

func (b *BlockEdge) encode(w *writer) error {
	w.begin(BlockEdgeVersion, blockEdgeFields)
	w.int(b.CreatedAt)
	return w.err
}

// DecodeMsgpack implements msgpack.CustomDecoder. Use Decode.
func (b *BlockEdge) DecodeMsgpack(d *msgpack.Decoder) error {
	return b.decode(&reader{d: d})
}

func (b *BlockEdge) decode(r *reader) error {
	r.begin(BlockEdgeVersion)
	return finish(r, b, BlockEdge{CreatedAt: r.int64()})
}

// EncodeMsgpack implements msgpack.CustomEncoder. Use Append.
func (g *Group) EncodeMsgpack(e *msgpack.Encoder) error {
	return g.encode(&writer{e: e})
}

func (g *Group) encode(w *writer) error {
	w.begin(GroupVersion, groupFields)
	w.int(g.CreatedAt)
	return w.err
}

// DecodeMsgpack implements msgpack.CustomDecoder. Use Decode.
func (g *Group) DecodeMsgpack(d *msgpack.Decoder) error {
	return g.decode(&reader{d: d})
}

func (g *Group) decode(r *reader) error {
	r.begin(GroupVersion)
	return finish(r, g, Group{CreatedAt: r.int64()})
}

// EncodeMsgpack implements msgpack.CustomEncoder. Use Append.
func (c *Counters) EncodeMsgpack(e *msgpack.Encoder) error {
	return c.encode(&writer{e: e})
}

func (c *Counters) encode(w *writer) error {
	w.begin(CountersVersion, countersFields)
	w.uint(uint64(c.Friends))
	w.uint(uint64(c.Blocked))
	w.uint(uint64(c.PendingIn))
	w.uint(uint64(c.PendingOut))
	w.uint(uint64(c.Unread))
	w.uint(uint64(c.Groups))
	w.uint(c.Seq)
	return w.err
}

// DecodeMsgpack implements msgpack.CustomDecoder. Use Decode.
func (c *Counters) DecodeMsgpack(d *msgpack.Decoder) error {
	return c.decode(&reader{d: d})
}

func (c *Counters) decode(r *reader) error {
	r.begin(CountersVersion)
	return finish(r, c, Counters{
		Friends:    r.uint32(),
		Blocked:    r.uint32(),
		PendingIn:  r.uint32(),
		PendingOut: r.uint32(),
		Unread:     r.uint32(),
		Groups:     r.uint32(),
		Seq:        r.uint64(),
	})
}

// EncodeMsgpack implements msgpack.CustomEncoder. Use Append.
func (ev *Event) EncodeMsgpack(e *msgpack.Encoder) error {
	return ev.encode(&writer{e: e})
}

func (ev *Event) encode(w *writer) error {
	w.begin(EventVersion, eventFields)
	w.uint(uint64(ev.Kind))
	w.strs(ev.Peers)
	w.strs(ev.Groups)
	w.uint(uint64(ev.Reason))
	w.int(ev.At)
	return w.err
}

// DecodeMsgpack implements msgpack.CustomDecoder. Use Decode.
func (ev *Event) DecodeMsgpack(d *msgpack.Decoder) error {
	return ev.decode(&reader{d: d})
}

func (ev *Event) decode(r *reader) error {
	r.begin(EventVersion)
	return finish(r, ev, Event{
		Kind:   r.uint8(),
		Peers:  r.strs(),
		Groups: r.strs(),
		Reason: r.uint8(),
		At:     r.int64(),
	})
}
