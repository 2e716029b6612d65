-- +goose Up
-- OS-DCF:diskConfig and Nova's instance system_metadata (JSON text):
-- what compute keeps about an instance for itself (shelved_image_id,
-- old_vm_state, image_* of the boot image).
ALTER TABLE compute_instances ADD COLUMN disk_config TEXT NOT NULL DEFAULT 'MANUAL';
ALTER TABLE compute_instances ADD COLUMN system_metadata TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE compute_instances DROP COLUMN system_metadata;
ALTER TABLE compute_instances DROP COLUMN disk_config;
