//! Reads the `openclaw fleet` registry: the table `fleet_cells` in the host gateway's state
//! database (`<state dir>/state/openclaw.sqlite`), read with SQLite itself, strictly
//! read-only: the database is opened with `mode=ro&immutable=1`, so SQLite takes no lock and
//! creates no journal, WAL or shared-memory file, and a gateway holding the database does not
//! block the read. (Rows a running gateway has not yet checkpointed from its `-wal` file are
//! not seen.) This only reads rows; resolve turns them into gateways, and rules judge them.

use std::path::{Path, PathBuf};

/// At most this many rows are read from one registry.
pub const MAX_CELLS: usize = 10_000;
/// At most this many characters of each text column (a path is at most 4096 bytes on Linux),
/// so a hostile registry cannot make one row cost more than a few pages.
pub const MAX_FIELD: usize = 4096;

/// One row of `fleet_cells`.
#[derive(Debug, Clone, PartialEq)]
pub struct CellRecord {
    pub tenant_id: String,
    pub image: String,
    pub runtime: String,
    pub host_port: i64,
    pub container_name: String,
    pub data_dir: String,
}

/// The registry file of a state dir.
pub fn registry_path(state_dir: &Path) -> PathBuf {
    state_dir.join("state").join("openclaw.sqlite")
}

/// Why a registry could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum RegistryError {
    /// Not opened: permissions, not a regular file, outside the layout.
    Unreadable(String),
    /// Opened, but SQLite cannot read it as the registry: not a database, corrupt, truncated.
    Corrupt(String),
}

impl RegistryError {
    pub fn message(&self) -> &str {
        match self {
            RegistryError::Unreadable(m) | RegistryError::Corrupt(m) => m,
        }
    }
}

/// Reads the registry's cells. `Ok(None)`: no registry file. A database without the table
/// has no cells. The file is checked as the bounded reader checks every input (inside the
/// layout, a regular file: a FIFO is never opened) before SQLite opens it.
pub fn read_cells(path: &Path) -> Result<Option<Vec<CellRecord>>, RegistryError> {
    use super::read::{check_regular, ReadError};
    use rusqlite::{Connection, OpenFlags};
    let unreadable = |e: ReadError| RegistryError::Unreadable(e.describe());
    if let Some(real) = super::layout::outside(path) {
        return Err(unreadable(ReadError::OutsideLayout { real }));
    }
    match check_regular(path) {
        Err(ReadError::Missing) => return Ok(None),
        Err(e) => return Err(unreadable(e)),
        Ok(_) => {}
    }
    // Readable at all? (SQLite's own message for EACCES is vaguer.)
    std::fs::File::open(path).map_err(|e| RegistryError::Unreadable(e.to_string()))?;
    let corrupt = |e: rusqlite::Error| RegistryError::Corrupt(e.to_string());
    let uri = format!("file:{}?mode=ro&immutable=1", uri_path(path));
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&uri, flags).map_err(corrupt)?;
    let has_table: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'fleet_cells'",
            [],
            |row| row.get::<_, i64>(0),
        )
        .map_err(corrupt)?
        > 0;
    if !has_table {
        return Ok(Some(Vec::new()));
    }
    let mut stmt = conn
        .prepare(
            "SELECT substr(tenant_id, 1, ?2), substr(image, 1, ?2), substr(runtime, 1, ?2), \
             host_port, substr(container_name, 1, ?2), substr(data_dir, 1, ?2) \
             FROM fleet_cells ORDER BY tenant_id LIMIT ?1",
        )
        .map_err(corrupt)?;
    let rows = stmt
        .query_map([MAX_CELLS as i64, MAX_FIELD as i64], |row| {
            Ok(CellRecord {
                tenant_id: row.get(0)?,
                image: row.get(1)?,
                runtime: row.get(2)?,
                host_port: row.get(3)?,
                container_name: row.get(4)?,
                data_dir: row.get(5)?,
            })
        })
        .map_err(corrupt)?;
    let mut cells = Vec::new();
    for row in rows {
        cells.push(row.map_err(corrupt)?);
    }
    Ok(Some(cells))
}

