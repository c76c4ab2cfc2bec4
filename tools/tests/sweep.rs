//! `simsock sweep` end to end: the summary, JSON lines that do not depend
//! on `-j`, shards that merge by concatenation, and usage errors.

mod common;
use common::*;

use std::path::Path;

#[test]
fn the_summary_counts_the_phones_outcomes() {
    let file = bundled("timeout.ron");
    let out = simsock(&["sweep", &file, "--seeds", "1..=8", "-j", "2"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("seeds 1..9: 8 runs"), "{text}");
    assert!(
        text.contains("phone/main #2 connect(s, 10.0.2.2:443)"),
        "{text}"
    );
    let count = |result: &str| {
        text.lines()
            .find(|l| l.trim_end().ends_with(&format!("%  {result}")))
            .and_then(|l| l.split_whitespace().next()?.parse::<u32>().ok())
            .unwrap_or_else(|| panic!("no count for {result}: {text}"))
    };
    assert_eq!(count("OK") + count("WSAETIMEDOUT"), 8);
    assert!(count("WSAETIMEDOUT") > 0 && count("OK") > 0);
    assert!(text.contains("PASS  8 passed, 0 failed"), "{text}");
    // The client's connects are the same on every seed: not listed.
    assert!(!text.contains("client/main"), "{text}");
}

#[test]
fn json_lines_do_not_depend_on_the_number_of_workers() {
    let file = bundled("timeout.ron");
    let one = simsock(&["sweep", &file, "--seeds", "0..40", "--json", "-j", "1"]);
    let two = simsock(&["sweep", &file, "--seeds", "0..40", "--json", "-j", "2"]);
    assert_eq!(one.status.code(), Some(0));
    assert_eq!(stdout(&one), stdout(&two));
    let lines: Vec<serde_json::Value> = stdout(&one)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 40);
    let seeds: Vec<u64> = lines.iter().map(|l| l["seed"].as_u64().unwrap()).collect();
    assert_eq!(seeds, (0..40).collect::<Vec<_>>());
    let first = &lines[0];
    assert_eq!(first["scenario"], "timeout");
    assert_eq!(first["file"], file.as_str());
    assert_eq!(first["passed"], true);
    assert_eq!(first["digest"].as_str().unwrap().len(), 64);
    let phone = first["results"]["phone/main"].as_array().unwrap();
    assert_eq!(phone.len(), 3, "socket, connect, closesocket");
}

#[test]
fn shards_concatenated_and_sorted_are_the_whole_sweep() {
    let file = bundled("timeout.ron");
    let sweep = |extra: &[&str]| {
        let mut args = vec!["sweep", file.as_str(), "--seeds", "5..=30", "--json"];
        args.extend_from_slice(extra);
        let out = simsock(&args);
        assert_eq!(out.status.code(), Some(0));
        stdout(&out)
    };
    let whole = sweep(&[]);
    let (a, b) = (sweep(&["--shard", "0/2"]), sweep(&["--shard", "1/2"]));
    let seed = |line: &str| -> u64 {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        v["seed"].as_u64().unwrap()
    };
    assert!(a.lines().all(|l| (seed(l) - 5) % 2 == 0));
    let mut merged: Vec<&str> = a.lines().chain(b.lines()).collect();
    merged.sort_by_key(|l| seed(l));
    assert_eq!(merged, whole.lines().collect::<Vec<_>>());
}

