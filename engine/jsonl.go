package engine

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// The JSON Lines format of Import and Export: one JSON object per line,
// each holding exactly one record. Field names are those of the struct
// tags below; README.md documents the format with an example. Times are
// Unix nanoseconds; an absent time means "the time of the import".
//
// The format is a stable interface: fields are only ever added.

// ImportRecord is one line of the format: exactly one field is set.
// Import reads it, Export writes it, and ImportRecords takes it typed.
type ImportRecord struct {
	Profile     *ProfileRecord     `json:"profile,omitempty"`
	Friend      *FriendRecord      `json:"friend,omitempty"`
	Block       *BlockRecord       `json:"block,omitempty"`
	Group       *GroupRecord       `json:"group,omitempty"`
	Application *ApplicationRecord `json:"application,omitempty"`
}

// ProfileRecord creates a user and its profile. Zero fields are absent.
//
// A record that sets nothing but ID creates a user without a stored
// profile, like a user that exists only through its edges: it reads as
// the default profile. Export writes such users this way.
type ProfileRecord struct {
	ID            string `json:"id"`
	Nick          string `json:"nick,omitempty"`
	FaceURL       string `json:"faceUrl,omitempty"`
	Gender        string `json:"gender,omitempty"` // "Male", "Female"; "" or "Unknown"
	SelfSignature string `json:"selfSignature,omitempty"`
	// AllowType is "AllowAny", "NeedConfirm" or "DenyAny"; "" means
	// Options.DefaultAllowType.
	AllowType       string `json:"allowType,omitempty"`
	Birthday        uint32 `json:"birthday,omitempty"`
	Location        string `json:"location,omitempty"`
	Language        uint32 `json:"language,omitempty"`
	MessageSettings uint32 `json:"messageSettings,omitempty"`
	AdminForbidType string `json:"adminForbidType,omitempty"` // "SendOut"; "" or "None"
	Level           uint32 `json:"level,omitempty"`
	Role            uint32 `json:"role,omitempty"`
	// Custom holds declared custom profile fields; empty values are
	// dropped.
	Custom map[string]Bytes `json:"custom,omitempty"`
	// Version is the profile version; 0 means 1.
	Version uint64 `json:"version,omitempty"`
	// UpdateTime is the time of the last update; nil means the import time.
	UpdateTime *int64 `json:"updateTime,omitempty"`
}

// FriendRecord is one directed friend edge: Friend is in Owner's list. A
// two-way friendship is two records. Groups named here that have no
// GroupRecord are created.
type FriendRecord struct {
	Owner      string           `json:"owner"`
	Friend     string           `json:"friend"`
	Remark     string           `json:"remark,omitempty"`
	Groups     []string         `json:"groups,omitempty"`
	AddSource  string           `json:"addSource,omitempty"`
	AddWording string           `json:"addWording,omitempty"`
	AddTime    *int64           `json:"addTime,omitempty"` // nil: the import time
	Custom     map[string]Bytes `json:"custom,omitempty"`  // declared custom friend fields
}

// BlockRecord is one blocklist entry: Owner blocked Target.
type BlockRecord struct {
	Owner   string `json:"owner"`
	Target  string `json:"target"`
	AddTime *int64 `json:"addTime,omitempty"` // nil: the import time
}

// GroupRecord is one friend group of Owner, with or without members
// (membership is stated by the Groups of FriendRecords).
type GroupRecord struct {
	Owner      string `json:"owner"`
	Name       string `json:"name"`
	CreateTime *int64 `json:"createTime,omitempty"` // nil: the import time
}

// ApplicationRecord is one pending friend request from From to To. Both
// users must be imported by the same input.
type ApplicationRecord struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Wording string `json:"wording,omitempty"`
	Source  string `json:"source,omitempty"`
	Remark  string `json:"remark,omitempty"` // From's remark for To once accepted
	Group   string `json:"group,omitempty"`  // From's group for To once accepted
	AddTime *int64 `json:"addTime,omitempty"`
	Read    bool   `json:"read,omitempty"` // To has marked it read
}

// Bytes is a custom field value. In JSON it is a string when the bytes
// are valid UTF-8, else an object {"base64": "..."} (standard encoding,
// with padding), so that any bytes survive Export and Import.
type Bytes []byte

// MarshalJSON implements json.Marshaler.
func (b Bytes) MarshalJSON() ([]byte, error) {
	if !utf8.Valid(b) {
		return json.Marshal(struct {
			Base64 string `json:"base64"`
		}{base64.StdEncoding.EncodeToString(b)})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(string(b)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (b *Bytes) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '{' {
		var v struct {
			Base64 string `json:"base64"`
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			return err
		}
		raw, err := base64.StdEncoding.DecodeString(v.Base64)
		if err != nil {
			return fmt.Errorf("custom value: %w", err)
		}
		*b = raw
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	*b = Bytes(s)
	return nil
}

// Names of the enum values in the format. Part of the format: never change.
var (
	genderNames      = []string{GenderUnknown: "", GenderMale: "Male", GenderFemale: "Female"}
	allowTypeNames   = []string{AllowAny: "AllowAny", NeedConfirm: "NeedConfirm", DenyAny: "DenyAny"}
	adminForbidNames = []string{ForbidNone: "", ForbidSendOut: "SendOut"}
)

// enumValue returns the index of name in names; alias is an extra name of
// value 0 ("Unknown", "None").
func enumValue(what, name string, names []string, alias string) (uint8, error) {
	if name == alias && alias != "" {
		return 0, nil
	}
	for i, n := range names {
		if n == name {
			return uint8(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %s %q", ErrInvalidValue, what, name)
}

// customOf converts a record's custom map to the stored form, dropping
// empty values; nil when nothing is left.
func customOf(m map[string]Bytes) map[string][]byte {
	var out map[string][]byte
	for k, v := range m {
		if len(v) == 0 {
			continue
		}
		if out == nil {
			out = make(map[string][]byte, len(m))
		}
		out[k] = bytes.Clone(v)
	}
	return out
}

// customRecord converts a stored custom map to the record form.
func customRecord(m map[string][]byte) map[string]Bytes {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]Bytes, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// isBare reports whether p sets nothing but its ID.
func (p *ProfileRecord) isBare() bool {
	return p.Nick == "" && p.FaceURL == "" && p.Gender == "" && p.SelfSignature == "" &&
		p.AllowType == "" && p.Birthday == 0 && p.Location == "" && p.Language == 0 &&
		p.MessageSettings == 0 && p.AdminForbidType == "" && p.Level == 0 && p.Role == 0 &&
		len(p.Custom) == 0 && p.Version == 0 && p.UpdateTime == nil
}
