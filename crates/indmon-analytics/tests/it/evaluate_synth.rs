//! Synthetic control: parity with `pysyncon`'s Basque Country test
//! (`crates/indmon/tests/fixtures/evaluation/synth/`), and the properties of the
//! inner problem (simplex, KKT, exact convex combinations).

use indmon_analytics::evaluate::synth::nelder_mead::NelderMead;
use indmon_analytics::evaluate::synth::qp::{normal_equations, simplex_qp};
use indmon_analytics::evaluate::synth::{
    Design, Op, Panel, Predictor, SynthError, estimate, placebo_in_space, placebo_in_time, ridge,
};
use proptest::prelude::*;

const BASQUE: &str = include_str!("../../../indmon/tests/fixtures/evaluation/synth/basque.csv");
const TREATED: &str = "Basque Country (Pais Vasco)";

fn basque_panel() -> Panel {
    let mut lines = BASQUE.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut units: Vec<String> = Vec::new();
    for r in &rows {
        if !units.iter().any(|u| u == r[1]) {
            units.push(r[1].to_owned());
        }
    }
    let times: Vec<i64> = rows
        .iter()
        .map(|r| r[2].parse::<f64>().unwrap() as i64)
        .collect();
    let vars: Vec<String> = header[3..].iter().map(|s| s.to_string()).collect();
    let mut p = Panel::new(units, times, vars.clone());
    for r in &rows {
        let u = p.unit(r[1]).unwrap();
        let t = p
            .times()
            .binary_search(&(r[2].parse::<f64>().unwrap() as i64))
            .unwrap();
        for (k, v) in r[3..].iter().enumerate() {
            p.set(k, u, t, v.parse::<f64>().ok());
        }
    }
    p
}

fn pred(label: &str, var: &str, years: impl IntoIterator<Item = i64>) -> Predictor {
    Predictor {
        label: label.into(),
        variable: var.into(),
        years: years.into_iter().collect(),
        op: Op::Mean,
    }
}

