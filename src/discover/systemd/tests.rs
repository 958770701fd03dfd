use super::*;
use crate::load::json5::Span;
use crate::openclaw::{port_from_args, split_shell_words};

/// Rendered by OpenClaw 2026.9.6's `buildSystemdUnit` (profile rescue, port 19789, with an
/// environment file), byte for byte.
const OPENCLAW_UNIT: &str = "[Unit]
Description=OpenClaw Gateway (profile: rescue)
After=network-online.target
Wants=network-online.target
StartLimitBurst=10
StartLimitIntervalSec=300

[Service]
ExecStart=/usr/bin/node --max-old-space-size=8192 /usr/lib/node_modules/openclaw/dist/index.js gateway --port 19789
Restart=always
RestartSec=5
RestartPreventExitStatus=78
TimeoutStopSec=330
TimeoutStartSec=30
SuccessExitStatus=0 143
OOMPolicy=continue
KillMode=mixed
EnvironmentFile=-/home/u/.openclaw-rescue/gateway.systemd.env
Environment=HOME=/home/u
Environment=TMPDIR=/tmp
Environment=OPENCLAW_STATE_DIR=/home/u/.openclaw-rescue
Environment=OPENCLAW_CONFIG_PATH=/home/u/.openclaw-rescue/openclaw.json
Environment=PATH=/home/u/.local/bin:/usr/local/bin:/usr/bin:/bin
Environment=NODE_OPTIONS=
Environment=OPENCLAW_PROFILE=rescue
Environment=OPENCLAW_GATEWAY_PORT=19789
Environment=OPENCLAW_SYSTEMD_UNIT=openclaw-gateway-rescue.service
Environment=\"OPENCLAW_WINDOWS_TASK_NAME=OpenClaw Gateway (rescue)\"
Environment=OPENCLAW_WINDOWS_TASK_HIDDEN_LAUNCHER=1
Environment=OPENCLAW_SERVICE_MARKER=openclaw
Environment=OPENCLAW_SERVICE_KIND=gateway

[Install]
WantedBy=default.target
";

const HAND_WRITTEN: &str = "# clawlint: allow port-collision
; written by hand
Stray=before any section
[Unit]
Description=Passerelle «secours» für Ops

[Service]
ExecStart=/usr/bin/node \\
    /srv/openclaw/dist/index.js gateway \\
    # a comment inside a continuation is dropped
    --port 20000
Environment=\"A=1\" B=2
Environment=GREETING=\"grüß dich\"
EnvironmentFile=-%h/.openclaw-rescue/gateway.systemd.env
Restart=on-failure
Restart=sometimes
RestartPreventExitStatus=78
RestartPreventExitStatus=SIGTERM 1
garbage line without an equals sign
=no key
  [X-Extension]  
Hidden=in a section of its own
[Service]
  Environment = C=3  
";

