//! Reads the `openclaw fleet` registry: the table `fleet_cells` in the host gateway's state
//! database (`<state dir>/state/openclaw.sqlite`), read with SQLite itself, strictly
//! read-only: no file is created or written, and a gateway holding the database does not
//! block the read.
//!
//! OpenClaw keeps that database in WAL mode, and a running gateway keeps it open, so the cells
//! `openclaw fleet create` added since the last checkpoint are only in the `-wal` file. When
//! the `-wal` and `-shm` files are there (regular files), the database is opened
//! `mode=ro&readonly_shm=1`: SQLite reads the WAL through a shared-memory file it opens
//! read-only, and opens the existing `-wal` without writing it (checked with strace: no
//! write, no file created, contents unchanged). Otherwise (no WAL, or that read fails) it is
//! opened `mode=ro&immutable=1`: no lock, no journal, WAL or shm file, only the main file.
//! This only reads rows; resolve turns them into gateways, and rules judge them.

use std::path::{Path, PathBuf};

/// At most this many rows are taken from one registry ([`read_cells`] reads one more, to
/// tell a registry that holds more).
pub const MAX_CELLS: usize = 10_000;
/// At most this many characters of each text column (a path is at most 4096 bytes on Linux),
/// so a hostile registry cannot make one row cost more than a few pages.
pub const MAX_FIELD: usize = 4096;
/// SQLite virtual-machine instructions the registry's queries may run in all. Reading
/// [`MAX_CELLS`] rows of a real registry takes a few hundred thousand; a registry that makes
/// its query cost more (a virtual generated column computing for minutes, a huge table to
/// sort) is stopped here, so it cannot hang the run.
pub const MAX_STEPS: u64 = 50_000_000;
/// Time the registry's queries may take in all. A function call is one instruction however
/// long it runs, so a generated column of costly calls over few rows is bounded by this.
pub const MAX_TIME: std::time::Duration = std::time::Duration::from_secs(5);
/// Instructions between two checks of the budget (SQLite's progress handler period).
const STEPS_PER_CHECK: u64 = 1_000;
/// Longest text, blob or row SQLite may build while reading (a generated column computing
/// `zeroblob(2000000000)` fails at once instead of allocating gigabytes).
const MAX_LENGTH: i32 = 16 << 20;

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
    crate::paths::join(&crate::paths::join(state_dir, "state"), "openclaw.sqlite")
}

/// Why a registry could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum RegistryError {
    /// Not opened: permissions, not a regular file.
    Unreadable(String),
    /// Not looked at: it is outside the scanned layout.
    Outside(String),
    /// Opened, but SQLite cannot read it as the registry: not a database, corrupt, truncated.
    Corrupt(String),
    /// Reading it would take more than [`MAX_STEPS`] or [`MAX_TIME`], or build a value over
    /// 16 MiB.
    Budget(String),
}

impl RegistryError {
    pub fn message(&self) -> &str {
        match self {
            RegistryError::Unreadable(m)
            | RegistryError::Outside(m)
            | RegistryError::Corrupt(m)
            | RegistryError::Budget(m) => m,
        }
    }
}

/// Reads the registry's cells. `Ok(None)`: no registry file. A database without the table
/// (or a view of that name) has no cells. The file is checked as the bounded reader checks every input (inside the
/// layout, a regular file: a FIFO is never opened) before SQLite opens it.
pub fn read_cells(path: &Path) -> Result<Option<Vec<CellRecord>>, RegistryError> {
    read_cells_within(path, MAX_STEPS, MAX_TIME)
}