/// The `Dataprep` of `pysyncon_test_synth_basque.py` (Python ranges exclude the end).
fn basque_design() -> Design {
    let mut predictors: Vec<Predictor> = [
        "school.illit",
        "school.prim",
        "school.med",
        "school.high",
        "school.post.high",
        "invest",
    ]
    .iter()
    .map(|v| pred(v, v, 1964..1970))
    .collect();
    let special: Vec<(&str, Vec<i64>)> = vec![
        ("gdpcap", (1960..1970).collect()),
        ("sec.agriculture", (1961..1970).step_by(2).collect()),
        ("sec.energy", (1961..1970).step_by(2).collect()),
        ("sec.industry", (1961..1970).step_by(2).collect()),
        ("sec.construction", (1961..1970).step_by(2).collect()),
        ("sec.services.venta", (1961..1970).step_by(2).collect()),
        ("sec.services.nonventa", (1961..1970).step_by(2).collect()),
        ("popdens", vec![1969]),
    ];
    for (i, (v, ys)) in special.into_iter().enumerate() {
        predictors.push(pred(&format!("special.{}.{v}", i + 1), v, ys));
    }
    Design {
        outcome: "gdpcap".into(),
        treated: TREATED.into(),
        controls: [
            "Spain (Espana)",
            "Andalucia",
            "Aragon",
            "Principado De Asturias",
            "Baleares (Islas)",
            "Canarias",
            "Cantabria",
            "Castilla Y Leon",
            "Castilla-La Mancha",
            "Cataluna",
            "Comunidad Valenciana",
            "Extremadura",
            "Galicia",
            "Madrid (Comunidad De)",
            "Murcia (Region de)",
            "Navarra (Comunidad Foral De)",
            "Rioja (La)",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        predictors,
        optimize_years: (1960..1970).collect(),
        treatment_year: 1975,
        att_years: (1975..1998).collect(),
        training: None,
        custom_v: None,
        outer: Default::default(),
    }
}

#[test]
fn evaluate_synth_basque_weights_att_and_fit_match_pysyncon() {
    let panel = basque_panel();
    let design = basque_design();
    let e = estimate(&panel, &design, &NelderMead::default()).unwrap();
    let w = |name: &str| e.fit.weights[e.donors.iter().position(|d| d == name).unwrap()];
    eprintln!(
        "weights {:?}",
        e.donors.iter().zip(&e.fit.weights).collect::<Vec<_>>()
    );
    eprintln!(
        "v {:?} loss_v {} att {} se {} iters {}",
        e.fit.v, e.fit.loss_v, e.att, e.att_se, e.fit.iterations
    );
    // pysyncon: Cataluña 0.850816306, Madrid 0.149183694, others 0 (atol 0.025).
    assert!(
        (w("Cataluna") - 0.850816306).abs() < 0.025,
        "{}",
        w("Cataluna")
    );
    assert!((w("Madrid (Comunidad De)") - 0.149183694).abs() < 0.025);
    for (d, x) in e.donors.iter().zip(&e.fit.weights) {
        if d != "Cataluna" && d != "Madrid (Comunidad De)" {
            assert!(x.abs() < 0.025, "{d}: {x}");
        }
    }
    // ATT over 1975–1997 and its SE within 2.5 % (relative), MSPE within 2.5 %.
    assert!(
        (1.0 - (-0.6995647842110987) / e.att).abs() <= 0.025,
        "att {}",
        e.att
    );
    assert!(
        (1.0 - 0.07078092130438395 / e.att_se).abs() <= 0.025,
        "se {}",
        e.att_se
    );
    assert!(
        (1.0 - 0.008864544955047298 / e.fit.loss_v).abs() <= 0.025,
        "mspe {}",
        e.fit.loss_v
    );
    // The summary table's V (atol 0.025) and the synthetic predictor values.
    let v_ref = [
        0.0726559110,
        0.119777358,
        0.003486111,
        0.102189247,
        0.010826786,
        0.000053211,
        0.117260969,
        0.063392606,
        0.155350772,
        0.0958688,
        0.053081107,
        0.001634752,
        0.023709713,
        0.180712657,
    ];
    // V itself is not identified (many V give the same W); the synthetic unit's
    // predictors, which follow from W, are compared with the summary table.
    let _ = v_ref;
    let table = [
        (39.8884646, 256.336977, 323.825543),
        (1031.74230, 2730.10720, 2182.45335),
        (90.358668, 223.340172, 148.864075),
        (25.7275251, 63.4368045, 47.1326627),
        (13.4797198, 36.1534897, 26.1630325),
        (24.6473831, 21.5826359, 21.4454579),
        (5.28546845, 5.27078346, 3.58401509),
        (6.84399996, 6.17934020, 21.0581177),
        (4.10600004, 2.75975796, 5.25223529),
        (45.0820000, 37.6359420, 22.6702353),
        (6.15000000, 6.95245150, 7.27400001),
        (33.7540001, 41.1037607, 36.6458824),
        (4.07200012, 5.37134427, 7.10294116),
        (246.889999, 196.283316, 97.4682350),
    ];
    for (b, (t, s, m)) in e.balance.iter().zip(table) {
        assert!(
            (b.treated - t).abs() < 0.025,
            "{}: {} vs {t}",
            b.predictor,
            b.treated
        );
        assert!(
            (b.synthetic - s).abs() < 0.025,
            "{}: {} vs {s}",
            b.predictor,
            b.synthetic
        );
        assert!(
            (b.sample_mean - m).abs() < 0.025,
            "{}: {} vs {m}",
            b.predictor,
            b.sample_mean
        );
    }
}

#[test]
fn evaluate_synth_basque_placebo_gaps_and_p_value_match_pysyncon() {
    let panel = basque_panel();
    let design = basque_design();
    let p = placebo_in_space(&panel, &design, &NelderMead::default()).unwrap();
    let gaps_ref: [(&str, [f64; 11]); 3] = [
        (
            "Cataluna",
            [
                0.203808058,
                0.22013128,
                0.263867425,
                0.305086227,
                0.307812892,
                0.310500949,
                0.369694004,
                0.423575362,
                0.458736716,
                0.488697369,
                0.492355223,
            ],
        ),
        (
            "Madrid (Comunidad De)",
            [
                0.927170193,
                1.066511653,
                1.011029922,
                0.950455684,
                0.945846094,
                0.930053083,
                0.772220243,
                0.614648344,
                0.557832902,
                0.491439776,
                0.441262212,
            ],
        ),
        (
            "Andalucia",
            [
                -0.005071144,
                0.002029757,
                -0.002976465,
                -0.008368432,
                -0.012947738,
                -0.018273511,
                -0.002324632,
                0.012943551,
                0.009046557,
                0.004579814,
                0.013673678,
            ],
        ),
    ];
    // The outer problem is not convex and pysyncon's inner solver (SLSQP) is
    // approximate, so a placebo fit may end in a different local optimum. Each
    // reference placebo is matched (gaps within atol 0.025 as the reference test), or
    // our fit is strictly better on the criterion both minimise: the mean squared gap
    // over the optimise years 1960–1969 (the reference gaps give pysyncon's).
    let first = panel.times().binary_search(&1960).unwrap();
    let mut matched = 0;
    for (unit, g) in gaps_ref {
        let u = p.units.iter().find(|u| u.unit == unit).unwrap();
        let ours: Vec<f64> = (0..11).map(|i| u.gaps[first + i]).collect();
        let close = ours.iter().zip(&g).all(|(a, b)| (a - b).abs() < 0.025);
        let mspe = |x: &[f64]| x[..10].iter().map(|v| v * v).sum::<f64>() / 10.0;
        eprintln!(
            "{unit}: ours {:?} mspe {} ref mspe {}",
            ours,
            mspe(&ours),
            mspe(&g)
        );
        if close {
            matched += 1;
        } else {
            assert!(
                mspe(&ours) < 0.9 * mspe(&g),
                "{unit}: neither matched nor better: {ours:?} vs {g:?}"
            );
        }
    }
    assert!(matched >= 2, "at most one reference placebo may differ");
    // The reference p-value (1/6): the treated unit's ratio ranks third of 18.
    assert_eq!(p.rank, 3);
    assert!((p.p_value - 0.16666666666666666).abs() < 1e-3);
    assert_eq!(p.units.len(), 18);
}

#[test]
fn evaluate_synth_training_v_is_reused_and_placebo_in_time_runs() {
    let panel = basque_panel();
    let mut design = basque_design();
    // Train V on the 1960–1964 outcomes; reuse it for the main fit.
    let training_preds: Vec<Predictor> = design.predictors.clone();
    design.training = Some(indmon_analytics::evaluate::synth::Training {
        predictors: training_preds,
        optimize_years: (1960..1965).collect(),
    });
    let e = estimate(&panel, &design, &NelderMead::default()).unwrap();
    let t = e.training.as_ref().unwrap();
    for (a, b) in t.v.iter().zip(&e.fit.v) {
        assert!(
            (a - b).abs() < 1e-12,
            "the training V is the V of the main fit"
        );
    }
    assert_eq!(e.fit.iterations, 0);
    let pt = placebo_in_time(&panel, &basque_design(), 1970, &NelderMead::default()).unwrap();
    assert_eq!(pt.treatment_year, 1970);
    assert_eq!(pt.att_years, (1970..1975).collect::<Vec<_>>());
    assert!(pt.att.is_finite());
}

#[test]
fn evaluate_synth_bad_designs_are_named() {
    let panel = basque_panel();
    let mut d = basque_design();
    d.controls.push(TREATED.into());
    assert!(
        matches!(estimate(&panel, &d, &NelderMead::default()), Err(SynthError::Design(m)) if m.contains("also among the controls"))
    );
    let mut d = basque_design();
    d.treatment_year = 1956;
    assert!(
        matches!(estimate(&panel, &d, &NelderMead::default()), Err(SynthError::Design(m)) if m.contains("too few pre-treatment periods"))
    );
    let mut d = basque_design();
    d.predictors[0].years = vec![1955]; // school.illit is missing before 1964
    match estimate(&panel, &d, &NelderMead::default()) {
        Err(SynthError::MissingPredictor { predictor, .. }) => {
            assert_eq!(predictor, "school.illit")
        }
        other => panic!("{other:?}"),
    }
    let mut p2 = panel.clone();
    let madrid = p2.unit("Madrid (Comunidad De)").unwrap();
    let t = p2.times().binary_search(&1990).unwrap();
    p2.set(0, madrid, t, None);
    match estimate(&p2, &basque_design(), &NelderMead::default()) {
        Err(SynthError::MissingOutcome { unit, year, .. }) => {
            assert_eq!((unit.as_str(), year), ("Madrid (Comunidad De)", 1990))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn evaluate_synth_ridge_augmented_basque() {
    let panel = basque_panel();
    let d = basque_design();
    let out = panel.variable("gdpcap").unwrap();
    let pre: Vec<usize> = (0..panel.times().len())
        .filter(|&t| panel.times()[t] < 1975)
        .collect();
    let series = |u: &str| -> Vec<f64> {
        let u = panel.unit(u).unwrap();
        pre.iter().map(|&t| panel.get(out, u, t).unwrap()).collect()
    };
    let x0: Vec<Vec<f64>> = d.controls.iter().map(|c| series(c)).collect();
    let x1 = series(TREATED);
    let f = ridge::ridge_augment(&x0, &x1, None).unwrap();
    eprintln!(
        "lambda {} w {:?} l2 {} {}",
        f.lambda, f.weights, f.l2_imbalance_scm, f.l2_imbalance
    );
    assert!((f.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!(f.l2_imbalance <= f.l2_imbalance_scm + 1e-12);
    let inf = ridge::ridge_augment(&x0, &x1, Some(1e18)).unwrap();
    for (a, b) in inf.weights.iter().zip(&inf.scm_weights) {
        assert!((a - b).abs() < 1e-8);
    }
}

fn kkt(p: &[f64], q: &[f64], n: usize, w: &[f64]) {
    let g: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| p[i * n + j] * w[j]).sum::<f64>() - q[i])
        .collect();
    let scale = 1.0 + p.iter().chain(q).map(|v| v.abs()).fold(0.0, f64::max);
    let free: Vec<usize> = (0..n).filter(|&i| w[i] > 1e-9).collect();
    let mu = -free.iter().map(|&i| g[i]).sum::<f64>() / free.len() as f64;
    for i in 0..n {
        assert!(w[i] >= 0.0);
        if w[i] > 1e-9 {
            assert!(
                (g[i] + mu).abs() <= 1e-7 * scale,
                "stationarity at {i}: {}",
                g[i] + mu
            );
        } else {
            assert!(
                g[i] + mu >= -1e-7 * scale,
                "dual feasibility at {i}: {}",
                g[i] + mu
            );
        }
    }
    assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn evaluate_synth_qp_is_on_the_simplex_and_meets_kkt(
        j in 1usize..12, k in 1usize..8,
        xs in proptest::collection::vec(-5.0f64..5.0, 96),
        x1 in proptest::collection::vec(-5.0f64..5.0, 8),
        v in proptest::collection::vec(0.0f64..1.0, 8),
    ) {
        let x0: Vec<Vec<f64>> = (0..j).map(|d| (0..k).map(|r| xs[d * 8 + r]).collect()).collect();
        let (p, q) = normal_equations(&x0, &x1[..k], &v[..k]);
        let s = simplex_qp(&p, &q, j);
        kkt(&p, &q, j, &s.w);
    }

    #[test]
    fn evaluate_synth_exact_convex_combination_is_recovered(
        j in 3usize..9,
        xs in proptest::collection::vec(-5.0f64..5.0, 90),
        raw in proptest::collection::vec(0.05f64..1.0, 3),
    ) {
        // k = j + 2 predictors > donors: the donors are affinely independent (a.s.),
        // so the convex combination is the unique exact fit.
        let k = j + 2;
        let x0: Vec<Vec<f64>> = (0..j).map(|d| (0..k).map(|r| xs[d * 10 + r]).collect()).collect();
        let total: f64 = raw.iter().sum();
        let mut w = vec![0.0; j];
        for (i, r) in raw.iter().enumerate() { w[i] = r / total; }
        let x1: Vec<f64> = (0..k).map(|r| (0..j).map(|d| w[d] * x0[d][r]).sum()).collect();
        let (p, q) = normal_equations(&x0, &x1, &vec![1.0; k]);
        let s = simplex_qp(&p, &q, j);
        for d in 0..j {
            prop_assert!((s.w[d] - w[d]).abs() < 1e-6, "{:?} vs {:?}", s.w, w);
        }
    }
}

/// `pysyncon` 1.7.0 `AugSynth(use_covariates=False)` on the Basque outcomes
/// (pre-periods 1955–1974), produced by `bench/evaluation/augsynth_reference.py`.
/// pysyncon's λ grid runs from λ_max/s to λ_max·s¹⁹; R `augsynth` (followed here) from
/// λ_max to λ_max·s²⁰, so our k-th λ is pysyncon's (k+1)-th.
#[test]
fn evaluate_synth_ridge_augmented_matches_pysyncon_augsynth() {
    let py_lambdas = [
        934.5924474450375,
        372.06795487301196,
        148.1229207681211,
        58.96879688111654,
        23.475900877285202,
        9.345924474450374,
        3.7206795487301196,
        1.4812292076812108,
        0.5896879688111655,
        0.23475900877285202,
        0.09345924474450377,
        0.0372067954873012,
        0.014812292076812113,
        0.005896879688111655,
        0.0023475900877285207,
        0.0009345924474450377,
        0.000372067954873012,
        0.00014812292076812113,
        5.896879688111656e-05,
        2.347590087728521e-05,
        9.345924474450378e-06,
    ];
    let py_errors = [
        0.009183422133751175,
        0.009179459138052943,
        0.00917873953697729,
        0.009185934238319005,
        0.009201934914627423,
        0.009209680823410994,
        0.009148076393636467,
        0.008906753457549965,
        0.008345547042294925,
        0.007288505397595662,
        0.005570916791823201,
        0.003480505156769829,
        0.0018125369723358362,
        0.0008756071599526456,
        0.00042951088501184194,
        0.00024276089009609846,
        0.0001848736180114324,
        0.00018504112307050747,
        0.0002112351762521955,
        0.00024001367288826718,
        0.0002496193445123685,
    ];
    let py_se = [
        0.002157006059019562,
        0.0021603320135147445,
        0.002165197866656688,
        0.002172200026225659,
        0.002182964391142674,
        0.0021965313722363965,
        0.002203203760720412,
        0.0021865350172046057,
        0.0021285792633214885,
        0.0019874673320102215,
        0.0016738362481368274,
        0.0011768949316937666,
        0.0006731519315512625,
        0.0003275285351924953,
        0.00014870944026739187,
        7.67802528693128e-05,
        5.5815853937815974e-05,
        5.640792138258661e-05,
        7.400594534193431e-05,
        0.00010456029994398254,
        0.00013151443928038277,
    ];
    let py_weights = [
        0.407405045586125,
        -0.01006385982487945,
        -0.5539586445194005,
        0.6860035264374721,
        -0.3005428184155239,
        -0.03239809820842552,
        0.32400131413124883,
        0.6050768724346938,
        -0.20111088196241853,
        0.5978506387537759,
        -0.9164664912476517,
        -0.7155355272381101,
        0.573383423418699,
        0.24127190456811018,
        -0.31932913787126793,
        0.04383185599962186,
        0.5705808779573431,
    ];
    let py_fixed = [
        0.006559891585240139,
        -0.00587028103448961,
        0.009842280340982439,
        0.047032655408789883,
        -0.024508942093742877,
        -0.012631533746795542,
        0.010934028925207402,
        0.020130225791100152,
        -0.030307147187784305,
        0.8308120270445156,
        -0.045086877792760674,
        -0.017839704542279955,
        0.00824435438778065,
        0.15532675011128264,
        2.622005455603384e-05,
        0.016086791716778678,
        0.03124926103161744,
    ];
    let panel = basque_panel();
    let d = basque_design();
    let out = panel.variable("gdpcap").unwrap();
    let at = |u: &str, pick: &dyn Fn(i64) -> bool| -> Vec<f64> {
        let u = panel.unit(u).unwrap();
        (0..panel.times().len())
            .filter(|&t| pick(panel.times()[t]))
            .map(|t| panel.get(out, u, t).unwrap())
            .collect()
    };
    let x0: Vec<Vec<f64>> = d.controls.iter().map(|c| at(c, &|y| y < 1975)).collect();
    let x1 = at(TREATED, &|y| y < 1975);
    let f = ridge::ridge_augment(&x0, &x1, None).unwrap();
    for k in 0..20 {
        let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
        assert!(rel(f.lambdas[k], py_lambdas[k + 1]) < 1e-9, "lambda {k}");
        assert!(
            rel(f.cv_errors[k], py_errors[k + 1]) < 1e-3,
            "error {k}: {} vs {}",
            f.cv_errors[k],
            py_errors[k + 1]
        );
        assert!(rel(f.cv_errors_se[k], py_se[k + 1]) < 1e-2, "se {k}");
    }
    assert!(
        (f.lambda / 0.000372067954873012 - 1.0).abs() < 1e-9,
        "lambda {}",
        f.lambda
    );
    for (a, b) in f.weights.iter().zip(py_weights) {
        assert!((a - b).abs() < 2e-3, "{:?}", f.weights);
    }
    assert!((f.l2_imbalance - 0.021904166854722393).abs() < 1e-4);
    assert!((f.scaled_l2_imbalance - 0.0030174148446003566).abs() < 1e-5);
    // Estimated bias = ATT(SCM) − ATT(augmented) over 1975–1997 = pysyncon's avg_bias.
    let post: Vec<Vec<f64>> = d.controls.iter().map(|c| at(c, &|y| y >= 1975)).collect();
    let bias = |w: &[f64], g: &[f64]| -> f64 {
        let n = post[0].len();
        (0..n)
            .map(|t| {
                (0..w.len())
                    .map(|j| (w[j] - g[j]) * post[j][t])
                    .sum::<f64>()
            })
            .sum::<f64>()
            / n as f64
    };
    let b = bias(&f.weights, &f.scm_weights);
    assert!((b - (-0.3174938471493588)).abs() < 2e-3, "bias {b}");
    let fixed = ridge::ridge_augment(&x0, &x1, Some(1.0)).unwrap();
    for (a, b) in fixed.weights.iter().zip(py_fixed) {
        assert!((a - b).abs() < 1e-4, "{:?}", fixed.weights);
    }
    let b = bias(&fixed.weights, &fixed.scm_weights);
    assert!((b - 0.00028544207794505667).abs() < 1e-5, "bias {b}");
}

/// Regression: on a rank-deficient problem (6 predictors, 27 donors) the active-set
/// method once re-stepped on rounding noise after a full Newton step and cycled to its
/// iteration limit. It must stop well before it.
#[test]
fn evaluate_synth_qp_does_not_cycle_on_rank_deficient_problems() {
    let mut seed = 20261208u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    };
    for case in 0..20 {
        let (j, k) = (27, 6);
        // Nearly collinear predictors (as outcome means over adjacent windows are):
        // an ill-conditioned face.
        let x0: Vec<Vec<f64>> = (0..j)
            .map(|_| {
                let a = next();
                (0..k).map(|_| a + 1e-3 * next()).collect()
            })
            .collect();
        let x1: Vec<f64> = (0..k).map(|_| 0.3 + 1e-3 * next()).collect();
        let v: Vec<f64> = (0..k).map(|_| 0.05 + next().abs()).collect();
        let (p, q) = normal_equations(&x0, &x1, &v);
        let s = simplex_qp(&p, &q, j);
        assert!(
            s.iterations < 200,
            "case {case}: {} iterations",
            s.iterations
        );
        kkt(&p, &q, j, &s.w);
    }
}

// ---- The tie-break among equal predictor fits (`synth::tiebreak`). ----

use indmon_analytics::evaluate::synth::tiebreak::break_tie;
use indmon_analytics::evaluate::synth::{matrices, scale_predictors, weights_for};

/// Basque: the minimiser is unique at the fitted V (and at every V of the search, or
/// the flag would be set), so the tie-break returns the plain QP's weights bit for bit.
#[test]
fn evaluate_synth_tiebreak_leaves_the_unique_basque_fit_unchanged() {
    let panel = basque_panel();
    let design = basque_design();
    let e = estimate(&panel, &design, &NelderMead::default()).unwrap();
    assert!(!e.fit.several_optima);
    let treated = panel.unit(TREATED).unwrap();
    let controls: Vec<usize> = design
        .controls
        .iter()
        .map(|c| panel.unit(c).unwrap())
        .collect();
    let m = matrices(
        &panel,
        "gdpcap",
        treated,
        &controls,
        &design.predictors,
        &design.optimize_years,
    )
    .unwrap();
    let (x0, x1) = scale_predictors(&m);
    let plain = weights_for(&x0, &x1, &e.fit.v).w;
    assert_eq!(plain, e.fit.weights);
    let t = break_tie(&x0, &x1, &e.fit.v, &m.z0, &m.z1, &plain);
    assert!(!t.several);
    assert_eq!(t.w, plain);
}

fn outcome_loss(w: &[f64], z0: &[Vec<f64>], z1: &[f64]) -> f64 {
    (0..z1.len())
        .map(|s| {
            let e = z1[s] - w.iter().zip(z0).map(|(a, z)| a * z[s]).sum::<f64>();
            e * e
        })
        .sum()
}

/// A constructed degenerate case: four donors on one predictor (0, 1, 2, 3), the treated
/// unit at 1.5, so every W with Σw = 1 and Σ j·w_j = 1.5 matches it exactly. The
/// tie-break's outcome loss is compared with a brute-force search over that face
/// (w₀, w₁ on a fine grid, w₂, w₃ solved from the two equalities).
#[test]
fn evaluate_synth_tiebreak_finds_the_min_outcome_loss_weighting_by_brute_force() {
    let x0 = vec![vec![0.0], vec![1.0], vec![2.0], vec![3.0]];
    let x1 = [1.5];
    let z0 = vec![
        vec![1.0, 4.0, 2.0],
        vec![3.0, 0.0, 5.0],
        vec![2.0, 2.0, 1.0],
        vec![6.0, 1.0, 0.0],
    ];
    let z1 = [2.6, 2.2, 2.4];
    let (p, q) = normal_equations(&x0, &x1, &[1.0]);
    let w_star = simplex_qp(&p, &q, 4).w;
    let t = break_tie(&x0, &x1, &[1.0], &z0, &z1, &w_star);
    // Still an exact match of the predictor, on the simplex.
    let fit: f64 = t.w.iter().enumerate().map(|(j, w)| j as f64 * w).sum();
    assert!((fit - 1.5).abs() < 1e-12, "{:?}", t.w);
    assert!((t.w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(t.w.iter().all(|w| *w >= 0.0));
    // Brute force: w2 = 3 - 3 w0 - 2 w1 - ... from Σw = 1 and Σ j w_j = 1.5:
    //   w2 + w3 = 1 - w0 - w1,  2 w2 + 3 w3 = 1.5 - w1.
    let steps = 2000;
    let mut best = (f64::INFINITY, vec![]);
    for a in 0..=steps {
        for b in 0..=steps - a {
            let (w0, w1) = (a as f64 / steps as f64, b as f64 / steps as f64);
            let w3 = (1.5 - w1) - 2.0 * (1.0 - w0 - w1);
            let w2 = 1.0 - w0 - w1 - w3;
            if w2 < 0.0 || w3 < 0.0 {
                continue;
            }
            let w = vec![w0, w1, w2, w3];
            let l = outcome_loss(&w, &z0, &z1);
            if l < best.0 {
                best = (l, w);
            }
        }
    }
    let got = outcome_loss(&t.w, &z0, &z1);
    assert!(got <= best.0 + 1e-9, "tie-break {got} vs grid {}", best.0);
    assert!(got >= best.0 - 1e-3, "grid too coarse? {got} vs {}", best.0);
    for (a, b) in t.w.iter().zip(&best.1) {
        assert!((a - b).abs() < 2e-3, "{:?} vs {:?}", t.w, best.1);
    }
    // The plain solver's choice is a worse fit of the outcome here.
    assert!(t.several && got < outcome_loss(&w_star, &z0, &z1) - 1e-6);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// More predictors than donors, in general position: the minimiser is unique and
    /// the tie-break returns it bit for bit.
    #[test]
    fn evaluate_synth_tiebreak_unique_cases_unchanged(
        xs in prop::collection::vec(-5.0f64..5.0, 6 * 8),
        x1 in prop::collection::vec(-5.0f64..5.0, 8),
        v in prop::collection::vec(0.01f64..1.0, 8),
        zs in prop::collection::vec(-5.0f64..5.0, 6 * 4),
        z1 in prop::collection::vec(-5.0f64..5.0, 4),
    ) {
        let x0: Vec<Vec<f64>> = xs.chunks(8).map(|c| c.to_vec()).collect();
        let z0: Vec<Vec<f64>> = zs.chunks(4).map(|c| c.to_vec()).collect();
        let s = weights_for(&x0, &x1, &v);
        let t = break_tie(&x0, &x1, &v, &z0, &z1, &s.w);
        prop_assert!(!t.several);
        prop_assert_eq!(t.w, s.w);
    }

    /// More donors than predictors with the treated unit inside their hull (a convex
    /// combination of them): the tie-break keeps the exact match and never fits the
    /// outcome worse than the plain solver's weighting.
    #[test]
    fn evaluate_synth_tiebreak_degenerate_cases_keep_the_match_and_lower_the_loss(
        xs in prop::collection::vec(-5.0f64..5.0, 8 * 2),
        mix in prop::collection::vec(0.01f64..1.0, 8),
        zs in prop::collection::vec(-5.0f64..5.0, 8 * 5),
        z1 in prop::collection::vec(-5.0f64..5.0, 5),
    ) {
        let x0: Vec<Vec<f64>> = xs.chunks(2).map(|c| c.to_vec()).collect();
        let total: f64 = mix.iter().sum();
        let x1: Vec<f64> = (0..2)
            .map(|r| x0.iter().zip(&mix).map(|(c, m)| c[r] * m / total).sum())
            .collect();
        let z0: Vec<Vec<f64>> = zs.chunks(5).map(|c| c.to_vec()).collect();
        let v = [0.5, 0.5];
        let s = weights_for(&x0, &x1, &v);
        let t = break_tie(&x0, &x1, &v, &z0, &z1, &s.w);
        for r in 0..2 {
            let f: f64 = x0.iter().zip(&t.w).map(|(c, w)| c[r] * w).sum();
            prop_assert!((f - x1[r]).abs() < 1e-9, "{} vs {}", f, x1[r]);
        }
        prop_assert!((t.w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        prop_assert!(t.w.iter().all(|w| *w >= 0.0));
        prop_assert!(outcome_loss(&t.w, &z0, &z1) <= outcome_loss(&s.w, &z0, &z1) + 1e-12);
    }
}

/// `pysyncon`'s `optim_initial="ols"` start, computed with NumPy as `Synth.fit` does
/// (`inv(XᵀX) @ Xᵀ @ Zᵀ`, intercept row dropped, `diag(β βᵀ)` normalised):
/// [0.9597526198310725, 0.040247380168927524].
#[test]
fn evaluate_synth_ols_start_matches_pysyncon() {
    use indmon_analytics::evaluate::synth::ols_start;
    let x0 = vec![
        vec![1.0, 0.3],
        vec![2.0, 1.1],
        vec![0.5, 2.2],
        vec![3.0, 0.7],
        vec![2.5, 1.9],
    ];
    let z0 = vec![
        vec![3.0, 3.3, 3.9],
        vec![4.5, 4.0, 4.4],
        vec![2.0, 2.6, 3.1],
        vec![6.1, 6.5, 7.0],
        vec![5.0, 5.2, 5.1],
    ];
    let v = ols_start(&x0, &[1.5, 1.0], &z0, &[4.2, 4.6, 5.3]).unwrap();
    for (a, b) in v.iter().zip([0.9597526198310725, 0.040247380168927524]) {
        assert!((a - b).abs() < 1e-12, "{v:?}");
    }
}

/// Collinear predictors: `XᵀX` is singular, an error as `pysyncon` raises.
#[test]
fn evaluate_synth_ols_start_singular_is_an_error() {
    use indmon_analytics::evaluate::synth::ols_start;
    let x0 = vec![
        vec![1.0, 2.0],
        vec![2.0, 4.0],
        vec![3.0, 6.0],
        vec![4.0, 8.0],
    ];
    let z0 = vec![vec![1.0], vec![2.0], vec![3.0], vec![5.0]];
    let e = ols_start(&x0, &[5.0, 10.0], &z0, &[4.0]).unwrap_err();
    assert!(e.to_string().contains("cannot invert"), "{e}");
}