fn args(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

fn slice(text: &str, span: Span) -> &str {
    text.get(span.start()..span.end())
        .expect("span inside the text")
}

#[test]
fn openclaw_unit_sections_and_exec() {
    let unit = parse_unit(OPENCLAW_UNIT);
    let names: Vec<_> = unit.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Unit", "Service", "Install"]);
    assert!(unit.comments.is_empty());
    let exec = unit.get_last("Service", "ExecStart").unwrap();
    assert_eq!(
        slice(OPENCLAW_UNIT, exec.span),
        format!("ExecStart={}", exec.value)
    );
    assert_eq!(slice(OPENCLAW_UNIT, exec.value_span), exec.value);
    let cmd = split_exec(&exec.value).unwrap();
    assert_eq!(cmd.prefixes, "");
    assert_eq!(
        cmd.argv,
        args(&[
            "/usr/bin/node",
            "--max-old-space-size=8192",
            "/usr/lib/node_modules/openclaw/dist/index.js",
            "gateway",
            "--port",
            "19789"
        ])
    );
    assert_eq!(port_from_args(&cmd.argv), Some((19789, 5)));
    assert_eq!(slice(OPENCLAW_UNIT, unit.sections[1].span), "[Service]");
}

#[test]
fn openclaw_unit_environment() {
    let unit = parse_unit(OPENCLAW_UNIT);
    let env = effective_environment(&unit);
    assert_eq!(env.len(), 13);
    let get = |k: &str| env.iter().find(|e| e.0 == k).unwrap();
    let task = get("OPENCLAW_WINDOWS_TASK_NAME");
    assert_eq!(task.1, "OpenClaw Gateway (rescue)");
    assert_eq!(
        slice(OPENCLAW_UNIT, task.2),
        "\"OPENCLAW_WINDOWS_TASK_NAME=OpenClaw Gateway (rescue)\""
    );
    assert_eq!(get("NODE_OPTIONS").1, "");
    assert_eq!(get("OPENCLAW_PROFILE").1, "rescue");
    let state = get("OPENCLAW_STATE_DIR");
    assert_eq!(
        slice(OPENCLAW_UNIT, state.2),
        "OPENCLAW_STATE_DIR=/home/u/.openclaw-rescue"
    );
    assert_eq!(
        environment_files(&unit)
            .into_iter()
            .map(|(p, o, _)| (p, o))
            .collect::<Vec<_>>(),
        [(
            "/home/u/.openclaw-rescue/gateway.systemd.env".to_string(),
            true
        )]
    );
    assert_eq!(
        restart_policy(&unit),
        (Some("always".to_string()), args(&["78"]))
    );
    assert_eq!(super::success_exit_status(&unit), args(&["0", "143"]));
    assert!(unset_environment(&unit).is_empty());
}

#[test]
fn hand_written_unit() {
    let unit = parse_unit(HAND_WRITTEN);
    let comments: Vec<_> = unit.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        comments,
        [
            " clawlint: allow port-collision",
            " written by hand",
            " a comment inside a continuation is dropped"
        ]
    );
    assert_eq!(
        slice(HAND_WRITTEN, unit.comments[1].span),
        "; written by hand"
    );
    // The assignment before any section and the junk lines are dropped.
    let names: Vec<_> = unit.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Unit", "Service", "X-Extension", "Service"]);
    assert_eq!(unit.stopped, None);
    assert!(unit.get_all("Service", "Hidden").is_empty());
    assert_eq!(unit.sections[1].entries.len(), 8);
    assert_eq!(
        unit.get_last("Unit", "Description").unwrap().value,
        "Passerelle «secours» für Ops"
    );
}

#[test]
fn continuation_lines() {
    let unit = parse_unit(HAND_WRITTEN);
    let exec = unit.get_last("Service", "ExecStart").unwrap();
    assert_eq!(
        exec.value,
        "/usr/bin/node      /srv/openclaw/dist/index.js gateway      --port 20000"
    );
    let text = slice(HAND_WRITTEN, exec.span);
    assert!(text.starts_with("ExecStart=/usr/bin/node \\\n"));
    assert!(text.ends_with("--port 20000"));
    assert!(slice(HAND_WRITTEN, exec.value_span).starts_with("/usr/bin/node"));
    let cmd = split_exec(&exec.value).unwrap();
    assert_eq!(port_from_args(&cmd.argv), Some((20000, 4)));
    // A value across lines keeps the directive value span for its assignments.
    let folded = parse_unit("[Service]\nEnvironment=A=1 \\\n  B=2\n");
    let env = effective_environment(&folded);
    let d = folded.get_last("Service", "Environment").unwrap();
    assert_eq!(env[1].2, d.value_span);
    // An even number of trailing backslashes does not continue the line.
    let even = parse_unit("[Service]\nA=x\\\\\nB=y\n");
    assert_eq!(even.get_last("Service", "A").unwrap().value, "x\\\\");
    // A continuation at the end of the file still counts.
    let eof = parse_unit("[Service]\nA=x \\");
    assert_eq!(eof.get_last("Service", "A").unwrap().value, "x");
}

