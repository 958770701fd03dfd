-- `fleet_cells` as a view over a table `raw (t TEXT, p INTEGER)` the test fills: the columns
-- OpenClaw 2026.9.6 reads from the table of that name (registry.kernel's selectFrom).
-- CELLS is replaced with the cells directory (`<state dir>/fleet/cells`).
-- Shared by src/load/fleet.rs's unit test and tests/hostile.rs.
CREATE VIEW fleet_cells AS SELECT t AS tenant_id, 1 AS created_at_ms,
  'ghcr.io/openclaw/openclaw:2026.9.6' AS image, 'docker' AS runtime, p AS host_port,
  'openclaw-cell-' || t AS container_name, 'CELLS/' || t AS data_dir FROM raw;