/// [`read_cells`] with a budget of `max_steps` SQLite instructions and `max_time`.
fn read_cells_within(
    path: &Path,
    max_steps: u64,
    max_time: std::time::Duration,
) -> Result<Option<Vec<CellRecord>>, RegistryError> {
    use super::read::{look, special_kind, ReadError};
    let unreadable = |e: ReadError| match e {
        ReadError::OutsideLayout { .. } => RegistryError::Outside(e.describe()),
        _ => RegistryError::Unreadable(e.describe()),
    };
    // Under a copied `--root`, its links lead within the root (`paths::on_host`).
    let Some(path) = crate::paths::on_host(path) else {
        return Err(unreadable(ReadError::Io(
            "a symlink loop (too many levels of symbolic links)".to_string(),
        )));
    };
    let path: &Path = &path;
    // One `lstat` (and a `stat` for a symlink): most state dirs hold no registry.
    let (symlink, meta) = look(path);
    if symlink || meta.is_ok() {
        if let Some(real) = super::layout::outside_probed(path, symlink) {
            return Err(unreadable(ReadError::OutsideLayout { real }));
        }
    }
    match meta {
        Err(ReadError::Missing) => return Ok(None),
        Err(e) => return Err(unreadable(e)),
        Ok(meta) => {
            if let Some(kind) = special_kind(meta.file_type()) {
                return Err(unreadable(ReadError::NotRegular { kind }));
            }
        }
    }
    // Readable at all? (SQLite's own message for EACCES is vaguer.)
    let mut file =
        std::fs::File::open(path).map_err(|e| RegistryError::Unreadable(e.to_string()))?;
    // SQLite follows a linked database to its target and opens the `-wal`, `-shm` and
    // `-journal` beside the target: those are the siblings to check, and the path to open.
    let real = std::fs::canonicalize(path).map_err(|e| RegistryError::Unreadable(e.to_string()))?;
    if in_wal_mode(&mut file) && has_live_wal(&real) {
        // A WAL read that fails for another reason than the budget (a checkpoint under way,
        // an shm SQLite will not trust) falls back to the main file alone.
        match query_cells(&real, "mode=ro&readonly_shm=1", max_steps, max_time) {
            Ok(cells) => return Ok(Some(cells)),
            Err(e @ RegistryError::Budget(_)) => return Err(e),
            Err(_) => {}
        }
    }
    query_cells(&real, "mode=ro&immutable=1", max_steps, max_time).map(Some)
}

/// Whether the database header says WAL mode (file format versions 2 at bytes 18 and 19):
/// a rollback-journal database is read from its main file alone.
fn in_wal_mode(file: &mut std::fs::File) -> bool {
    use std::io::Read;
    let mut header = [0u8; 20];
    file.read_exact(&mut header).is_ok() && header[18] == 2 && header[19] == 2
}

/// Whether the database has a write-ahead log a reader must see: a non-empty `-wal` and an
/// `-shm`, both regular files (a FIFO there would block SQLite's open) and not links (SQLite
/// opens them `O_NOFOLLOW`), and no `-journal` but a regular file (SQLite opens a journal it
/// takes for hot, and a FIFO would block that open). Without the `-shm`, SQLite would create
/// one; without the `-wal` there is nothing beyond the main file. `path` is the real path.
fn has_live_wal(path: &Path) -> bool {
    let sibling = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    let regular = |p: &Path| match super::read::look(p) {
        (false, Ok(meta)) => meta.file_type().is_file().then_some(meta.len()),
        _ => None,
    };
    let journal_safe = match super::read::look(&sibling("-journal")) {
        (_, Err(super::read::ReadError::Missing)) => true,
        (symlink, meta) => !symlink && meta.is_ok_and(|m| m.file_type().is_file()),
    };
    regular(&sibling("-wal")).is_some_and(|len| len > 0)
        && regular(&sibling("-shm")).is_some()
        && journal_safe
}

