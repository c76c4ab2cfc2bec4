//! The HTML view in a real browser: headless Chromium loads the page of
//! several bundled scenarios with `#test=step5`, which steps five times
//! (buttons and arrow keys), steps back, clicks a packet and filters a
//! packet kind through the page's own handlers, then writes what the page
//! shows into `<pre id="test-result">`; `--dump-dom` hands that back. The
//! counts are checked against the JSON-lines view of the same run, and a
//! screenshot of each page is kept in `target/tmp/viewer/`.
//!
//! Without Chromium the tests pass with a notice on standard error (not
//! captured by the test harness, so it shows in `cargo test`'s output),
//! except under CI (the `CI` environment variable set), where a missing
//! browser fails them: `.ci/run` installs Debian's `chromium`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use wait_timeout::ChildExt;

/// The browsers tried, in order.
const BROWSERS: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];
/// A page loads in about a second; this is for a stuck browser.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);
/// Steps the test mode takes.
const STEPS: usize = 5;

/// The browser to drive, or `None` when there is none outside CI.
fn browser() -> Option<&'static str> {
    let found = BROWSERS.into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if found.is_some() {
        return found;
    }
    if std::env::var_os("CI").is_some() || std::env::var_os("SIMSOCK_REQUIRE_TOOLS").is_some() {
        panic!(
            "Chromium is not installed, and tools are required here (CI or \
             SIMSOCK_REQUIRE_TOOLS): apt-get install chromium"
        );
    }
    notice(
        "SKIPPED: the HTML viewer's browser tests need Chromium (`apt-get install chromium` \
         on Debian); they pass without it only outside CI",
    );
    None
}

/// Writes a skip notice where a person sees it: the test harness captures
/// `println!` and `eprintln!` of passing tests, so the notice goes to the
/// process's own standard error (`/dev/stderr`), once per test.
fn notice(text: &str) {
    use std::io::Write as _;
    let direct = std::fs::OpenOptions::new().append(true).open("/dev/stderr");
    match direct {
        Ok(mut stderr) => {
            let _ = writeln!(stderr, "{text}");
        }
        Err(_) => eprintln!("{text}"),
    }
}

/// The flags of every run: no network, no profile, no GPU.
fn chromium(browser: &str, profile: &Path) -> Command {
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command.stdin(Stdio::null()).stderr(Stdio::null());
    command
}

/// Runs the browser to its end, or kills it after [`BROWSER_TIMEOUT`];
/// returns what it printed (into `out`, a file, so a long DOM cannot fill a
/// pipe while nobody reads it).
fn run(mut command: Command, out: &Path) -> String {
    let file = std::fs::File::create(out).expect("the output file");
    let mut child = command.stdout(file).spawn().expect("the browser starts");
    match child
        .wait_timeout(BROWSER_TIMEOUT)
        .expect("the browser can be waited for")
    {
        Some(status) => assert!(status.success(), "the browser failed: {status}"),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the browser did not finish in {BROWSER_TIMEOUT:?}");
        }
    }
    std::fs::read_to_string(out).expect("the browser's output")
}

