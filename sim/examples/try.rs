fn main() {
    let path = std::env::args().nth(1).unwrap();
    let src = std::fs::read_to_string(&path).unwrap();
    let s = match simsock_sim::scenario::load(&src) {
        Ok(s) => s,
        Err(e) => {
            println!("{:?} {:?}", e, e.line_col(&src));
            return;
        }
    };
    let r = simsock_sim::scenario::run(&s, &Default::default());
    for l in &r.trace_lines {
        println!("{l}");
    }
    for c in &r.calls {
        println!(
            "{:>14} {} {} {} -> {} {:?}",
            c.end_ns, c.host, c.thread, c.call, c.detail, c.failure
        );
    }
    println!(
        "passed={} failures={:?} limit={:?} digest={}",
        r.passed, r.failures, r.limit, r.digest
    );
}
