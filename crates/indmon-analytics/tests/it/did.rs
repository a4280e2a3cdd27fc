//! Callaway–Sant'Anna against R `did` (and `csdid`) on `mpdta` (fixtures/evaluation,
//! PROVENANCE.md there).

use std::collections::BTreeMap;
use std::path::PathBuf;

use indmon_analytics::evaluate::did::{
    AggOptions, AggregationType, AttGtResult, BasePeriod, ControlGroup, Method, Options, Panel,
    aggregate, att_gt,
};

fn fixture(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/evaluation")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn unquote(s: &str) -> &str {
    s.trim().trim_matches('"')
}

/// `mpdta` as a panel: outcome `lemp`, covariate `lpop` when asked.
pub fn mpdta(with_lpop: bool) -> Panel {
    let text = fixture("mpdta.csv");
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').map(unquote).collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let (cy, ci, cp, cl, cg) = (
        col("year"),
        col("countyreal"),
        col("lpop"),
        col("lemp"),
        col("first.treat"),
    );
    // unit → (group, year → (lemp, lpop))
    type Unit = (f64, BTreeMap<i64, (f64, f64)>);
    let mut by_unit: BTreeMap<i64, Unit> = BTreeMap::new();
    for l in lines.filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = l.split(',').map(unquote).collect();
        let e = by_unit.entry(f[ci].parse().unwrap()).or_default();
        e.0 = f[cg].parse().unwrap();
        e.1.insert(
            f[cy].parse().unwrap(),
            (f[cl].parse().unwrap(), f[cp].parse().unwrap()),
        );
    }
    let times: Vec<f64> = by_unit
        .values()
        .next()
        .unwrap()
        .1
        .keys()
        .map(|t| *t as f64)
        .collect();
    let mut p = Panel {
        times,
        group: vec![],
        y: vec![],
        k: usize::from(with_lpop),
        x: vec![],
    };
    for (g, obs) in by_unit.values() {
        p.group.push(*g);
        for (y, x) in obs.values() {
            p.y.push(*y);
            if with_lpop {
                p.x.push(*x);
            }
        }
    }
    p
}

/// Reference rows: (scenario-free) `group,t,att,se` and `type,egt,att_egt,se_egt,overall_att,overall_se`.
fn table(name: &str) -> Vec<BTreeMap<String, String>> {
    let text = fixture(name);
    let mut lines = text.lines();
    let head: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(|h| unquote(h).to_string())
        .collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            head.iter()
                .cloned()
                .zip(l.split(',').map(|v| unquote(v).to_string()))
                .collect()
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, k: &str) -> Option<f64> {
    row[k].parse().ok().filter(|v: &f64| v.is_finite())
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol,
        "{what}: {a} vs reference {b} (tolerance {tol})"
    );
}

pub fn check_attgt(res: &AttGtResult, rows: &[BTreeMap<String, String>], tol: f64, what: &str) {
    assert_eq!(res.rows.len(), rows.len(), "{what}: number of ATT(g,t)");
    for (r, e) in res.rows.iter().zip(rows) {
        let label = format!("{what} ATT({},{})", r.group, r.time);
        close(r.group, num(e, "group").unwrap(), 0.0, &label);
        close(r.time, num(e, "t").unwrap(), 0.0, &label);
        close(r.att, num(e, "att").unwrap(), tol, &label);
        match (r.se, num(e, "se")) {
            (Some(a), Some(b)) => close(a, b, tol, &format!("{label} se")),
            (None, None) => {}
            (a, b) => panic!("{label} se: {a:?} vs {b:?}"),
        }
    }
}

pub fn check_aggte(res: &AttGtResult, rows: &[BTreeMap<String, String>], tol: f64, what: &str) {
    for kind in [
        AggregationType::Simple,
        AggregationType::Group,
        AggregationType::Dynamic,
        AggregationType::Calendar,
    ] {
        let expected: Vec<_> = rows.iter().filter(|r| r["type"] == kind.as_str()).collect();
        assert!(
            !expected.is_empty(),
            "{what}: no reference rows for {}",
            kind.as_str()
        );
        let a = aggregate(res, kind, &AggOptions::default());
        let label = format!("{what} {}", kind.as_str());
        close(
            a.overall_att,
            num(expected[0], "overall_att").unwrap(),
            tol,
            &label,
        );
        close(
            a.overall_se.unwrap(),
            num(expected[0], "overall_se").unwrap(),
            tol,
            &format!("{label} overall se"),
        );
        if kind == AggregationType::Simple {
            assert!(a.rows.is_empty());
            continue;
        }
        assert_eq!(a.rows.len(), expected.len(), "{label}: rows");
        for (r, e) in a.rows.iter().zip(&expected) {
            let l = format!("{label} {}", r.egt);
            close(r.egt, num(e, "egt").unwrap(), 0.0, &l);
            close(r.att, num(e, "att_egt").unwrap(), tol, &l);
            match (r.se, num(e, "se_egt")) {
                (Some(a), Some(b)) => close(a, b, tol, &format!("{l} se")),
                (None, None) => {}
                (a, b) => panic!("{l} se: {a:?} vs {b:?}"),
            }
        }
    }
}

