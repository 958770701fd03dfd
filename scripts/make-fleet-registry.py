#!/usr/bin/env python3
"""Writes a fleet registry fixture: a copy of a state database that the real OpenClaw created
(`openclaw agents list --json` creates <state dir>/state/openclaw.sqlite with its whole schema),
with fleet_cells rows inserted as OpenClaw's reserveFleetCellInDatabase inserts them, switched
from WAL to a rollback journal so the fixture is one self-contained file.

    make-fleet-registry.py EMPTY_DB OUT_DB tenant:port [tenant:port ...]

Check what OpenClaw reads back with `openclaw fleet list --json` on a copy (see SOURCES.md).
"""
import shutil, sqlite3, sys

src, out, cells = sys.argv[1], sys.argv[2], sys.argv[3:]
shutil.copyfile(src, out)
db = sqlite3.connect(out)
db.execute("PRAGMA journal_mode=DELETE")
for i, cell in enumerate(cells):
    tenant, port = cell.split(":")
    db.execute(
        "INSERT INTO fleet_cells (tenant_id, created_at_ms, image, runtime, host_port, container_name, data_dir)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (tenant, 1796000000000 + i * 1000, "ghcr.io/openclaw/openclaw:2026.9.6", "docker",
         int(port), f"openclaw-cell-{tenant}", f"/home/alice/.openclaw/fleet/cells/{tenant}"),
    )
db.commit()
db.execute("VACUUM")
db.close()