/// A path in a `file:` URI: `%`, `?` and `#` escaped.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.display().to_string().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "clawlint-fleet-{name}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    const SCHEMA: &str = "CREATE TABLE fleet_cells (
      tenant_id TEXT NOT NULL PRIMARY KEY, created_at_ms INTEGER NOT NULL, image TEXT NOT NULL,
      runtime TEXT NOT NULL, host_port INTEGER NOT NULL, container_name TEXT NOT NULL,
      data_dir TEXT NOT NULL) STRICT";

    fn registry(dir: &Path, journal: &str) -> PathBuf {
        let path = dir.join("openclaw.sqlite");
        let db = Connection::open(&path).unwrap();
        db.pragma_update(None, "journal_mode", journal).unwrap();
        db.execute_batch(SCHEMA).unwrap();
        db.execute(
            "INSERT INTO fleet_cells VALUES ('acme', 1, 'img', 'docker', 19100, 'openclaw-cell-acme', '/x/fleet/cells/acme')",
            [],
        )
        .unwrap();
        path
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn reading_creates_no_file_and_is_not_blocked_by_a_writer() {
        let tmp = TempDir::new("lock");
        let path = registry(&tmp.0, "delete");
        // The gateway holds the database: an exclusive lock with a write in progress.
        let holder = Connection::open(&path).unwrap();
        holder
            .execute_batch("BEGIN EXCLUSIVE; UPDATE fleet_cells SET image = 'x';")
            .unwrap();
        let before = listing(&tmp.0);
        let cells = read_cells(&path).unwrap().unwrap();
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].host_port, 19100);
        assert_eq!(cells[0].image, "img", "the committed row, not the writer's");
        assert_eq!(
            listing(&tmp.0),
            before,
            "no journal, WAL or shm file appeared"
        );
        holder.execute_batch("ROLLBACK").unwrap();
    }

    #[test]
    fn a_wal_database_is_read_without_creating_wal_or_shm_files() {
        let tmp = TempDir::new("wal");
        let path = registry(&tmp.0, "wal");
        // Closing the writer checkpoints and removes its -wal and -shm files.
        assert_eq!(listing(&tmp.0), vec!["openclaw.sqlite"]);
        let cells = read_cells(&path).unwrap().unwrap();
        assert_eq!(cells[0].tenant_id, "acme");
        assert_eq!(listing(&tmp.0), vec!["openclaw.sqlite"]);
    }

    #[test]
    fn bad_files_are_errors_not_panics() {
        let tmp = TempDir::new("bad");
        let path = tmp.0.join("openclaw.sqlite");
        assert_eq!(read_cells(&path), Ok(None));
        std::fs::write(
            &path,
            "this is not a database, it only has the name of one\n",
        )
        .unwrap();
        let err = read_cells(&path).unwrap_err();
        assert!(err.message().contains("not a database"), "{err:?}");
        assert!(matches!(err, RegistryError::Corrupt(_)));
        std::fs::write(&path, b"SQLite format 3\0truncated").unwrap();
        assert!(read_cells(&path).is_err());
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        let err = read_cells(&path).unwrap_err();
        assert!(err.message().contains("directory"), "{err:?}");
        assert!(matches!(err, RegistryError::Unreadable(_)));
        assert_eq!(listing(&tmp.0), vec!["openclaw.sqlite"]);
    }

    #[test]
    fn huge_fields_are_cut() {
        let tmp = TempDir::new("huge");
        let path = registry(&tmp.0, "delete");
        let db = Connection::open(&path).unwrap();
        db.execute(
            "UPDATE fleet_cells SET image = ?1",
            [("x".repeat(1 << 20)).as_str()],
        )
        .unwrap();
        drop(db);
        let cells = read_cells(&path).unwrap().unwrap();
        assert_eq!(cells[0].image.len(), MAX_FIELD);
    }

    #[test]
    fn a_database_without_the_table_has_no_cells() {
        let tmp = TempDir::new("empty");
        let path = tmp.0.join("openclaw.sqlite");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE other (x)")
            .unwrap();
        assert_eq!(read_cells(&path), Ok(Some(Vec::new())));
    }
}