#[test]
fn evaluate_did_matches_r_did_on_mpdta_never_treated_dr() {
    let res = att_gt(&mpdta(false), &Options::default()).unwrap();
    check_attgt(
        &res,
        &table("did_ref_attgt_mpdta_nev_dr.csv"),
        1e-6,
        "R did nev/dr",
    );
    check_aggte(
        &res,
        &table("did_ref_aggte_mpdta_nev_dr.csv"),
        1e-6,
        "R did nev/dr",
    );
    assert_eq!(res.n(), 500);
    assert!(res.notes.is_empty(), "{:?}", res.notes);
}

#[test]
fn evaluate_did_wald_pretest_on_mpdta() {
    let res = att_gt(&mpdta(false), &Options::default()).unwrap();
    let w = res.wald.clone().unwrap();
    assert_eq!(w.df, 5);
    // R did's summary of this att_gt (its vignette "Introduction to DiD with Multiple Time
    // Periods"): "P-value for pre-test of parallel trends assumption: 0.16812" (did rounds to 5)
    assert_eq!((w.p_value * 1e5).round() / 1e5, 0.16812, "{w:?}");
    close(w.statistic, 7.791_236_6, 1e-6, "W");
}

#[test]
fn evaluate_did_universal_base_period_zero_at_g_minus_1() {
    let o = Options {
        base_period: BasePeriod::Universal,
        ..Options::default()
    };
    let res = att_gt(&mpdta(false), &o).unwrap();
    // 3 groups × 5 periods (2003..2007); the base period g−1 has ATT 0 and no se
    assert_eq!(res.rows.len(), 15);
    for r in &res.rows {
        if r.time == r.group - 1.0 {
            assert_eq!(r.att, 0.0);
            assert_eq!(r.se, None);
        }
    }
    // post-treatment ATT(g,t) do not depend on the base-period choice
    let varying = att_gt(&mpdta(false), &Options::default()).unwrap();
    for v in varying.rows.iter().filter(|r| r.post) {
        let u = res
            .rows
            .iter()
            .find(|r| r.group == v.group && r.time == v.time)
            .unwrap();
        close(u.att, v.att, 1e-12, "universal vs varying post");
    }
    let _ = (ControlGroup::NotYetTreated, Method::Reg);
}

fn scenario(rows: &[BTreeMap<String, String>], name: &str) -> Vec<BTreeMap<String, String>> {
    rows.iter()
        .filter(|r| r["scenario"] == name)
        .cloned()
        .collect()
}