fn work_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("viewer")
        .join(name.replace('/', "-"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the scenario's page with `simsock trace --format html`.
fn export(scenario: &str, dir: &Path) -> PathBuf {
    let page = dir.join("page.html");
    let path = common::bundled(scenario);
    let out = common::simsock(&[
        "trace",
        &path,
        "--format",
        "html",
        "--out",
        page.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    page
}

/// The run's events as the JSON-lines view writes them.
fn json_lines(scenario: &str) -> Vec<Value> {
    let out = common::simsock(&["trace", &common::bundled(scenario), "--format", "json"]);
    assert!(out.status.success());
    common::stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Loads `page#test=step5` and returns what the test mode wrote.
fn test_result(browser: &str, page: &Path, dir: &Path) -> Value {
    let mut command = chromium(browser, &dir.join("profile-dom"));
    command
        .arg("--dump-dom")
        .arg(format!("file://{}#test=step{STEPS}", page.display()));
    let dom = run(command, &dir.join("dom.html"));
    let start = dom
        .find(r#"id="test-result""#)
        .unwrap_or_else(|| panic!("no test result in the DOM:\n{dom}"));
    let rest = &dom[start..];
    let text = &rest[rest.find('>').unwrap() + 1..rest.find("</pre>").unwrap()];
    assert!(
        rest[..rest.find('>').unwrap()].contains(r#"data-done="1""#),
        "{rest}"
    );
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A screenshot of the page at its first packet; kept as an artifact.
fn screenshot(browser: &str, page: &Path, dir: &Path) -> PathBuf {
    let png = dir.join("screenshot.png");
    let _ = std::fs::remove_file(&png);
    let mut command = chromium(browser, &dir.join("profile-shot"));
    command
        .arg("--window-size=1600,1000")
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}#ev=3", page.display()));
    run(command, &dir.join("screenshot.log"));
    png
}

/// The states each connection's end went through, in order, keyed like the
/// page's lanes: (node, `tcp <lower end> <higher end>`).
fn states_by_lane(lines: &[Value]) -> Vec<(String, String, Vec<String>)> {
    let mut lanes: Vec<(String, String, String, Vec<String>)> = Vec::new();
    for l in lines.iter().filter(|l| l["kind"] == "state") {
        let node = l["node"].as_str().unwrap().to_string();
        let (local, remote) = (l["local"].to_string(), l["remote"].to_string());
        let to = l["to"].as_str().unwrap().to_string();
        match lanes
            .iter_mut()
            .find(|x| x.0 == node && x.1 == local && x.2 == remote)
        {
            Some(lane) => lane.3.push(to),
            None => lanes.push((node, local, remote, vec![to])),
        }
    }
    lanes
        .into_iter()
        .map(|(n, _, _, s)| (n, String::new(), s))
        .collect()
}

/// Everything a reader relies on, for one scenario.
fn check(scenario: &str, transport: &str) {
    let Some(browser) = browser() else {
        return;
    };
    let dir = work_dir(scenario);
    let page = export(scenario, &dir);
    let r = test_result(browser, &page, &dir);
    let lines = json_lines(scenario);
    let count = |kind: &str| lines.iter().filter(|l| l["kind"] == kind).count();
    // Every packet is drawn, every call listed, every event in the list.
    assert_eq!(r["packets"], count("send"), "{scenario}: {r}");
    assert_eq!(r["events"], lines.len(), "{scenario}");
    assert_eq!(r["calls"], count("return"), "{scenario}");
    assert_eq!(r["faults"], count("fault"), "{scenario}");
    let failed = lines
        .iter()
        .filter(|l| l["kind"] == "return")
        .filter(|l| l["result"].as_str().unwrap().split(' ').next() != Some("OK"))
        .count();
    assert_eq!(r["failed_calls"], failed, "{scenario}");
    // Each lane shows its connection's states in trace order.
    let lanes: Vec<(String, Vec<String>)> = r["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let states = l["states"].as_array().unwrap();
            let states = states.iter().map(|s| s.as_str().unwrap().to_string());
            (l["node"].as_str().unwrap().to_string(), states.collect())
        })
        .collect();
    let expected: Vec<(String, Vec<String>)> = states_by_lane(&lines)
        .into_iter()
        .map(|(n, _, s)| (n, s))
        .collect();
    assert_eq!(lanes, expected, "{scenario}");
    // Forward moves to the next event, and marks it in the list and in the
    // diagram; back returns.
    assert_eq!(r["start"], 0);
    let steps = r["steps"].as_array().unwrap();
    assert_eq!(steps.len(), STEPS);
    for (k, s) in steps.iter().enumerate() {
        assert_eq!(s["cur"], k + 1, "{scenario}: step {k}: {s}");
        assert_eq!(s["li"], format!("ev-{}", k + 1), "{scenario}");
        assert!(!s["svg"].as_array().unwrap().is_empty(), "{scenario}: {s}");
    }
    assert_eq!(r["back"], STEPS - 1, "{scenario}");
    // A click on the first packet goes to its send and shows its layers.
    let first_send = lines.iter().position(|l| l["kind"] == "send").unwrap();
    assert_eq!(r["clicked"], 0, "{scenario}");
    assert_eq!(r["cur_after_click"], first_send, "{scenario}");
    let layers: Vec<&str> = r["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(layers[0].starts_with("Frame: "), "{layers:?}");
    assert_eq!(
        layers[1..4],
        ["Ethernet II", "Internet Protocol Version 4", transport]
    );
    let fields = r["fields"].as_array().unwrap();
    let field = |name: &str| fields.iter().find(|f| f[0] == name).map(|f| f[1].clone());
    let packet = &lines[first_send]["packet"];
    assert_eq!(field("Source address").unwrap(), packet["src"]);
    assert_eq!(field("Destination address").unwrap(), packet["dst"]);
    let checksums = fields
        .iter()
        .filter(|f| f[0].as_str().unwrap().contains("hecksum"));
    for c in checksums {
        assert!(c[1].as_str().unwrap().ends_with("[correct]"), "{c}");
    }
    // Hiding a packet kind hides exactly those packets.
    let kind = r["filtered_kind"].as_str().unwrap();
    let hidden = page_kinds(&page).iter().filter(|k| *k == kind).count();
    assert!(hidden > 0);
    assert_eq!(
        r["visible_after_filter"],
        count("send") - hidden,
        "{scenario}"
    );
    // Hiding a host hides the packets it neither sent nor received; a
    // connection shows only its packets and lanes.
    let data = page_data(&page);
    let packets = data["packets"].as_array().unwrap();
    let without_host = packets
        .iter()
        .filter(|p| p["from"] != 0 || p["to"] != 0)
        .count();
    assert_eq!(r["visible_without_host"], without_host, "{scenario}");
    let conn = r["filtered_conn"].as_str().unwrap();
    let in_conn = packets.iter().filter(|p| p["conn"] == conn).count();
    assert_eq!(r["visible_in_conn"], in_conn, "{scenario}: {conn}");
    let lanes_in_conn = data["lanes"].as_array().unwrap();
    let lanes_in_conn = lanes_in_conn.iter().filter(|l| l["conn"] == conn).count();
    assert_eq!(r["lanes_in_conn"], lanes_in_conn, "{scenario}: {conn}");
    // The projector mode enlarges the diagram.
    assert_eq!(r["large"], true, "{scenario}");
    let png = screenshot(browser, &page, &dir);
    let bytes = std::fs::read(&png).expect("a screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 20_000);
    println!("screenshot: {}", png.display());
}

/// The data blob of a written page.
fn page_data(page: &Path) -> Value {
    let html = std::fs::read_to_string(page).unwrap();
    let start = html.find(r#"id="trace-data">"#).unwrap() + r#"id="trace-data">"#.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// The kind of each packet, from the page's data.
fn page_kinds(page: &Path) -> Vec<String> {
    page_data(page)["packets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn handshake_in_a_browser() {
    check("tour/01-handshake.ron", "Transmission Control Protocol");
}

#[test]
fn refused_in_a_browser() {
    check("refused.ron", "Transmission Control Protocol");
}

#[test]
fn firewall_faults_in_a_browser() {
    check("faults/firewall.ron", "Transmission Control Protocol");
}

#[test]
fn datagrams_in_a_browser() {
    check("datagram/connected-filter.ron", "User Datagram Protocol");
}

#[test]
fn unreachable_in_a_browser() {
    check("unreachable.ron", "Transmission Control Protocol");
}

/// Every `.ron` file under `scenarios/`, as paths relative to it.
fn bundled_scenarios() -> Vec<String> {
    let root = PathBuf::from(common::bundled(""));
    let mut found = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "ron") {
                let relative = path.strip_prefix(&root).unwrap();
                found.push(relative.display().to_string());
            }
        }
    }
    found.sort();
    found
}

/// Every bundled scenario's page works in the browser: one Chromium run
/// loads them all, each in a frame of an index page with `#test=step3`,
/// and the index collects what each page's test mode wrote. Each page
/// draws every packet, call and event of its data, and steps forward.
#[test]
fn every_bundled_scenario_in_a_browser() {
    let Some(browser) = browser() else {
        return;
    };
    let dir = work_dir("all");
    let scenarios = bundled_scenarios();
    assert!(scenarios.len() > 50, "{}", scenarios.len());
    let mut frames = String::new();
    for (i, scenario) in scenarios.iter().enumerate() {
        let page = dir.join(format!("{i}.html"));
        let out = common::simsock(&[
            "trace",
            &common::bundled(scenario),
            "--format",
            "html",
            "--out",
            page.to_str().unwrap(),
        ]);
        assert!(
            page.exists(),
            "{scenario}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        frames.push_str(&format!("<iframe src=\"{i}.html#test=step3\"></iframe>\n"));
    }
    let index = dir.join("index.html");
    let collect = "<script>window.addEventListener('load', () => { \
        const results = Array.from(document.querySelectorAll('iframe')).map((f) => { \
        const r = f.contentDocument && f.contentDocument.getElementById('test-result'); \
        return r && r.dataset.done ? JSON.parse(r.textContent) : null; }); \
        document.getElementById('all').textContent = JSON.stringify(results); });</script>";
    let html =
        format!("<!DOCTYPE html><html><body>{frames}<pre id=\"all\"></pre>{collect}</body></html>");
    std::fs::write(&index, html).unwrap();
    let mut command = chromium(browser, &dir.join("profile"));
    command
        .arg("--allow-file-access-from-files")
        .arg("--dump-dom")
        .arg(format!("file://{}", index.display()));
    let dom = run(command, &dir.join("dom.html"));
    let start = dom.find(r#"<pre id="all">"#).expect("the index") + r#"<pre id="all">"#.len();
    let text = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let results: Vec<Value> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(results.len(), scenarios.len());
    for (i, (scenario, r)) in scenarios.iter().zip(&results).enumerate() {
        assert!(!r.is_null(), "{scenario}: the page's test mode did not run");
        let data = page_data(&dir.join(format!("{i}.html")));
        let len = |key: &str| data[key].as_array().unwrap().len();
        assert_eq!(r["packets"], len("packets"), "{scenario}");
        assert_eq!(r["calls"], len("calls"), "{scenario}");
        assert_eq!(r["events"], len("events"), "{scenario}");
        let steps = r["steps"].as_array().unwrap();
        for (k, s) in steps.iter().enumerate() {
            let expected = (k + 1).min(len("events") - 1);
            assert_eq!(s["cur"], expected, "{scenario}: {s}");
            assert!(!s["svg"].as_array().unwrap().is_empty(), "{scenario}: {s}");
        }
    }
    println!("{} bundled scenarios checked in {browser}", scenarios.len());
}
