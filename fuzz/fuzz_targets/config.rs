//! Configuration text: arbitrary TOML and JSON documents go to `Config::from_toml_str` and
//! `Config::from_json_str`. Checked: no panic; an accepted config validates, builds a tracker, a
//! crop planner and a scheduler, and survives a TOML round trip.
#![no_main]

use ballcam_core::testing::CropPlanner;
use ballcam_core::testing::Scheduler;
use ballcam_core::testing::Tracker;
use ballcam_core::Config;
use libfuzzer_sys::fuzz_target;

fn check(config: Config) {
    config.validate().expect("an accepted config validates");
    Tracker::new(config.tracker.clone()).expect("tracker");
    CropPlanner::new(config.crop.clone()).expect("planner");
    let _ = Scheduler::new(config.schedule.clone(), config.detector.clone());
    let text = config.to_toml_string().expect("serialises");
    let again = Config::from_toml_str(&text).expect("its own TOML parses");
    assert_eq!(again, config, "TOML round trip");
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(c) = Config::from_toml_str(text) {
        check(c);
    }
    if let Ok(c) = Config::from_json_str(text) {
        check(c);
    }
});
