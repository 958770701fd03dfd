-- `fleet_cells` as a view that selects without end (a recursive CTE with no bound): only the
-- registry's step budget stops reading it.
-- Shared by src/load/fleet.rs's unit test and tests/hostile.rs.
CREATE VIEW fleet_cells AS
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
  SELECT 't' || i AS tenant_id, 1 AS created_at_ms, 'img' AS image,
    'docker' AS runtime, 19100 AS host_port, 'c' AS container_name,
    '/d' AS data_dir FROM n;
