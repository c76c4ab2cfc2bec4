//! A scenario with every host on another personality.

use simsock_model::HostProfile;
use simsock_model::profile::Personality;
use simsock_model::scenario::Scenario;

/// `s` with every host following `to`. A field the scenario wrote on a
/// host (one whose value differs from the host's own personality's) keeps
/// its value; every other field takes `to`'s.
pub fn apply(s: &Scenario, to: Personality) -> Scenario {
    let mut s = s.clone();
    for host in &mut s.hosts {
        host.profile = moved(&host.profile, to);
    }
    s
}

fn moved(profile: &HostProfile, to: Personality) -> HostProfile {
    let base = HostProfile::of(profile.personality);
    // Invariant: a HostProfile is plain data; it serializes to a JSON
    // object, and the whole object loads back (profile.rs tests it with RON).
    let json = |p: &HostProfile| serde_json::to_value(p).expect("a profile serializes");
    let (written, base) = (json(profile), json(&base));
    let mut target = json(&HostProfile::of(to));
    if let (Some(written), Some(base), Some(target)) = (
        written.as_object(),
        base.as_object(),
        target.as_object_mut(),
    ) {
        for (field, value) in written {
            if field != "personality" && base.get(field) != Some(value) {
                target.insert(field.clone(), value.clone());
            }
        }
    }
    serde_json::from_value(target).expect("a profile loads back")
}

#[cfg(test)]
mod tests {
    use super::*;
    use simsock_model::SimDuration;

    #[test]
    fn written_fields_survive_the_move() {
        let written = HostProfile {
            mss: 1000,
            ..HostProfile::default()
        };
        let linux = moved(&written, Personality::Linux);
        assert_eq!(linux.personality, Personality::Linux);
        assert_eq!(linux.mss, 1000);
        assert_eq!(linux.tcp_timed_wait_delay, SimDuration::from_secs(60));
        assert_eq!(moved(&linux, Personality::Windows), written);
    }
}