#[test]
fn hand_written_environment() {
    let unit = parse_unit(HAND_WRITTEN);
    let env = effective_environment(&unit);
    let pairs: Vec<_> = env
        .iter()
        .map(|(k, v, _)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("A", "1"),
            ("B", "2"),
            ("GREETING", "grüß dich"),
            ("C", "3")
        ]
    );
    for (key, _, span) in &env {
        assert!(slice(HAND_WRITTEN, *span).contains(key.as_str()));
    }
    assert_eq!(slice(HAND_WRITTEN, env[2].2), "GREETING=\"grüß dich\"");
    let file = &environment_files(&unit)[0];
    assert_eq!(
        (file.0.as_str(), file.1),
        ("%h/.openclaw-rescue/gateway.systemd.env", true)
    );
    let ctx = SpecifierContext {
        home: "/home/u".into(),
        user: None,
        unit_name: "openclaw-gateway-rescue.service".into(),
    };
    assert_eq!(
        expand_specifiers(&file.0, &ctx),
        (
            "/home/u/.openclaw-rescue/gateway.systemd.env".to_string(),
            vec![]
        )
    );
    // "sometimes" is not a Restart= value, so systemd keeps on-failure.
    assert_eq!(
        restart_policy(&unit),
        (
            Some("on-failure".to_string()),
            args(&["78", "SIGTERM", "1"])
        )
    );
}

#[test]
fn environment_reset_and_override() {
    let text = "[Service]\nEnvironment=A=1 Z=0\nEnvironment=\nEnvironment=B=2 A=3\nEnvironment=B=4\nUnsetEnvironment=Z \"Y=1\"\n";
    let unit = parse_unit(text);
    let env = effective_environment(&unit);
    let pairs: Vec<_> = env
        .iter()
        .map(|(k, v, s)| (k.as_str(), v.as_str(), slice(text, *s)))
        .collect();
    assert_eq!(pairs, [("B", "4", "B=4"), ("A", "3", "A=3")]);
    assert_eq!(unset_environment(&unit), args(&["Z", "Y=1"]));
    let reset = parse_unit("[Service]\nEnvironmentFile=/a\nEnvironmentFile=\nEnvironmentFile=/b\n");
    assert_eq!(environment_files(&reset).len(), 1);
    let prevent = parse_unit("[Service]\nRestartPreventExitStatus=1\nRestartPreventExitStatus=\n");
    assert_eq!(restart_policy(&prevent), (None, vec![]));
}

#[test]
fn parse_environment_words() {
    let (env, errors) = parse_environment("\"A=1\" B=2");
    assert!(errors.is_empty());
    assert_eq!(
        env,
        [
            ("A".into(), "1".into(), Span::new(0, 5)),
            ("B".into(), "2".into(), Span::new(6, 9))
        ]
    );
    // Quotes may open in the middle of a word (OpenClaw would split this in two).
    let (env, _) = parse_environment("A=\"x y\" 'B=it''s'");
    assert_eq!(env[0].1, "x y");
    assert_eq!(env[1].1, "its");
    let (env, _) = parse_environment("F=a\\nb G=\\x41\\u00e9 H=%%");
    assert_eq!(env[0].1, "a\nb");
    assert_eq!(env[1].1, "Aé");
    assert_eq!(env[2].1, "%%");
    let (env, errors) = parse_environment("1A=2 C=3 nokey A-B=1 =x");
    assert_eq!(env.len(), 1);
    assert_eq!(errors.len(), 4);
    // A syntax error stops the line, keeping what came before.
    let (env, errors) = parse_environment("D=1 E=\"open F=2");
    assert_eq!((env.len(), errors.len()), (1, 1));
    let (env, errors) = parse_environment("D=1 E=\\q F=2");
    assert_eq!((env.len(), errors.len()), (1, 1));
    let (env, errors) = parse_environment("X=\\xff");
    assert_eq!((env.len(), errors.len()), (0, 1));
}

