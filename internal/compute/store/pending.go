package store

import (
	"context"

	"github.com/gostack/gostack/internal/compute"
)

// The servers and hosts half of compute.Store; being written.

var errPending = &compute.NotImplementedError{Msg: "not implemented yet"}

func (s *Store) StartAction(ctx context.Context, a *compute.InstanceAction) error { return errPending }
func (s *Store) StartEvent(ctx context.Context, instanceID, requestID string, e compute.ActionEvent) error {
	return errPending
}
func (s *Store) FinishEvent(ctx context.Context, instanceID, requestID string, e compute.ActionEvent) error {
	return errPending
}
func (s *Store) ListActions(ctx context.Context, instanceID string, f compute.ActionFilter) ([]compute.InstanceAction, error) {
	return nil, nil
}
func (s *Store) GetAction(ctx context.Context, instanceID, requestID string) (*compute.InstanceAction, error) {
	return nil, compute.ErrNotFound
}
func (s *Store) CreateMigration(ctx context.Context, m *compute.Migration) error { return errPending }
func (s *Store) UpdateMigration(ctx context.Context, uuid string, fn func(*compute.Migration) error) (*compute.Migration, error) {
	return nil, compute.ErrNotFound
}
func (s *Store) GetMigration(ctx context.Context, uuid string) (*compute.Migration, error) {
	return nil, compute.ErrNotFound
}
func (s *Store) ListMigrations(ctx context.Context, f compute.MigrationFilter) ([]compute.Migration, error) {
	return nil, nil
}
func (s *Store) UpsertService(ctx context.Context, hs *compute.HostService) (*compute.HostService, error) {
	return nil, errPending
}
func (s *Store) GetService(ctx context.Context, id string) (*compute.HostService, error) {
	return nil, compute.ErrNotFound
}
func (s *Store) ListServices(ctx context.Context, host, binary string) ([]compute.HostService, error) {
	return nil, nil
}
func (s *Store) UpdateService(ctx context.Context, id string, fn func(*compute.HostService) error) (*compute.HostService, error) {
	return nil, compute.ErrNotFound
}
func (s *Store) DeleteService(ctx context.Context, id string) error { return errPending }
func (s *Store) UpsertNodes(ctx context.Context, nodes []compute.ComputeNode) error {
	return errPending
}
func (s *Store) GetNode(ctx context.Context, id string) (*compute.ComputeNode, error) {
	return nil, compute.ErrNotFound
}
func (s *Store) ListNodes(ctx context.Context, host, pattern string) ([]compute.ComputeNode, error) {
	return nil, nil
}
func (s *Store) CreateAggregate(ctx context.Context, a *compute.Aggregate) error { return errPending }
func (s *Store) GetAggregate(ctx context.Context, id int64) (*compute.Aggregate, error) {
	return nil, compute.ErrNotFound
}
func (s *Store) ListAggregates(ctx context.Context) ([]compute.Aggregate, error) { return nil, nil }
func (s *Store) UpdateAggregate(ctx context.Context, id int64, fn func(*compute.Aggregate) error) (*compute.Aggregate, error) {
	return nil, compute.ErrNotFound
}
func (s *Store) DeleteAggregate(ctx context.Context, id int64) error { return errPending }