/// Opens the registry with the URI `options` and reads its cells, within the budgets.
fn query_cells(
    path: &Path,
    options: &str,
    max_steps: u64,
    max_time: std::time::Duration,
) -> Result<Vec<CellRecord>, RegistryError> {
    use rusqlite::{Connection, OpenFlags};
    // Which budget the progress handler (below) stopped a query at.
    let (stopped, why) = std::sync::mpsc::channel::<&'static str>();
    let corrupt = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::OperationInterrupted) => RegistryError::Budget(format!(
            "reading it takes more than {} (far more than a real registry's rows need)",
            match why.try_recv() {
                Ok("time") => format!("{} ms", max_time.as_millis()),
                _ => format!("{max_steps} SQLite steps"),
            }
        )),
        Some(rusqlite::ErrorCode::TooBig) => {
            RegistryError::Budget(format!("reading it builds a value over {MAX_LENGTH} bytes"))
        }
        _ => RegistryError::Corrupt(e.to_string()),
    };
    let uri = format!("file:{}?{options}", uri_path(path));
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&uri, flags).map_err(corrupt)?;
    // Never checkpoint on close, even if this is the last connection to a WAL database.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )
    .map_err(corrupt)?;
    conn.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_LENGTH, MAX_LENGTH)
        .map_err(corrupt)?;
    // Every query below counts against one budget; past it SQLite interrupts the query.
    let mut checks = 0u64;
    let started = std::time::Instant::now();
    conn.progress_handler(
        STEPS_PER_CHECK as std::os::raw::c_int,
        Some(move || {
            checks += 1;
            let reason = if checks.saturating_mul(STEPS_PER_CHECK) > max_steps {
                "steps"
            } else if started.elapsed() > max_time {
                "time"
            } else {
                return false;
            };
            let _ = stopped.send(reason);
            true
        }),
    );
    // OpenClaw's reads go to whatever `fleet_cells` names, a view as well as a table (its
    // `CREATE TABLE IF NOT EXISTS fleet_cells` leaves a view of that name in place): so do
    // these, within the same budgets (a view can compute as much as it likes).
    let has_table: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'fleet_cells'",
            [],
            |row| row.get::<_, i64>(0),
        )
        .map_err(corrupt)?
        > 0;
    if !has_table {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare(
            "SELECT substr(tenant_id, 1, ?2), substr(image, 1, ?2), substr(runtime, 1, ?2), \
             host_port, substr(container_name, 1, ?2), substr(data_dir, 1, ?2) \
             FROM fleet_cells ORDER BY tenant_id LIMIT ?1",
        )
        .map_err(corrupt)?;
    let rows = stmt
        .query_map([MAX_CELLS as i64 + 1, MAX_FIELD as i64], |row| {
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
    Ok(cells)
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

    /// Every file in `dir` with its contents: a read that changed or created one shows here.
    fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
        listing(dir)
            .into_iter()
            .map(|name| {
                let bytes = std::fs::read(dir.join(&name)).unwrap();
                (name, bytes)
            })
            .collect()
    }

    #[test]
    fn cells_a_running_gateway_holds_in_its_wal_are_read_without_writing_anything() {
        let tmp = TempDir::new("live-wal");
        let path = registry(&tmp.0, "wal");
        // A gateway (another process) holds the database: what was created since the last
        // checkpoint (globex) is only in the -wal file. Its connection closes here without a
        // checkpoint, leaving -wal and -shm as a running gateway has them: in one process
        // SQLite would share the gateway's shared memory with the reader.
        let gateway = Connection::open(&path).unwrap();
        gateway
            .execute_batch(
                "PRAGMA wal_autocheckpoint = 0; PRAGMA wal_checkpoint(TRUNCATE); \
                 INSERT INTO fleet_cells VALUES ('globex', 2, 'img', 'docker', 19101, 'openclaw-cell-globex', '/x/fleet/cells/globex');",
            )
            .unwrap();
        gateway
            .set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
                true,
            )
            .unwrap();
        drop(gateway);
        let before = contents(&tmp.0);
        assert_eq!(
            listing(&tmp.0),
            [
                "openclaw.sqlite",
                "openclaw.sqlite-shm",
                "openclaw.sqlite-wal"
            ]
        );
        let cells = read_cells(&path).unwrap().unwrap();
        let ports: Vec<i64> = cells.iter().map(|c| c.host_port).collect();
        assert_eq!(ports, [19100, 19101], "the cell only in the WAL is seen");
        assert!(contents(&tmp.0) == before, "no file created, none written");
        // A writer in the middle of a transaction: the committed rows, no file created.
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch("BEGIN IMMEDIATE; UPDATE fleet_cells SET host_port = 1;")
            .unwrap();
        let cells = read_cells(&path).unwrap().unwrap();
        assert_eq!(cells[1].host_port, 19101);
        writer.execute_batch("ROLLBACK").unwrap();
        assert_eq!(
            listing(&tmp.0),
            before.iter().map(|f| f.0.clone()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_wal_whose_shm_is_missing_or_a_fifo_falls_back_to_the_main_file() {
        let tmp = TempDir::new("odd-wal");
        let path = registry(&tmp.0, "wal");
        let wal = tmp.0.join("openclaw.sqlite-wal");
        let shm = tmp.0.join("openclaw.sqlite-shm");
        // A crashed gateway's leftovers: a -wal and no -shm. SQLite would create the -shm.
        std::fs::write(&wal, b"not a real log").unwrap();
        let cells = read_cells(&path).unwrap().unwrap();
        assert_eq!(cells.len(), 1);
        assert!(!shm.exists(), "no -shm created");
        // A FIFO as -shm would block SQLite's open for ever.
        mkfifo(&shm);
        let cells = read_cells(&path).unwrap().unwrap();
        assert_eq!(cells.len(), 1);
    }

    /// `read_cells(path)`, failing the test instead of hanging it when SQLite blocks.
    fn read_cells_unblocked(path: &Path) -> Result<Option<Vec<CellRecord>>, RegistryError> {
        let path = path.to_path_buf();
        let (done, result) = std::sync::mpsc::channel();
        std::thread::spawn(move || done.send(read_cells(&path)));
        result
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the read blocked (a FIFO opened)")
    }

    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }

    #[test]
    fn a_linked_registry_is_read_beside_its_target_without_writing_or_blocking() {
        let tmp = TempDir::new("linked");
        let db = tmp.0.join("db");
        let state = tmp.0.join("state");
        std::fs::create_dir_all(&db).unwrap();
        std::fs::create_dir_all(&state).unwrap();
        registry(&db, "wal");
        let link = state.join("openclaw.sqlite");
        std::os::unix::fs::symlink("../db/openclaw.sqlite", &link).unwrap();
        // A live-looking WAL beside the link, none beside the target, where SQLite looks:
        // opened for it, SQLite would create the target's -wal.
        std::fs::write(state.join("openclaw.sqlite-wal"), b"leftover").unwrap();
        std::fs::write(state.join("openclaw.sqlite-shm"), b"").unwrap();
        let before = contents(&db);
        assert_eq!(read_cells_unblocked(&link).unwrap().unwrap().len(), 1);
        assert!(contents(&db) == before, "nothing created beside the target");
        // FIFOs beside the target, regular files beside the link: never opened.
        mkfifo(&db.join("openclaw.sqlite-wal"));
        mkfifo(&db.join("openclaw.sqlite-shm"));
        assert_eq!(read_cells_unblocked(&link).unwrap().unwrap().len(), 1);
    }

    #[test]
    fn a_fifo_journal_is_never_opened() {
        for mode in ["delete", "wal"] {
            let tmp = TempDir::new(&format!("journal-{mode}"));
            let path = registry(&tmp.0, mode);
            // What SQLite would take for a live WAL, and a journal it would open to see
            // whether it is hot.
            std::fs::write(tmp.0.join("openclaw.sqlite-wal"), b"leftover").unwrap();
            std::fs::write(tmp.0.join("openclaw.sqlite-shm"), b"").unwrap();
            mkfifo(&tmp.0.join("openclaw.sqlite-journal"));
            let cells = read_cells_unblocked(&path).unwrap().unwrap();
            assert_eq!(cells.len(), 1, "{mode}");
        }
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

    /// A registry of more than [`MAX_CELLS`] cells: the first ones by tenant id are
    /// gateways, and the rest is one CL907 on the registry, never a silent cut.
    #[test]
    fn cells_past_the_limit_are_reported_not_dropped_silently() {
        let tmp = TempDir::new("many-cells");
        let state = tmp.0.join("state-dir");
        std::fs::create_dir_all(state.join("state")).unwrap();
        let path = registry(&state.join("state"), "delete");
        let db = Connection::open(&path).unwrap();
        db.execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {})
             INSERT INTO fleet_cells SELECT 't' || printf('%06d', i), 1, 'img', 'docker',
             19100 + i, 'c' || i, '/d' FROM n;",
            MAX_CELLS + 4
        ))
        .unwrap();
        drop(db);
        assert_eq!(read_cells(&path).unwrap().unwrap().len(), MAX_CELLS + 1);
        let mut sources = crate::source::SourceMap::new();
        let mut problems = Vec::new();
        let cells = crate::resolve::fleet::invocations(&state, &tmp.0, &mut sources, &mut problems);
        assert_eq!(cells.len(), MAX_CELLS);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].kind, crate::load::ProblemKind::Budget);
        assert!(
            problems[0].message.contains(
                "holds more than 10000 cells: clawlint lints the first 10000 by tenant id"
            ),
            "{}",
            problems[0].message
        );
        assert!(problems[0].loc.is_some());
    }

    /// A registry whose rows cost SQLite work (here, many rows to sort) is read within the
    /// budget or stopped at it with its own error, never read for as long as it likes.
    #[test]
    fn the_step_budget_stops_a_costly_registry() {
        let tmp = TempDir::new("steps");
        let path = registry(&tmp.0, "delete");
        let db = Connection::open(&path).unwrap();
        db.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
             INSERT INTO fleet_cells SELECT 't' || i, 1, 'img', 'docker', 19100, 'c', '/d' FROM n;",
        )
        .unwrap();
        drop(db);
        assert_eq!(read_cells(&path).unwrap().unwrap().len(), 5001);
        let err = read_cells_within(&path, 20_000, MAX_TIME).unwrap_err();
        assert!(matches!(err, RegistryError::Budget(_)), "{err:?}");
        assert!(err.message().contains("20000 SQLite steps"), "{err:?}");
    }

    /// A virtual generated column is computed on every read: a hostile registry can make
    /// that as costly as it likes. A huge value fails at once; a slow one meets the budget.
    #[test]
    fn generated_columns_cannot_make_a_read_huge_or_endless() {
        let tmp = TempDir::new("generated");
        let path = tmp.0.join("openclaw.sqlite");
        let db = Connection::open(&path).unwrap();
        db.execute_batch(
            "CREATE TABLE fleet_cells (
               seed TEXT, tenant_id TEXT GENERATED ALWAYS AS (hex(zeroblob(20000000))),
               created_at_ms INTEGER, image TEXT, runtime TEXT, host_port INTEGER,
               container_name TEXT, data_dir TEXT);
             INSERT INTO fleet_cells (seed, host_port) VALUES ('a', 1);",
        )
        .unwrap();
        drop(db);
        let err = read_cells(&path).unwrap_err();
        assert!(matches!(err, RegistryError::Budget(_)), "{err:?}");
        std::fs::remove_file(&path).unwrap();
        let db = Connection::open(&path).unwrap();
        // Each row's tenant id is a long chain of nested replace() calls over a long text,
        // one that depends on the row (SQLite computes a constant expression once per
        // statement), in rows that are otherwise valid: reading them all costs seconds on any
        // machine, far past the budget, whatever one row costs. The column is added after
        // the rows, so that writing them does not compute it.
        let mut expr = "printf('%.*c', 100000 + seed, 'x')".to_string();
        for _ in 0..40 {
            expr = format!("replace({expr}, 'x', 'x')");
        }
        db.execute_batch(&format!(
            "CREATE TABLE fleet_cells (
               seed INTEGER, created_at_ms INTEGER, image TEXT, runtime TEXT,
               host_port INTEGER, container_name TEXT, data_dir TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             INSERT INTO fleet_cells
             SELECT i, 0, 'openclaw:local', 'docker', 19100 + i, 'cell-' || i, '/cells/' || i
             FROM n;
             ALTER TABLE fleet_cells ADD COLUMN
               tenant_id TEXT GENERATED ALWAYS AS (substr({expr}, seed, 8)) VIRTUAL;"
        ))
        .unwrap();
        drop(db);
        let err =
            read_cells_within(&path, MAX_STEPS, std::time::Duration::from_millis(50)).unwrap_err();
        assert!(matches!(err, RegistryError::Budget(_)), "{err:?}");
        assert!(err.message().contains("50 ms"), "{err:?}");
    }

    /// `fleet_cells` as a view over another table: OpenClaw reads it as it reads the table,
    /// and so does this; one that selects without end meets the budget.
    #[test]
    fn a_view_named_fleet_cells_is_read_as_the_table() {
        let tmp = TempDir::new("view");
        let path = tmp.0.join("openclaw.sqlite");
        let db = Connection::open(&path).unwrap();
        let view = include_str!("../../tests/data/fleet/view-over-raw.sql");
        db.execute_batch(&format!(
            "CREATE TABLE raw (t TEXT, p INTEGER);
             INSERT INTO raw VALUES ('globex', 19101), ('acme', 19100);
             {}",
            view.replace("CELLS", "/x/fleet/cells")
        ))
        .unwrap();
        drop(db);
        let cells = read_cells(&path).unwrap().unwrap();
        let read: Vec<(&str, i64)> = cells
            .iter()
            .map(|c| (c.tenant_id.as_str(), c.host_port))
            .collect();
        assert_eq!(read, [("acme", 19100), ("globex", 19101)]);
        std::fs::remove_file(&path).unwrap();
        Connection::open(&path)
            .unwrap()
            .execute_batch(include_str!("../../tests/data/fleet/endless-view.sql"))
            .unwrap();
        let err = read_cells_within(&path, 200_000, MAX_TIME).unwrap_err();
        assert!(matches!(err, RegistryError::Budget(_)), "{err:?}");
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