#[test]
fn exec_quotes_and_escapes() {
    let cmd = split_exec(r#"/bin/echo "a\tb" 'c d' \x41 \s e\;f \; x"" "" a"b c"d"#).unwrap();
    assert_eq!(
        cmd.argv,
        args(&[
            "/bin/echo",
            "a\tb",
            "c d",
            "A",
            " ",
            "e\\;f",
            ";",
            "x",
            "",
            "ab cd"
        ])
    );
    let cmd =
        split_exec(r#"/bin/sh -c "exec openclaw --profile ops gateway --port 20000""#).unwrap();
    assert_eq!(cmd.argv.len(), 3);
    assert_eq!(
        cmd.argv[2],
        "exec openclaw --profile ops gateway --port 20000"
    );
    let words = split_shell_words(&cmd.argv[2]).unwrap();
    assert_eq!(
        words,
        args(&[
            "exec",
            "openclaw",
            "--profile",
            "ops",
            "gateway",
            "--port",
            "20000"
        ])
    );
    assert_eq!(port_from_args(&words), Some((20000, 6)));
    // Unknown escapes stay as written; an escaped quote is a plain character.
    let cmd = split_exec(r#"/bin/x \q "say \"hi\"""#).unwrap();
    assert_eq!(cmd.argv, args(&["/bin/x", "\\q", "say \"hi\""]));
    // OpenClaw renders a path with an apostrophe unquoted; systemd cannot read it.
    assert!(split_exec("/home/o'brien/node x").is_err());
    assert_eq!(parse_environment("HOME=/home/o'brien").1.len(), 1);
}

#[test]
fn exec_prefixes_and_errors() {
    let cmd = split_exec("-@/bin/true name arg").unwrap();
    assert_eq!(cmd.prefixes, "-@");
    assert_eq!(cmd.argv, args(&["/bin/true", "name", "arg"]));
    assert_eq!(split_exec("!!/usr/bin/node x").unwrap().prefixes, "!!");
    assert_eq!(split_exec(":+node").unwrap().argv, args(&["node"]));
    assert!(split_exec("+!/bin/x").is_err());
    assert!(split_exec("@/bin/true").is_err());
    assert!(split_exec("-").is_err());
    assert!(split_exec("/bin/x \"open").is_err());
    assert!(split_exec("/bin/x a ; /bin/y b").is_err());
    assert!(split_exec("bin/x").is_err());
    assert!(split_exec("/usr/bin/").is_err());
    assert!(split_exec("").is_err());
    assert_eq!(
        split_exec("; /bin/x a ;").unwrap().argv,
        args(&["/bin/x", "a"])
    );
}

#[test]
fn exec_variables() {
    let env = vec![
        ("P".to_string(), "20000".to_string()),
        ("OPTS".to_string(), " --port  21000 ".to_string()),
    ];
    let argv = args(&[
        "/bin/x", "--port", "${P}", "$OPTS", "$MISSING", "a$$b", "${Q:-7}", "$x-y",
    ]);
    assert_eq!(
        expand_exec_variables(&argv, &env),
        args(&["/bin/x", "--port", "20000", "--port", "21000", "a$b", "7"])
    );
    let expanded = expand_exec_variables(&args(&["/bin/x", "--port=${P}"]), &env);
    assert_eq!(port_from_args(&expanded), Some((20000, 1)));
    // The variables substituted are the ones named: not `$x` inside a word, `$$`, or argv[0].
    let named = super::exec_variables(&args(&[
        "$Z",
        "$P",
        "x$B",
        "${C}",
        "--p=${D:-1}",
        "$$E",
        "a$${F}",
        "${P}",
        "$x-y",
    ]));
    let pair = |n: &str, w: &str| (n.to_string(), w.to_string());
    assert_eq!(
        named,
        [pair("P", "$P"), pair("C", "${C}"), pair("D", "${D:-1}")]
    );
}

#[test]
fn specifiers() {
    let ctx = SpecifierContext {
        home: "/home/ü".into(),
        user: Some("u".into()),
        unit_name: "openclaw-gateway@ops\\x2dx-y.service".into(),
    };
    let (out, problems) = expand_specifiers("%%h %h %u %n %N %p %P %i %I %j %J 100%", &ctx);
    assert_eq!(
        out,
        "%h /home/ü u openclaw-gateway@ops\\x2dx-y.service openclaw-gateway@ops\\x2dx-y \
             openclaw-gateway openclaw/gateway ops\\x2dx-y ops-x/y gateway gateway 100%"
    );
    assert!(problems.is_empty());
    let no_user = SpecifierContext::default();
    let (out, problems) = expand_specifiers("%t/x %u é%", &no_user);
    assert_eq!(out, "%t/x %u é%");
    assert_eq!(problems.len(), 2);
}

#[test]
fn environment_file_ref() {
    assert_eq!(
        parse_environment_file_ref("-%h/.openclaw-rescue/gateway.systemd.env"),
        ("%h/.openclaw-rescue/gateway.systemd.env".to_string(), true)
    );
    assert_eq!(
        parse_environment_file_ref("/etc/gw.env"),
        ("/etc/gw.env".to_string(), false)
    );
    assert_eq!(
        glob_literal(r"/home/u \(x\)/gw\[1\].env"),
        Some("/home/u (x)/gw[1].env".to_string())
    );
    assert_eq!(glob_literal("/etc/gw/*.env"), None);
}

#[test]
fn crlf_unit() {
    let crlf = HAND_WRITTEN.replace('\n', "\r\n");
    let a = parse_unit(HAND_WRITTEN);
    let b = parse_unit(&crlf);
    let values = |u: &UnitFile| -> Vec<(String, String)> {
        u.sections
            .iter()
            .flat_map(|s| s.entries.iter().map(|d| (d.key.clone(), d.value.clone())))
            .collect()
    };
    assert_eq!(values(&a), values(&b));
    assert_eq!(a.comments.len(), b.comments.len());
    for d in b.sections.iter().flat_map(|s| &s.entries) {
        assert!(!slice(&crlf, d.span).ends_with('\r'));
    }
    // A lone CR also ends a line for systemd, and a BOM is skipped.
    let cr = parse_unit("\u{feff}[Service]\rA=1\rB=2");
    assert_eq!(cr.get_last("Service", "B").unwrap().value, "2");
}

const ENV_FILE: &str = "# generated
 ; other comment
KEY=value  \t
 SPACED = \"quoted value\" tail
SINGLE='it''s'
CONT=first\\
second
MULTI=\"line1
line2\"
export BAD=1
NOEQ
ESC=a\\\"b
DQ=\"x\\$y\\n\"
LITERAL=x \"y\"
KEY=later
EMPTY=
LAST='unterminated";

#[test]
fn environment_file() {
    let (entries, comments) = parse_environment_file(ENV_FILE);
    let pairs: Vec<_> = entries
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("KEY", "value"),
            ("SPACED", "quoted valuetail"),
            ("SINGLE", "its"),
            ("CONT", "firstsecond"),
            ("MULTI", "line1\nline2"),
            ("export BAD", "1"),
            ("ESC", "a\"b"),
            ("DQ", "x$y\\n"),
            ("LITERAL", "x \"y\""),
            ("KEY", "later"),
            ("EMPTY", ""),
            ("LAST", "unterminated"),
        ]
    );
    assert_eq!(slice(ENV_FILE, entries[0].span), "KEY=value");
    assert_eq!(
        slice(ENV_FILE, entries[1].span),
        "SPACED = \"quoted value\" tail"
    );
    assert_eq!(slice(ENV_FILE, entries[3].span), "CONT=first\\\nsecond");
    assert_eq!(slice(ENV_FILE, entries[10].span), "EMPTY=");
    let (escaped, _) = parse_environment_file("A=x\\ \n");
    assert_eq!(escaped[0].value, "x ");
    assert_eq!(escaped[0].span, Span::new(0, 5));
    let texts: Vec<_> = comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, [" generated", " other comment"]);
    assert_eq!(slice(ENV_FILE, comments[1].span), "; other comment");
    assert!(!env_name_is_valid(&entries[5].key));
    let (crlf, _) = parse_environment_file("A=1\r\nB=\"x y\"\r\n#c\r\n");
    assert_eq!(crlf.len(), 2);
    assert_eq!(crlf[1].value, "x y");
    // A lone CR ends the line (OpenClaw would read one value "a\rB=2").
    let (cr, _) = parse_environment_file("CR=a\rB=2\n");
    assert_eq!((cr[0].value.as_str(), cr[1].key.as_str()), ("a", "B"));
    let (nul, _) = parse_environment_file("A=1\nB=2\0C=3\n");
    assert_eq!(nul.last().unwrap().value, "2");
}