#[test]
fn a_failing_seed_is_listed_with_its_replay_and_exit_1() {
    let file = bundled("timeout.ron");
    // Seed 3 times the phone out (see the scenario); ask for Ok only.
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("OneOf([Ok, Err(WSAETIMEDOUT)])", "Ok");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sweep");
    std::fs::create_dir_all(&dir).unwrap();
    let strict = dir.join("strict.ron").display().to_string();
    std::fs::write(&strict, text).unwrap();
    let out = simsock(&["sweep", &strict, "--seeds", "1..=8"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("FAIL"), "{text}");
    assert!(
        text.contains("seed 3: phone/main: connect(s, 10.0.2.2:443)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("simsock run {strict} --seed 3")),
        "{text}"
    );
}

#[test]
fn bad_ranges_shards_and_files_exit_2() {
    let file = bundled("timeout.ron");
    for args in [
        vec!["sweep", &file, "--seeds", "8..1"],
        vec!["sweep", &file, "--seeds", "abc"],
        vec!["sweep", &file, "--seeds", "0..100000000"],
        vec!["sweep", &file, "--seeds", "1..8", "--shard", "2/2"],
        vec!["sweep", &file, "--seeds", "1..8", "-j", "0"],
        vec!["sweep", "no/such.ron", "--seeds", "1..8"],
        vec!["sweep", &file],
    ] {
        let out = simsock(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let out = simsock(&["sweep", &file, "--seeds", "0..100000000"]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("at most 10000000"), "{err}");
}

/// A seed past 2^64 - 1 is "too large", not "not a seed range".
#[test]
fn a_seed_past_u64_is_too_large() {
    let file = common::bundled("refused.ron");
    let out = common::simsock(&["sweep", &file, "--seeds", "0..18446744073709551616"]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(err.contains("too large"), "{err}");
    assert!(!err.contains("not a seed range"), "{err}");
}

/// A shard with no seed (the range is smaller than the shard count) is an
/// error that says why, not a pass of 0 runs.
#[test]
fn an_empty_shard_is_an_error_not_a_pass() {
    let file = common::bundled("refused.ron");
    let out = common::simsock(&["sweep", &file, "--seeds", "0..2", "--shard", "3/4"]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(err.contains("holds no seed"), "{err}");
    assert!(err.contains("2 seed(s)"), "{err}");
    assert!(!common::stdout(&out).contains("PASS"));
}

/// The per-seed line of a sweep (`--json`): what `simsock run FILE --seed N
/// --json` says about the same seed, reduced to what a sweep keeps.
fn seed_summary(line: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "seed": line["seed"],
        "passed": line["passed"],
        "digest": line["digest"],
        "results": line["results"],
        "failure": line["failure"],
    })
}

/// The same summary made from `simsock run --json`: the calls grouped by
/// thread in the scenario's order, each thread's in the order it made them.
fn run_summary(run: &serde_json::Value, threads: &[String]) -> serde_json::Value {
    let mut results = serde_json::Map::new();
    for thread in threads {
        let calls: Vec<&serde_json::Value> = run["calls"]
            .as_array()
            .expect("calls")
            .iter()
            .filter(|c| {
                format!(
                    "{}/{}",
                    c["host"].as_str().unwrap(),
                    c["thread"].as_str().unwrap()
                ) == *thread
            })
            .map(|c| &c["result"])
            .collect();
        if !calls.is_empty() {
            results.insert(thread.clone(), serde_json::json!(calls));
        }
    }
    let failures = run["failures"].as_array().expect("failures");
    let failure = match (failures.first(), &run["limit"]) {
        (Some(f), _) => f.clone(),
        (None, limit) => limit.clone(),
    };
    serde_json::json!({
        "seed": run["seed"],
        "passed": run["passed"],
        "digest": run["digest"],
        "results": results,
        "failure": failure,
    })
}

/// A sweep builds each seed's world from what it made once for the whole
/// sweep, on worker threads that run seed after seed: nothing may leak
/// from one seed into the next. Every seed of a sweep on one worker (the
/// most seeds one after another) says exactly what `simsock run --seed N`
/// says alone: digest, verdict, every call's result, the first failure.
/// The scenarios have faults (a link cut and repaired, a lossy link, a
/// crash and a restart), several hosts, TIME_WAIT across calls and
/// shuffled ties.
#[test]
fn each_seed_of_a_sweep_is_the_seed_run_alone() {
    let files = [
        "timeout.ron",
        "reuse.ron",
        "refused.ron",
        "faults/server-crash.ron",
        "faults/lossy-link-sweep.ron",
        "faults/flapping-link.ron",
        "interleavings/backlog-race.ron",
    ];
    for name in files {
        let file = bundled(name);
        let sweep = simsock(&["sweep", &file, "--seeds", "0..10", "--json", "-j", "1"]);
        assert!(
            matches!(sweep.status.code(), Some(0 | 1)),
            "{}",
            stderr(&sweep)
        );
        let lines: Vec<serde_json::Value> = stdout(&sweep)
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        assert_eq!(lines.len(), 10, "{name}");
        let mut digests: Vec<&str> = lines
            .iter()
            .map(|l| l["digest"].as_str().unwrap())
            .collect();
        assert!(digests.iter().all(|d| d.len() == 64), "{name}");
        digests.dedup();
        assert!(digests.len() > 1, "{name}: the seed changes the trace");
        let threads: Vec<String> = lines
            .iter()
            .flat_map(|l| l["results"].as_object().unwrap().keys().cloned())
            .fold(Vec::new(), |mut all, t| {
                if !all.contains(&t) {
                    all.push(t);
                }
                all
            });
        for line in &lines {
            let seed = line["seed"].as_u64().unwrap().to_string();
            let run = simsock(&["run", &file, "--seed", &seed, "--json"]);
            let run: serde_json::Value =
                serde_json::from_str(stdout(&run).trim()).expect("run --json is one JSON line");
            assert_eq!(
                seed_summary(line),
                run_summary(&run, &threads),
                "{name} seed {seed}: the sweep and the run alone differ"
            );
        }
    }
}
