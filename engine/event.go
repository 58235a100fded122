package engine

// EventKind says what changed. The values are stored in the change log:
// part of the format, never change.
type EventKind uint8

// Event kinds of SEMANTICS.md §6.
const (
	ProfileUpdated       EventKind = 1  // the user's own profile changed
	FriendProfileChanged EventKind = 2  // a profile in the user's list changed (live only, never logged)
	FriendAdded          EventKind = 3  // Peers joined the user's friend list
	FriendDeleted        EventKind = 4  // Peers left the user's friend list
	FriendUpdated        EventKind = 5  // the user changed the edge to Peers[0] (remark, groups, custom)
	ApplicationAdded     EventKind = 6  // the application Peers[0] -> Peers[1] (sender, target) was created or refreshed
	ApplicationDeleted   EventKind = 7  // the application Peers[0] -> Peers[1] (sender, target) is gone; see Reason
	ApplicationsRead     EventKind = 8  // the user marked the incoming applications read
	BlockAdded           EventKind = 9  // the user blocked Peers
	BlockDeleted         EventKind = 10 // the user unblocked Peers
	GroupCreated         EventKind = 11 // Groups[0] was created
	GroupDeleted         EventKind = 12 // Groups[0] was deleted
	GroupRenamed         EventKind = 13 // Groups[0] was renamed to Groups[1]
	GroupMembersAdded    EventKind = 14 // Peers joined Groups[0]
	GroupMembersRemoved  EventKind = 15 // Peers left Groups[0]
)

// Reason says why an application was deleted. Stored: never change.
type Reason uint8

// Reasons of ApplicationDeleted.
const (
	ReasonNone     Reason = 0
	ReasonAccepted Reason = 1 // answered by AcceptApplication, or completed by a crossing add
	ReasonRefused  Reason = 2 // answered by RefuseApplication
	ReasonDeleted  Reason = 3 // removed by DeleteApplications or DeleteUser
	ReasonBlocked  Reason = 4 // removed because one side blocked the other
)