/// Inputs built from every prefix of the samples, from pseudo-random bytes and from
/// pseudo-random mixes of the characters the parsers treat specially.
fn fuzz_inputs() -> Vec<String> {
    let mut inputs = Vec::new();
    for sample in [OPENCLAW_UNIT, HAND_WRITTEN, ENV_FILE] {
        for (i, _) in sample.char_indices() {
            inputs.push(sample[..i].to_string());
        }
    }
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet: Vec<char> = "\\\"' ;%$={}[]#\n\r\t\0-@:+!xhn01é«".chars().collect();
    for _ in 0..3000 {
        let len = (next() % 40) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        inputs.push(String::from_utf8_lossy(&bytes).into_owned());
        let mix: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        inputs.push(mix);
    }
    inputs
}

#[test]
fn never_panics_and_spans_stay_in_bounds() {
    let ctx = SpecifierContext {
        home: "/h".into(),
        user: None,
        unit_name: "a@b.service".into(),
    };
    for input in fuzz_inputs() {
        let unit = parse_unit(&input);
        for d in unit.sections.iter().flat_map(|s| &s.entries) {
            slice(&input, d.span);
            slice(&input, d.value_span);
        }
        for c in &unit.comments {
            slice(&input, c.span);
        }
        for (_, _, span) in effective_environment(&unit) {
            slice(&input, span);
        }
        let _ = restart_policy(&unit);
        let _ = unset_environment(&unit);
        let _ = environment_files(&unit);
        if let Ok(cmd) = split_exec(&input) {
            let _ = port_from_args(&cmd.argv);
            let _ = expand_exec_variables(&cmd.argv, &[]);
        }
        for (_, _, span) in parse_environment(&input).0 {
            slice(&input, span);
        }
        let (entries, comments) = parse_environment_file(&input);
        for span in entries
            .iter()
            .map(|e| e.span)
            .chain(comments.iter().map(|c| c.span))
        {
            slice(&input, span);
        }
        let _ = expand_specifiers(&input, &ctx);
        let _ = split_shell_words(&input);
        let _ = glob_literal(&input);
        let _ = parse_environment_file_ref(&input);
    }
}

