-- +goose Up
-- The zone a server asked for (Nova's RequestSpec.availability_zone),
-- apart from the zone it is in: a server that asked for none may move to
-- any zone. Servers made before this column keep what moved them before:
-- their zone of now.
ALTER TABLE compute_instances ADD COLUMN requested_az TEXT NOT NULL DEFAULT '';
UPDATE compute_instances SET requested_az = availability_zone;

-- +goose Down
ALTER TABLE compute_instances DROP COLUMN requested_az;
