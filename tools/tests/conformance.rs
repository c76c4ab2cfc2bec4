//! `simsock conformance`: the 74-row matrix of the per-API error tables.

mod common;

use std::fs;
use std::path::PathBuf;

use common::{simsock, stdout};
use serde_json::Value;

fn rows(args: &[&str]) -> (Vec<Value>, Option<i32>) {
    let mut all = vec!["conformance", "--json"];
    all.extend_from_slice(args);
    let out = simsock(&all);
    let rows = stdout(&out)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect();
    (rows, out.status.code())
}

/// A scratch scenario root holding the given conformance files.
fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let root =
        std::env::temp_dir().join(format!("simsock-conformance-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    for (path, text) in files {
        let path = root.join("conformance").join(path);
        fs::create_dir_all(path.parent().expect("a folder")).expect("scratch folder");
        fs::write(path, text).expect("scratch file");
    }
    root
}

const HOSTS: &str = r#"hosts: [Host(name: "a", addrs: ["10.0.0.1/24"]), Host(name: "b", addrs: ["10.0.0.2/24"])],
    links: [Link(between: ("a", "b"), latency: "1ms")],"#;

fn scenario(steps: &str) -> String {
    format!(
        r#"Scenario(name: "row", {HOSTS}
    threads: [Thread(host: "a", name: "t", steps: [Socket(name: "s"), {steps}])])"#
    )
}

#[test]
fn the_matrix_lists_74_rows_19_20_19_16_with_the_four_fields() {
    let (rows, _) = rows(&[]);
    assert_eq!(rows.len(), 74);
    for api in ["connect", "WSAConnect", "WSPConnect", "ConnectEx"] {
        let n = rows.iter().filter(|r| r["api"] == api).count();
        let want = match api {
            "connect" | "WSPConnect" => 19,
            "WSAConnect" => 20,
            _ => 16,
        };
        assert_eq!(n, want, "{api}");
    }
    for row in &rows {
        for field in ["api", "code", "scenario", "passed"] {
            assert!(row.get(field).is_some(), "{row} lacks {field}");
        }
    }
    let io_pending = rows.iter().find(|r| r["code"] == "ERROR_IO_PENDING");
    assert_eq!(
        io_pending.map(|r| r["api"].clone()),
        Some("ConnectEx".into())
    );
}

#[test]
fn a_row_passes_only_when_its_api_returns_its_code_as_expected() {
    let refused = r#"Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAECONNREFUSED))"#;
    let unexpected = r#"Connect(socket: "s", to: "10.0.0.2:80")"#;
    let wrong = r#"Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAETIMEDOUT))"#;
    let root = scratch(
        "judge",
        &[
            ("connect/WSAECONNREFUSED.ron", &scenario(refused)),
            ("connect/WSAEFAULT.ron", &scenario(unexpected)),
            ("connect/WSAETIMEDOUT.ron", &scenario(wrong)),
        ],
    );
    let (rows, code) = rows(&["--scenarios", root.to_str().expect("UTF-8 path")]);
    let row = |code: &str| {
        rows.iter()
            .find(|r| r["api"] == "connect" && r["code"] == code)
            .expect("the row is listed")
            .clone()
    };
    assert_eq!(row("WSAECONNREFUSED")["passed"], true);
    assert_eq!(row("WSAEFAULT")["passed"], false);
    let reason = row("WSAEFAULT")["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        reason.contains("no connect call returned WSAEFAULT"),
        "{reason}"
    );
    assert_eq!(row("WSAETIMEDOUT")["passed"], false);
    let reason = row("WSAETIMEDOUT")["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(reason.contains("the scenario fails"), "{reason}");
    assert_eq!(row("WSAEINVAL")["scenario"], Value::Null);
    assert_eq!(code, Some(1));
    let _ = fs::remove_dir_all(root);
}

#[test]
fn an_invalid_row_file_is_a_usage_error_and_nothing_runs() {
    let root = scratch("invalid", &[("connect/WSAEINVAL.ron", "Scenario(name: ")]);
    let out = simsock(&[
        "conformance",
        "--scenarios",
        root.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    let _ = fs::remove_dir_all(root);
}

/// Issue 3's bar: every row of the four tables has a passing scenario.
#[test]
fn every_row_of_the_bundled_matrix_is_proven() {
    let (rows, code) = rows(&[]);
    let failing: Vec<String> = rows
        .iter()
        .filter(|r| r["passed"] != true)
        .map(|r| format!("{} {}: {}", r["api"], r["code"], r["reason"]))
        .collect();
    assert!(failing.is_empty(), "rows not proven: {failing:#?}");
    assert_eq!(code, Some(0));
}

/// Issue 14, item 6: `--profile windows` runs the observed-Windows stories
/// beside the 74 rows, `--profile linux` the Linux ones; the documented
/// profile has the rows only.
#[test]
fn a_profile_runs_its_own_stories_beside_the_rows() {
    for (profile, folder, at_least) in [
        ("windows", "scenarios/windows/", 12),
        ("linux", "scenarios/linux/", 9),
    ] {
        let (lines, code) = rows(&["--profile", profile]);
        assert_eq!(code, Some(0), "{profile}");
        let (matrix, stories): (Vec<&Value>, Vec<&Value>) =
            lines.iter().partition(|l| l.get("api").is_some());
        assert_eq!(
            matrix.len(),
            74,
            "{profile}: the rows come first, all of them"
        );
        assert!(
            stories.len() >= at_least,
            "{profile}: {} stories",
            stories.len()
        );
        for story in &stories {
            assert_eq!(story["profile"], profile);
            assert_eq!(story["passed"], true, "{story}");
            let file = story["scenario"].as_str().unwrap();
            assert!(file.contains(folder), "{file}");
        }
    }
    let names: Vec<String> = rows(&["--profile", "windows"])
        .0
        .iter()
        .filter_map(|l| l["name"].as_str().map(String::from))
        .collect();
    assert!(names.iter().any(|n| n == "so-error-sticky"), "{names:?}");
    let (documented, code) = rows(&["--profile", "windows-documented"]);
    assert_eq!((documented.len(), code), (74, Some(0)));
}

/// A story that fails is listed as failed, with why, and the exit is 1.
#[test]
fn a_failing_story_is_listed_with_its_reason() {
    let root = scratch("story", &[]);
    let story = root.join("linux").join("wrong.ron");
    fs::create_dir_all(story.parent().unwrap()).unwrap();
    let text = scenario(r#"Connect(socket: "s", to: "10.0.0.2:80", expect: Ok)"#)
        .replace(r#"name: "row""#, r#"name: "wrong""#);
    fs::write(&story, text).unwrap();
    let root_arg = root.to_string_lossy().to_string();
    let (lines, code) = rows(&["--profile", "linux", "--scenarios", &root_arg]);
    assert_eq!(code, Some(1));
    let story = lines
        .iter()
        .find(|l| l["name"] == "wrong")
        .expect("the story is listed");
    assert_eq!(story["passed"], false);
    assert!(
        story["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{story}"
    );
}