#[test]
fn a_line_that_is_not_utf8_ends_what_systemd_reads() {
    let bytes = b"[Service]\nA=1\nB=caf\xe9 \\\n  more\nC=3\n";
    let (text, unit) = read_unit(bytes);
    assert_eq!(unit.get_last("Service", "A").unwrap().value, "1");
    // The line and everything after it: systemd's parse fails there.
    assert!(unit.get_last("Service", "B").is_none());
    assert!(unit.get_last("Service", "C").is_none());
    let bad = unit.stopped.expect("stopped");
    assert_eq!(bad.why, Why::NotUtf8);
    let bad = bad.span;
    assert_eq!(slice(&text, bad), "\u{FFFD}");
    // Everything before the bad byte is the file's, byte for byte.
    assert_eq!(bad.start(), bytes.iter().position(|&b| b == 0xe9).unwrap());
    // Continuations are joined before the check: a bad byte on the second physical line
    // takes the whole directive.
    let (_, unit) = read_unit(b"[Service]\nA=1 \\\n \xff\nB=2\n");
    assert!(unit.get_last("Service", "A").is_none());
    assert_eq!(unit.stopped.map(|s| s.why), Some(Why::NotUtf8));
    // A comment line is dropped before its encoding is looked at, even inside a continuation.
    let (text, unit) = read_unit(b"# caf\xe9\n[Service]\nA=1 \\\n; \xff\n 2\nB=3\n");
    assert_eq!(unit.stopped, None);
    assert_eq!(unit.get_last("Service", "A").unwrap().value, "1   2");
    let b = unit.get_last("Service", "B").unwrap();
    assert_eq!(slice(&text, b.span), "B=3");
    // A U+FFFD written in the file is UTF-8; a noncharacter is not, for systemd.
    let (_, unit) = read_unit("[Service]\nA=\u{FFFD}\n".as_bytes());
    assert_eq!(unit.get_last("Service", "A").unwrap().value, "\u{FFFD}");
    for nonchar in ['\u{FFFE}', '\u{FDD0}', '\u{1FFFF}'] {
        let unit = parse_unit(&format!("[Service]\nA=1\nB={nonchar}\n"));
        assert!(unit.get_last("Service", "B").is_none(), "{nonchar:?}");
        assert_eq!(unit.stopped.map(|s| s.why), Some(Why::NotUtf8));
    }
    // The last line, without a newline, too.
    let (_, unit) = read_unit(b"[Service]\nA=\xc3");
    assert!(unit.get_last("Service", "A").is_none());
    assert_eq!(unit.stopped.map(|s| s.why), Some(Why::NotUtf8));
}

