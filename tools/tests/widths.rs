//! Every command fits the width it is given (`COLUMNS` through a pipe), and
//! names in wide characters keep the columns aligned (issue 16, item 3).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use unicode_width::UnicodeWidthStr;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ has a parent")
        .to_path_buf()
}

/// Stdout of `simsock args` with `COLUMNS=columns`, no colour, from the
/// repository root.
fn at(columns: usize, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_simsock"))
        .args(args)
        .current_dir(root())
        .env_remove("RUST_LOG")
        .env("COLUMNS", columns.to_string())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the simsock binary runs");
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// The lines of `text` wider than `columns` display columns.
fn too_wide(text: &str, columns: usize) -> Vec<String> {
    text.lines()
        .filter(|l| l.width() > columns)
        .map(|l| format!("{:>3}: {l}", l.width()))
        .collect()
}

/// The bundled stories (every `*.ron` under `scenarios/` but the
/// conformance rows, which `conformance` runs), as `scenarios/...` paths.
fn stories() -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![root().join("scenarios")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("scenarios/ reads") {
            let path = entry.expect("an entry").path();
            if path.is_dir() && !path.ends_with("conformance") {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "ron") {
                let rel = path.strip_prefix(root()).expect("under the root");
                found.push(rel.display().to_string());
            }
        }
    }
    found.sort();
    assert!(found.len() >= 30, "the stories were not found: {found:?}");
    found
}

fn assert_fits(columns: usize, args: &[&str]) {
    let text = at(columns, args);
    assert!(
        !text.is_empty(),
        "`simsock {}` printed nothing",
        args.join(" ")
    );
    let wide = too_wide(&text, columns);
    assert!(
        wide.is_empty(),
        "`COLUMNS={columns} simsock {}` has lines wider than {columns}:\n{}",
        args.join(" "),
        wide.join("\n")
    );
}

#[test]
fn run_and_trace_fit_80_columns_for_every_story() {
    for story in stories() {
        assert_fits(80, &["run", &story]);
        assert_fits(80, &["trace", &story]);
    }
}

#[test]
fn explain_tour_conformance_topo_sweep_and_check_fit_80_columns() {
    for code in [
        "WSAECONNREFUSED",
        "WSAETIMEDOUT",
        "WSAEHOSTUNREACH",
        "WSAENETDOWN",
        "WSAEWOULDBLOCK",
        "CB-N3",
        "CB-C5",
    ] {
        assert_fits(80, &["explain", code]);
    }
    assert_fits(80, &["compare", "scenarios/refused.ron"]);
    assert_fits(80, &["compare", "scenarios/timeout.ron", "--seeds", "1,2"]);
    let twin = "scenarios/windows/refused-2s.ron";
    assert_fits(
        80,
        &["compare", twin, "--profiles", "windows,windows-documented"],
    );
    assert_fits(80, &["tour"]);
    for stop in 1..=9 {
        assert_fits(80, &["tour", &stop.to_string(), "--answer", "a"]);
    }
    assert_fits(80, &["conformance"]);
    for story in ["scenarios/unreachable.ron", "scenarios/faults/firewall.ron"] {
        assert_fits(80, &["topo", story]);
    }
    let sweep = [
        "sweep",
        "--seeds",
        "0..40",
        "scenarios/faults/lossy-link-sweep.ron",
    ];
    assert_fits(80, &sweep);
    assert_fits(80, &["check", "scenarios"]);
}

#[test]
fn the_narrowest_width_still_fits() {
    assert_fits(60, &["trace", "scenarios/refused.ron"]);
    assert_fits(60, &["tour"]);
    assert_fits(60, &["topo", "scenarios/unreachable.ron"]);
    // Words are never cut, so a path or a digest longer than the room left
    // by an indent overflows: a reader copies them whole.
    let text = at(60, &["run", "scenarios/unreachable.ron"]);
    let wide = too_wide(&text, 60);
    assert_eq!(wide.len(), 1, "{}", wide.join("\n"));
    assert!(wide[0].ends_with(text.lines().last().unwrap()), "{wide:?}");
    assert!(text.lines().last().unwrap().starts_with("digest: "));
}

