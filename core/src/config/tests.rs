//! Tests of the configuration: presets, TOML and JSON loading, overrides, errors naming the field.

use super::*;

#[test]
fn every_preset_is_valid() {
    for p in Preset::ALL {
        p.config().validate().unwrap_or_else(|e| panic!("{p}: {e}"));
        assert_eq!(p.name().parse::<Preset>().unwrap(), p);
    }
    assert!("phone"
        .parse::<Preset>()
        .unwrap_err()
        .message
        .contains("phone-30fps"));
}

#[test]
fn toml_overrides_a_preset() {
    let c = Config::from_toml_str(
        "preset = \"phone-30fps\"\nthreads = 1\n[schedule]\nbudget_us = 5000\n[detector]\nthreshold = 0.4\n",
    )
    .unwrap();
    assert_eq!(c.preset, Preset::Phone30Fps);
    assert_eq!(c.schedule.budget_us, 5000);
    assert_eq!(c.detector.threshold, 0.4);
    // Untouched fields keep the preset's values.
    assert_eq!(
        c.detector.roi_input,
        Preset::Phone30Fps.config().detector.roi_input
    );
}

#[test]
fn json_and_toml_round_trip() {
    let c = Config::preset(Preset::Server);
    let t = c.to_toml_string().unwrap();
    assert_eq!(Config::from_toml_str(&t).unwrap(), c);
    let j = serde_json::to_string(&c).unwrap();
    assert_eq!(Config::from_json_str(&j).unwrap(), c);
}

#[test]
fn bad_values_name_the_field() {
    let e = Config::from_toml_str("[detector]\nthreshold = 1.5\n").unwrap_err();
    assert_eq!(e.field, "detector.threshold");
    assert!(e.message.contains("1.5"), "{e}");
    let e = Config::from_toml_str("[detector]\nroi_threshold = 0.0\n").unwrap_err();
    assert_eq!(e.field, "detector.roi_threshold");
    let e = Config::from_toml_str("[detector]\nroi_input = { width = 100, height = 192 }\n")
        .unwrap_err();
    assert_eq!(e.field, "detector.roi_input");
    let e = Config::from_toml_str("threads = 0\n").unwrap_err();
    assert_eq!(e.field, "threads");
    let e = Config::from_toml_str("bogus = 1\n").unwrap_err();
    assert!(e.message.contains("bogus"), "{e}");
    let e = Config::from_toml_str("preset = \"tablet\"\n").unwrap_err();
    assert_eq!(e.field, "preset");
    let e = Config::from_json_str("[1, 2]").unwrap_err();
    assert!(e.message.contains("table"));
    let e = Config::from_toml_str("[schedule]\nbudget_us = 0\n").unwrap_err();
    assert_eq!(e.field, "schedule.budget_us");
    let e = Config::from_toml_str("[schedule]\npack_fill = 1.2\n").unwrap_err();
    assert_eq!(e.field, "schedule.pack_fill");
    assert!(e.message.contains("1.2"), "{e}");
    let e = Config::from_toml_str("[schedule]\ncost_margin = -1\n").unwrap_err();
    assert_eq!(e.field, "schedule.cost_margin");
    let c = Config::from_toml_str("[schedule]\nroi_fit_small = false\npack_fill = 1.0\n")
        .expect("valid overrides");
    assert!(!c.schedule.roi_fit_small);
}