/// systemd's `parse_line` fails the file (`-EBADMSG`) at a header that does not end with `]`
/// ("Invalid section header") or whose name is not `string_is_safe` ("Bad characters in
/// section header"): nothing from it on is read. It used to skip only to the next header.
#[test]
fn a_malformed_section_header_ends_what_systemd_reads() {
    for (text, header, why) in [
        (
            "[Service]\nA=1\n  [Broken\nB=2\n[Service]\nC=3\n",
            "[Broken",
            Why::HeaderNotClosed,
        ),
        ("[Service]\nA=1\n[\nC=3\n", "[", Why::HeaderNotClosed),
        (
            "[Service]\nA=1\n[Service] # note\nC=3\n",
            "[Service] # note",
            Why::HeaderNotClosed,
        ),
        (
            "[Service]\nA=1\n[Ser\\vice]\nC=3\n",
            "[Ser\\vice]",
            Why::HeaderBadCharacters,
        ),
        // Continuations are joined first: the header is the logical line.
        (
            "[Service]\nA=1\n[Ser \\\n vice\nC=3\n",
            "[Ser \\\n vice",
            Why::HeaderNotClosed,
        ),
        (
            "[Service]\nA=1\n\t[Serv\"ice]  \nC=3\n",
            "[Serv\"ice]",
            Why::HeaderBadCharacters,
        ),
        (
            "[Service]\nA=1\n[Serv\x07ice]\nC=3\n",
            "[Serv\x07ice]",
            Why::HeaderBadCharacters,
        ),
        (
            "[Service]\nA=1\n[Serv\x7fice]",
            "[Serv\x7fice]",
            Why::HeaderBadCharacters,
        ),
    ] {
        let unit = parse_unit(text);
        let stopped = unit.stopped.unwrap_or_else(|| panic!("{text:?}"));
        assert_eq!((slice(text, stopped.span), stopped.why), (header, why));
        assert_eq!(unit.get_last("Service", "A").unwrap().value, "1");
        assert!(unit.get_last("Service", "C").is_none(), "{text:?}");
    }
    // Not malformed: an empty name (an unknown section, ignored), `]` inside the name, a
    // header in a comment, whitespace around it, a CRLF line end, an assignment with `[`.
    for text in [
        "[Service]\nA=1\n[]\nB=2\n[Service]\nC=3\n",
        "[Service]\nA=1\n[a]b]\n[Service]\nC=3\n",
        "[Service]\nA=1\n# [Broken\n ; [x\"\nC=3\n",
        "[Service]\r\nA=1\r\n \t[Service] \t\r\nC=3\r\n",
        "[Service]\nA=1\nX[=2\nC=3\n",
    ] {
        let unit = parse_unit(text);
        assert_eq!(unit.stopped, None, "{text:?}");
        assert_eq!(
            unit.get_last("Service", "C").unwrap().value,
            "3",
            "{text:?}"
        );
    }
    // The encoding is checked first: a bad byte in a malformed header is said as such.
    let (_, unit) = read_unit(b"[Service]\nA=1\n[Serv\xffice\n");
    assert_eq!(unit.stopped.map(|s| s.why), Some(Why::NotUtf8));
}
