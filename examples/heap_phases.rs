//! `cargo run --example heap_phases -- HOME [HOME...]`: the heap of `check --format json`'s
//! pipeline phase by phase, as the binary runs it: the bytes live after each phase and the
//! most live at once during it, counted by an allocator around the binary's own (mimalloc).
//! Peak RSS is larger (freed pages the allocator keeps); this says what the data is. Heap
//! figures do not depend on the build profile, so a debug build will do.
//!
//! Beside the heap, each phase prints what the process holds: the peak resident set during the
//! phase (VmHWM, reset at each phase's start through /proc/self/clear_refs), what is resident
//! after it in anonymous memory and in file pages (the binary's text and data), and the memory
//! mimalloc has committed from the system. Resident anonymous memory above the heap is what the
//! allocator keeps (freed pages not yet purged, partly used pages, its own metadata) plus the
//! threads' stacks. These figures depend on the build: run it in release for the binary's.
//! With `HEAP_PHASES_COLLECT=1` each phase ends with `mi_collect(true)`, which hands back every
//! free page mimalloc keeps: what stays resident above the heap then is partly used pages.
//! With `HEAP_PHASES_FIELDS=1` the instances' part is broken down field by field: the heap
//! each field holds, all gateways together, and its inline size.

use clawlint::discover::{discover, Inputs};
use clawlint::engine::{finish, Settings};
use clawlint::rules::RuleContext;
use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The most live at once since the last [`mark`].
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to mimalloc unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Relaxed);
        }
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(live, Relaxed);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn mib(bytes: usize) -> String {
    format!("{:7.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

// mimalloc's own account (its C API; the crate's `extended` feature would declare it, at the
// cost of a dependency for this example only).
extern "C" {
    fn mi_process_info(
        elapsed_msecs: *mut usize,
        user_msecs: *mut usize,
        system_msecs: *mut usize,
        current_rss: *mut usize,
        peak_rss: *mut usize,
        current_commit: *mut usize,
        peak_commit: *mut usize,
        page_faults: *mut usize,
    );
    fn mi_collect(force: bool);
}

/// The bytes mimalloc has committed from the system now.
fn committed() -> usize {
    let mut current = 0;
    let none = std::ptr::null_mut();
    // SAFETY: every pointer is null (not written) or to a local usize.
    unsafe { mi_process_info(none, none, none, none, none, &mut current, none, none) };
    current
}

/// A `/proc/self/status` field, in bytes (the kernel writes them in kB).
fn status(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches(" kB").parse::<usize>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Starts a new peak of the resident set: the kernel's VmHWM restarts from the current VmRSS.
fn reset_resident_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Prints the phase's peaks and what is live and resident after it, and starts the next
/// phase's peaks.
fn mark(phase: &str) {
    let live = LIVE.load(Relaxed);
    let peak = PEAK.swap(live, Relaxed);
    println!(
        "{phase:<10} peak {}  live after {}  | RSS peak {}  after: anon {} file {}  mimalloc committed {}",
        mib(peak),
        mib(live),
        mib(status("VmHWM")),
        mib(status("RssAnon")),
        mib(status("RssFile")),
        mib(committed()),
    );
    if std::env::var_os("HEAP_PHASES_COLLECT").is_some() {
        // SAFETY: mimalloc's own call; it frees nothing the program holds.
        unsafe { mi_collect(true) };
        println!(
            "{:<10} anon after mimalloc's collection {}",
            "",
            mib(status("RssAnon"))
        );
    }
    reset_resident_peak();
}

/// Prints what `part` freed (live bytes before it was dropped: `before`); returns the live bytes.
fn freed(part: &str, before: usize) -> usize {
    let live = LIVE.load(Relaxed);
    println!("  {part:<10} {}", mib(before - live));
    live
}

fn main() {
    for home in std::env::args().skip(1) {
        println!("{home}");
        PEAK.store(LIVE.load(Relaxed), Relaxed);
        mark("start");
        // Reads confined to the layout, as the binary's are: its directory listings are kept.
        clawlint::load::layout::confine(&[home.clone().into()]);
        let inputs = Inputs {
            homes: vec![home.into()],
            ..Inputs::default()
        };
        let found = discover(&inputs);
        mark("discover");
        let mut inventory = clawlint::resolve::inventory(found, &Default::default());
        clawlint::load::layout::forget_lookups();
        mark("resolve");
        let found = clawlint::rules::run(&RuleContext::new(&inventory));
        // As `check` does: the path keys go before the engine sorts the findings.
        inventory.path_keys = Default::default();
        let mut findings = finish(found, &inventory.sources, &Settings::default());
        mark("rules");
        clawlint::fix::fixers::attach(&mut findings, &inventory.instances, &inventory.sources);
        mark("attach");
        clawlint::fix::first_round(&mut findings, &inventory.sources, clawlint::fix::Mode::Safe);
        mark("1st round");
        let mut sink = std::io::BufWriter::new(std::io::sink());
        clawlint::report::json::write(
            &mut sink,
            &findings,
            &inventory.sources,
            inventory.instances.len(),
        )
        .expect("written");
        drop(sink);
        mark("json");
        println!("findings {}", findings.len());
        // What the data kept to the end is made of: the bytes each part frees.
        let before = LIVE.load(Relaxed);
        drop(findings);
        let before = freed("findings", before);
        let mut instances = inventory.instances;
        if std::env::var_os("HEAP_PHASES_FIELDS").is_some() {
            fields(&mut instances);
        }
        drop(instances);
        let before = freed("instances", before);
        drop(inventory.sources);
        freed("sources", before);
        clawlint::load::layout::unconfine();
        mark("end");
    }
}

/// Each field of the resolved instances: the bytes its heap holds, all gateways together
/// (taken out of every instance and dropped; shared parts count where the last holder drops).
fn fields(instances: &mut [clawlint::resolve::Instance]) {
    if instances.is_empty() {
        return;
    }
    use clawlint::invocation::{Discovery, Origin, Sourced};
    use std::path::PathBuf;
    fn stand_in() -> Sourced<PathBuf> {
        Sourced::new(PathBuf::new(), Origin::Default("".into()))
    }
    macro_rules! field {
        ($name:ident, $take:expr) => {{
            let before = LIVE.load(Relaxed);
            for inst in instances.iter_mut() {
                drop($take(&mut inst.$name));
            }
            let inline = std::mem::size_of_val(&instances[0].$name);
            let live = LIVE.load(Relaxed);
            println!(
                "    {:<18} heap {}  inline {inline}",
                stringify!($name),
                mib(before - live)
            );
        }};
        ($name:ident) => {
            field!($name, std::mem::take)
        };
    }
    println!(
        "  instance inline {} bytes each, {}",
        std::mem::size_of::<clawlint::resolve::Instance>(),
        mib(std::mem::size_of_val(instances))
    );
    field!(name);
    field!(discovery, |d| std::mem::replace(d, Discovery::Given));
    field!(home);
    field!(os_home);
    field!(cwd);
    field!(profile_flag);
    field!(profile);
    field!(env);
    field!(config_path, |p| std::mem::replace(p, stand_in()));
    field!(state_dir, |p| std::mem::replace(p, stand_in()));
    field!(workspace, |p| std::mem::replace(p, stand_in()));
    field!(agents);
    field!(data_dirs);
    field!(lock_dir);
    field!(log_file, |p| std::mem::replace(p, stand_in()));
    field!(config_port);
    field!(service);
    field!(other_services);
    field!(tailscale);
    field!(ignored_port_env);
    field!(listeners);
    field!(browser);
    field!(credentials);
    field!(refusal);
    field!(start);
    field!(target_start);
    field!(start_facts);
    field!(problems);
    field!(config_root);
    field!(config_facts);
    field!(release);
    field!(release_sources);
    field!(validity);
    field!(gateway_bind);
    field!(container);
    field!(container_listeners);
    field!(unverifiable);
}