#[test]
fn the_ladder_uses_the_width_it_has() {
    let widest = |columns| {
        at(columns, &["trace", "scenarios/refused.ron"])
            .lines()
            .map(UnicodeWidthStr::width)
            .max()
            .unwrap_or(0)
    };
    let (at_80, at_120) = (widest(80), widest(120));
    assert!(at_80 <= 80 && at_80 > 70, "80 columns: {at_80}");
    assert!(at_120 <= 120 && at_120 > 100, "120 columns: {at_120}");
    // A pipe with no COLUMNS keeps the width the ladder always had.
    let out = Command::new(env!("CARGO_BIN_EXE_simsock"))
        .args(["trace", "scenarios/refused.ron"])
        .current_dir(root())
        .env_remove("COLUMNS")
        .output()
        .expect("runs");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert_eq!(text.lines().map(UnicodeWidthStr::width).max(), Some(100));
}

#[test]
fn prose_is_wrapped_at_the_width() {
    let text = at(70, &["run", "scenarios/refused.ron"]);
    let about: Vec<&str> = text
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    assert!(about.len() >= 4, "{text}");
    assert!(about.iter().all(|l| l.width() <= 70), "{text}");
    assert!(about.iter().any(|l| l.width() > 60), "{text}");
}

/// `refused.ron` with its server renamed `サーバ機器` (ten display columns,
/// five characters), in a temporary directory.
fn wide_scenario() -> PathBuf {
    let text = std::fs::read_to_string(root().join("scenarios/refused.ron")).expect("reads");
    let text = text.replace("\"server\"", "\"サーバ機器\"");
    let dir = std::env::temp_dir().join(format!("simsock-widths-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join("wide.ron");
    std::fs::write(&path, text).expect("writes");
    path
}

/// The display column where `needle` starts in `line`.
fn column_of(line: &str, needle: &str) -> Option<usize> {
    line.find(needle).map(|i| line[..i].width())
}

#[test]
fn a_wide_host_name_keeps_the_results_aligned() {
    let path = wide_scenario();
    let text = at(80, &["run", path.to_str().expect("UTF-8 path")]);
    let line = |host: &str, call: &str| {
        let found = text.lines().find(|l| l.contains(host) && l.contains(call));
        found.unwrap_or_else(|| panic!("no {call} by {host}:\n{text}"))
    };
    let (client, server) = (
        line("client", "s = socket"),
        line("サーバ機器", "l = socket"),
    );
    let ok = |l: &str| column_of(l, "OK (socket");
    assert_eq!(ok(client), ok(server), "{text}");
    let call = |l: &str| column_of(l, "= socket");
    assert_eq!(call(client), call(server), "{text}");
    assert!(too_wide(&text, 80).is_empty(), "{text}");
}

#[test]
fn a_wide_host_name_keeps_the_ladder_and_topology_aligned() {
    let path = wide_scenario();
    let path = path.to_str().expect("UTF-8 path");
    let ladder = at(80, &["trace", path]);
    assert!(too_wide(&ladder, 80).is_empty(), "{ladder}");
    // Every row with both lifelines has them at the same display columns.
    let bars: Vec<(usize, usize)> = ladder
        .lines()
        .filter(|l| l.starts_with("  ") && l.matches('│').count() == 2)
        .map(|l| {
            let first = column_of(l, "│").expect("a bar");
            let last = l.rfind('│').map(|i| l[..i].width()).expect("a bar");
            (first, last)
        })
        .collect();
    assert!(bars.len() > 5, "{ladder}");
    assert!(bars.windows(2).all(|w| w[0] == w[1]), "{bars:?}\n{ladder}");
    assert!(ladder.contains("サーバ機器"), "{ladder}");
    let topo = at(80, &["topo", path]);
    let kinds: Vec<usize> = topo.lines().filter_map(|l| column_of(l, "host ")).collect();
    assert_eq!(kinds.len(), 2, "{topo}");
    assert_eq!(kinds[0], kinds[1], "{topo}");
}
