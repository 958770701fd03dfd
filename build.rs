//! Embeds every rule page in `rules/*.toml`, so `clawlint rule` needs no files at run time.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let mut pages: Vec<String> = std::fs::read_dir("rules")
        .expect("rules/ exists")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    pages.sort();
    let mut out = String::from(
        "/// Every rule page, sorted by file name.\npub const RULE_PAGES: &[&str] = &[\n",
    );
    for page in &pages {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("rules")
            .join(page);
        writeln!(out, "    include_str!({:?}),", path.display().to_string()).unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("rule_pages.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
