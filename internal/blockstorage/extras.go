package blockstorage

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/gostack/gostack/internal/blockstorage/usermsg"
	"github.com/gostack/gostack/internal/platform/db"
	"github.com/gostack/gostack/internal/platform/httpapi"
)

// Message is a user message (Cinder's messages, microversion 3.3): what
// an operation that failed in the background tells the project that
// asked for it, kept until ExpiresAt.
type Message struct {
	ID        string
	ProjectID string
	// RequestID is the request that started the operation.
	RequestID string
	// ResourceType is Cinder's resource kind: "VOLUME",
	// "VOLUME_SNAPSHOT", "VOLUME_BACKUP" ...; ResourceUUID its id.
	ResourceType string
	ResourceUUID string
	// EventID is "VOLUME_<resource type>_<action id>_<detail id>" and
	// UserMessage "<action>: <detail>" (NewMessage composes both).
	EventID     string
	Level       string
	UserMessage string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Resource types of messages, as Cinder names them.
const (
	ResourceVolume   = "VOLUME"
	ResourceSnapshot = "VOLUME_SNAPSHOT"
	ResourceBackup   = "VOLUME_BACKUP"
	ResourceGroup    = "VOLUME_GROUP"
)

// MessageTTL is how long a message is kept (Cinder's message_ttl).
const MessageTTL = 30 * 24 * time.Hour

// NewMessage is the ERROR message of an action on a resource that failed
// for a reason, worded and numbered as Cinder does (event_id
// "VOLUME_<resource type>_<action>_<detail>").
func NewMessage(project, resourceType, resourceID string, a usermsg.Action, d usermsg.Detail) Message {
	return Message{
		ProjectID:    project,
		ResourceType: resourceType,
		ResourceUUID: resourceID,
		EventID:      "VOLUME_" + resourceType + "_" + string(a) + "_" + string(d),
		Level:        "ERROR",
		UserMessage:  a.Text() + ": " + d.Text(),
	}
}

// MessageFilter narrows a message list.
type MessageFilter struct {
	// Project, when set, is one project's messages (a non-admin's list,
	// or an admin's without all_tenants).
	Project string
}

// ExtrasTx is what a transaction does with user messages and quota
// classes (the usage counts are QuotaTx's).
type ExtrasTx interface {
	CreateMessage(ctx context.Context, m *Message) error
	// GetMessage returns apierr.ErrNotFound for an unknown or expired
	// message.
	GetMessage(ctx context.Context, id string) (*Message, error)
	ListMessages(ctx context.Context, f MessageFilter) ([]*Message, error)
	DeleteMessage(ctx context.Context, id string) error
	// DeleteExpiredMessages removes the messages expired at now.
	DeleteExpiredMessages(ctx context.Context, now time.Time) error

	// QuotaClass returns the limits stored for a quota class other than
	// "default" (whose limits are the quota defaults); SetQuotaClass
	// stores one.
	QuotaClass(ctx context.Context, name string) (map[string]int64, error)
	SetQuotaClass(ctx context.Context, name, resource string, limit int64) error
}

// RecordMessage stores a user message about an operation that failed
// (in the background, most often) inside the caller's transaction. Its
// id, level, times and request id are filled when left empty: the
// request id is the one of ctx when ctx is a request's.
func (s *Service) RecordMessage(ctx context.Context, tx Tx, m Message) error {
	if m.ID == "" {
		m.ID = uuid.NewString()
	}
	if m.Level == "" {
		m.Level = "ERROR"
	}
	if m.RequestID == "" {
		m.RequestID = httpapi.RequestID(ctx)
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = db.Now()
	}
	if m.ExpiresAt.IsZero() {
		m.ExpiresAt = m.CreatedAt.Add(MessageTTL)
	}
	return tx.CreateMessage(ctx, &m)
}
