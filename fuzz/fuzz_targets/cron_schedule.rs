//! Sync-window schedules (cron) and durations, as AppProjects carry them; input is
//! `schedule NUL duration`.
#![no_main]

use argo_webhooks::cron::Schedule;
use argo_webhooks::windows::parse_go_duration;
use jiff::civil::DateTime;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (schedule, duration) = argo_fuzz::split(data);
    let spec = argo_fuzz::text(schedule);
    let _ = Schedule::check_standard(&spec);
    if let Ok(s) = Schedule::parse(&spec) {
        // Fire times only move forward.
        let mut t: DateTime = "2025-03-05T12:00:00".parse().expect("a time");
        for _ in 0..3 {
            match s.next(t) {
                Some(n) => {
                    assert!(n > t, "{spec:?}: {n} is not after {t}");
                    t = n;
                }
                None => break,
            }
        }
    }
    let _ = parse_go_duration(&argo_fuzz::text(duration));
});