/// Every scenario of `csdid_ref_*.csv` (made by `make_csdid_reference.py` with csdid 0.4.3):
/// not-yet-treated comparison, ipw and reg, the covariate `lpop`, the universal base period.
#[test]
fn evaluate_did_matches_csdid_on_mpdta_scenarios() {
    let attgt = table("csdid_ref_attgt.csv");
    let aggte = table("csdid_ref_aggte.csv");
    let scenarios = [
        (
            "mpdta_nyt_dr",
            ControlGroup::NotYetTreated,
            Method::Dr,
            false,
            BasePeriod::Varying,
        ),
        (
            "mpdta_nyt_ipw",
            ControlGroup::NotYetTreated,
            Method::Ipw,
            false,
            BasePeriod::Varying,
        ),
        (
            "mpdta_nyt_reg",
            ControlGroup::NotYetTreated,
            Method::Reg,
            false,
            BasePeriod::Varying,
        ),
        (
            "mpdta_nev_ipw",
            ControlGroup::NeverTreated,
            Method::Ipw,
            false,
            BasePeriod::Varying,
        ),
        (
            "mpdta_nev_reg",
            ControlGroup::NeverTreated,
            Method::Reg,
            false,
            BasePeriod::Varying,
        ),
        (
            "mpdta_nev_dr_lpop",
            ControlGroup::NeverTreated,
            Method::Dr,
            true,
            BasePeriod::Varying,
        ),
        (
            "mpdta_nev_ipw_lpop",
            ControlGroup::NeverTreated,
            Method::Ipw,
            true,
            BasePeriod::Varying,
        ),
        (
            "mpdta_nev_reg_lpop",
            ControlGroup::NeverTreated,
            Method::Reg,
            true,
            BasePeriod::Varying,
        ),
        (
            "mpdta_nyt_dr_lpop",
            ControlGroup::NotYetTreated,
            Method::Dr,
            true,
            BasePeriod::Varying,
        ),
        (
            "mpdta_nev_dr_universal",
            ControlGroup::NeverTreated,
            Method::Dr,
            false,
            BasePeriod::Universal,
        ),
        (
            "mpdta_nyt_dr_universal",
            ControlGroup::NotYetTreated,
            Method::Dr,
            false,
            BasePeriod::Universal,
        ),
    ];
    // anticipation of one period (groups 2004 then count as treated in the first period)
    let anticipation = [
        (
            "mpdta_nev_dr_antic1",
            ControlGroup::NeverTreated,
            Method::Dr,
            false,
            BasePeriod::Varying,
        ),
        (
            "mpdta_nyt_dr_antic1",
            ControlGroup::NotYetTreated,
            Method::Dr,
            false,
            BasePeriod::Varying,
        ),
    ];
    let all = scenarios
        .iter()
        .map(|s| (*s, 0.0))
        .chain(anticipation.iter().map(|s| (*s, 1.0)));
    for ((name, control, method, lpop, base_period), anticipation) in all {
        let o = Options {
            control,
            method,
            base_period,
            anticipation,
        };
        let res = att_gt(&mpdta(lpop), &o).unwrap();
        check_attgt(&res, &scenario(&attgt, name), 1e-6, name);
        check_aggte(&res, &scenario(&aggte, name), 1e-6, name);
    }
}

/// The event-time window (`min_e`, `max_e`) and `balance_e` of the dynamic aggregation,
/// against csdid 0.4.3's `aggte(typec="dynamic", ...)`.
#[test]
fn evaluate_did_dynamic_window_and_balance_match_csdid() {
    let aggte = table("csdid_ref_aggte.csv");
    let res = att_gt(&mpdta(false), &Options::default()).unwrap();
    let cases = [
        (
            "mpdta_nev_dr_dynamic_e-2to1",
            AggOptions {
                min_e: -2.0,
                max_e: 1.0,
                balance_e: None,
            },
        ),
        (
            "mpdta_nev_dr_dynamic_balance1",
            AggOptions {
                balance_e: Some(1.0),
                ..AggOptions::default()
            },
        ),
    ];
    for (name, opt) in cases {
        let expected = scenario(&aggte, name);
        let a = aggregate(&res, AggregationType::Dynamic, &opt);
        assert_eq!(a.rows.len(), expected.len(), "{name}");
        close(
            a.overall_att,
            num(&expected[0], "overall_att").unwrap(),
            1e-6,
            name,
        );
        close(
            a.overall_se.unwrap(),
            num(&expected[0], "overall_se").unwrap(),
            1e-6,
            name,
        );
        for (r, e) in a.rows.iter().zip(&expected) {
            close(r.egt, num(e, "egt").unwrap(), 0.0, name);
            close(r.att, num(e, "att_egt").unwrap(), 1e-6, name);
            close(r.se.unwrap(), num(e, "se_egt").unwrap(), 1e-6, name);
        }
    }
}

/// Units treated in the first period are dropped with a note (as `did`): the estimates are
/// those of the panel without them.
#[test]
fn evaluate_did_drops_units_treated_in_the_first_period() {
    let mut p = mpdta(false);
    let t = p.times.len();
    for g in &mut p.group {
        if *g == 2004.0 {
            *g = 2003.0;
        }
    }
    let res = att_gt(&p, &Options::default()).unwrap();
    assert_eq!(res.n(), 480);
    assert!(
        res.notes.iter().any(|n| n.contains("dropped 20 units")),
        "{:?}",
        res.notes
    );
    assert_eq!(res.groups, [2006.0, 2007.0]);
    let keep: Vec<usize> = (0..p.group.len())
        .filter(|&i| p.group[i] != 2003.0)
        .collect();
    let without = Panel {
        times: p.times.clone(),
        group: keep.iter().map(|&i| p.group[i]).collect(),
        y: keep
            .iter()
            .flat_map(|&i| p.y[i * t..(i + 1) * t].to_vec())
            .collect(),
        k: 0,
        x: vec![],
    };
    let expected = att_gt(&without, &Options::default()).unwrap();
    assert_eq!(res.rows, expected.rows);
    let a = aggregate(&res, AggregationType::Simple, &AggOptions::default());
    let b = aggregate(&expected, AggregationType::Simple, &AggOptions::default());
    assert_eq!(a, b);
}
