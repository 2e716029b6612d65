package servers

import (
	"context"
	"errors"
	"slices"

	"github.com/gostack/gostack/internal/compute"
	"github.com/gostack/gostack/internal/platform/apierr"
)

// finishedMigration are the migration statuses of a migration that is
// over (Nova's MigrationList.get_in_progress_* exclude them).
var finishedMigration = []string{"confirmed", "reverted", "error", "failed", "completed", "cancelled", "done"}

// Migrations lists migrations (os-migrations, admin).
func (s *Service) Migrations(ctx context.Context, f compute.MigrationFilter) ([]compute.Migration, error) {
	out, err := s.store.ListMigrations(ctx, f)
	if errors.Is(err, apierr.ErrNotFound) && f.Marker != "" {
		return nil, apierr.BadRequest("Marker %s could not be found.", f.Marker)
	}
	return out, err
}

// liveMigrations returns the in-progress live migrations of an instance.
func (s *Service) liveMigrations(ctx context.Context, id string) ([]compute.Migration, error) {
	all, err := s.store.ListMigrations(ctx, compute.MigrationFilter{InstanceID: id, Type: "live-migration"})
	if err != nil {
		return nil, err
	}
	out := []compute.Migration{}
	for _, m := range all {
		if m.Type == "live-migration" && !slices.Contains(finishedMigration, m.Status) {
			out = append(out, m)
		}
	}
	return out, nil
}

// ServerMigrations lists a server's in-progress live migrations (2.23+).
func (s *Service) ServerMigrations(ctx context.Context, c compute.Caller, id string) ([]compute.Migration, error) {
	if _, err := compute.VisibleInstance(ctx, s.store, c, id, false); err != nil {
		return nil, err
	}
	return s.liveMigrations(ctx, id)
}

// ServerMigration returns one migration of a server.
func (s *Service) ServerMigration(ctx context.Context, c compute.Caller, id string, migrationID int64) (*compute.Migration, error) {
	if _, err := compute.VisibleInstance(ctx, s.store, c, id, false); err != nil {
		return nil, err
	}
	ms, err := s.liveMigrations(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.ID == migrationID {
			return &m, nil
		}
	}
	return nil, apierr.NotFound("In-progress live migration %d is not found for server %s.", migrationID, id)
}

// instanceMigration finds migration migrationID of instance id.
func (s *Service) instanceMigration(ctx context.Context, id string, migrationID int64) (*compute.Migration, error) {
	all, err := s.store.ListMigrations(ctx, compute.MigrationFilter{InstanceID: id})
	if err != nil {
		return nil, err
	}
	for _, m := range all {
		if m.ID == migrationID && m.InstanceID == id {
			return &m, nil
		}
	}
	return nil, apierr.NotFound("Migration %d not found for instance %s", migrationID, id)
}

// ForceCompleteMigration and AbortMigration act on a running live
// migration (2.22, 2.24). The checks are Nova's; the conductor has no
// operation for either yet, so a migration that passes them is answered
// with a 501 (with the fake driver live migrations finish at once and
// never get that far).
func (s *Service) ForceCompleteMigration(ctx context.Context, c compute.Caller, id string, migrationID int64) error {
	inst, err := compute.VisibleInstance(ctx, s.store, c, id, false)
	if err != nil {
		return err
	}
	if err := compute.LockError(c, inst); err != nil {
		return err
	}
	sc := compute.StateCheck{VM: []string{compute.VMActive}, Task: []string{compute.TaskMigrating}}
	if err := sc.Check("force_complete", inst); err != nil {
		return err
	}
	m, err := s.instanceMigration(ctx, id, migrationID)
	if err != nil {
		return err
	}
	if m.Status != "running" {
		return apierr.BadRequest("Migration %d state of instance %s is %s. Cannot force complete while the migration is in this state.", migrationID, id, m.Status)
	}
	return apierr.NotImplemented("Forcing a live migration to complete is not supported by this cloud yet.")
}

// AbortMigration cancels a queued, preparing or running live migration.
func (s *Service) AbortMigration(ctx context.Context, c compute.Caller, id string, migrationID int64) error {
	inst, err := compute.VisibleInstance(ctx, s.store, c, id, false)
	if err != nil {
		return err
	}
	if err := compute.LockError(c, inst); err != nil {
		return err
	}
	sc := compute.StateCheck{Task: []string{compute.TaskMigrating}}
	if err := sc.Check("abort live migration", inst); err != nil {
		return err
	}
	m, err := s.instanceMigration(ctx, id, migrationID)
	if err != nil {
		return err
	}
	if !slices.Contains([]string{"running", "queued", "preparing"}, m.Status) {
		return apierr.BadRequest("Migration %d state of instance %s is %s. Cannot abort live migration while the migration is in this state.", migrationID, id, m.Status)
	}
	return apierr.NotImplemented("Aborting a live migration is not supported by this cloud yet.")
}
