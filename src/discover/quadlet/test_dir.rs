//! What the quadlet tests share: a scratch directory removed on drop, and the discovery of
//! the quadlets in some search directories.

use super::{files, invocations, SearchDir};
use crate::discover::compose::HostContext;
use crate::invocation::Invocation;
use crate::load::Problem;
use crate::source::SourceMap;
use std::path::{Path, PathBuf};

pub(super) const IMAGE: &str = "[Container]\nImage=ghcr.io/openclaw/openclaw:latest\n";

pub(super) struct Tmp(pub(super) PathBuf);

impl Tmp {
    pub(super) fn new(tag: &str) -> Tmp {
        let dir = std::env::temp_dir().join(format!("clawlint-q-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Tmp(dir)
    }

    pub(super) fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub(super) fn link(&self, rel: &str, target: &str) {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, path).unwrap();
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(super) fn run(home: &Path, dirs: &[SearchDir]) -> (Vec<Invocation>, Vec<Problem>, SourceMap) {
    run_under(home, dirs, &[])
}

/// [`run`] for a manager whose `DefaultEnvironment=` is `manager_env`.
pub(super) fn run_under(
    home: &Path,
    dirs: &[SearchDir],
    manager_env: &[(String, String)],
) -> (Vec<Invocation>, Vec<Problem>, SourceMap) {
    let host = HostContext {
        home: Some(home),
        root: None,
    };
    let mut sources = SourceMap::new();
    let mut problems = Vec::new();
    let found = invocations(
        &files(dirs),
        &host,
        manager_env,
        &mut sources,
        &mut problems,
    );
    (found, problems, sources)
}
