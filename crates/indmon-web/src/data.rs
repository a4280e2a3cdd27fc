//! The results the pages and the API show, computed through `indmon-report` on the
//! query runtime and cached per distinct request.

use std::sync::Arc;

use indmon_report::series::{
    FigureRequest, FigureVintages, SeriesReport, SeriesRequest, SourcesReport, VintageList,
};
use indmon_report::target::{
    self as report, DecompositionReport, DecompositionRequest, Definition, Overview,
    OverviewRequest, PeersReport, PeersRequest, RevisionsReport, Scope, ShareReport, ShareRequest,
};

use crate::error::AppError;
use crate::state::AppState;

/// Result of a computation.
pub type Result<T> = std::result::Result<T, AppError>;

/// Checks a country code from a request: 2 to 12 capital letters, digits or `_`
/// (e.g. `NL`, `EU27_2020`).
pub fn geo_param(s: &str) -> Result<String> {
    let ok = (2..=12).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(s.to_string())
    } else {
        Err(AppError::BadRequest(format!(
            "geo must be a Eurostat country code such as NL or EU27_2020 (2 to 12 capital letters, digits or _); got {:?}",
            s.chars().take(40).collect::<String>()
        )))
    }
}

/// Checks a year from a request.
pub fn year_param(name: &str, y: i32) -> Result<i32> {
    if (1900..=2100).contains(&y) {
        Ok(y)
    } else {
        Err(AppError::BadRequest(format!(
            "{name} must be a year between 1900 and 2100; got {y}"
        )))
    }
}

/// The overview of `geo` (default: the target country of the settings).
pub async fn overview(state: &Arc<AppState>, geo: Option<&str>) -> Result<Arc<Overview>> {
    let geo = geo.map(geo_param).transpose()?;
    let req = OverviewRequest::from_settings(&state.settings.target, geo.as_deref());
    state
        .cached(format!("overview:{}", req.focus), move |s| async move {
            Ok(report::overview(&s.store, &s.catalog(), &req).await?)
        })
        .await
}

/// The share series of `geos` (default: the peer panel), from `from` to `to`.
pub async fn share(
    state: &Arc<AppState>,
    geos: &[String],
    from: Option<i32>,
    to: Option<i32>,
) -> Result<Arc<ShareReport>> {
    let t = &state.settings.target;
    let mut list: Vec<String> = geos.iter().map(|g| geo_param(g)).collect::<Result<_>>()?;
    if list.is_empty() {
        list = report::panel_of(t, &t.geo);
    }
    let req = ShareRequest {
        geos: list,
        from: from.map(|y| year_param("from", y)).transpose()?,
        to: to.map(|y| year_param("to", y)).transpose()?,
        scope: Scope::of(t),
    };
    let key = format!("share:{}:{from:?}:{to:?}", req.geos.join(","));
    state
        .cached(key, move |s| async move {
            Ok(report::share(&s.store, &s.catalog(), &req).await?)
        })
        .await
}

/// The decomposition of `geo` from `from` to `to` (default: the last ten years).
pub async fn decomposition(
    state: &Arc<AppState>,
    geo: Option<&str>,
    from: Option<i32>,
    to: Option<i32>,
) -> Result<Arc<DecompositionReport>> {
    let t = &state.settings.target;
    let req = DecompositionRequest {
        geo: geo
            .map(geo_param)
            .transpose()?
            .unwrap_or_else(|| t.geo.clone()),
        from: from.map(|y| year_param("from", y)).transpose()?,
        to: to.map(|y| year_param("to", y)).transpose()?,
        scope: Scope::of(t),
    };
    if let (Some(f), Some(t)) = (req.from, req.to)
        && t <= f
    {
        return Err(AppError::BadRequest(format!(
            "to ({t}) must be after from ({f})"
        )));
    }
    let key = format!("decomposition:{}:{from:?}:{to:?}", req.geo);
    state
        .cached(key, move |s| async move {
            Ok(report::decomposition(&s.store, &s.catalog(), &req).await?)
        })
        .await
}

/// The peer panel around `geo` (default: the target country) in `year` (default: its
/// latest year).
pub async fn peers(
    state: &Arc<AppState>,
    geo: Option<&str>,
    year: Option<i32>,
) -> Result<Arc<PeersReport>> {
    let geo = geo.map(geo_param).transpose()?;
    let year = year.map(|y| year_param("year", y)).transpose()?;
    let req = PeersRequest::from_settings(&state.settings.target, geo.as_deref(), year);
    state
        .cached(
            format!("peers:{}:{year:?}", req.focus),
            move |s| async move { Ok(report::peers(&s.store, &s.catalog(), &req).await?) },
        )
        .await
}

/// The revisions of `geo`'s share in `year` (default: the latest year of any release).
pub async fn revisions(
    state: &Arc<AppState>,
    geo: Option<&str>,
    year: Option<i32>,
) -> Result<Arc<RevisionsReport>> {
    let t = &state.settings.target;
    let geo = geo
        .map(geo_param)
        .transpose()?
        .unwrap_or_else(|| t.geo.clone());
    let year = year.map(|y| year_param("year", y)).transpose()?;
    let def = Definition::of(t);
    state
        .cached(format!("revisions:{geo}:{year:?}"), move |s| async move {
            Ok(report::revisions(&s.store, &s.catalog(), &geo, year, &def).await?)
        })
        .await
}

/// A comma-separated list of codes from a request, each checked like `geo`.
pub fn codes_param(name: &str, s: Option<&str>) -> Result<Vec<String>> {
    let list: Vec<String> = s
        .unwrap_or_default()
        .split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect();
    if list.len() > 40 {
        return Err(AppError::BadRequest(format!("at most 40 codes in {name}")));
    }
    for c in &list {
        let ok = (1..=20).contains(&c.len())
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !ok {
            return Err(AppError::BadRequest(format!(
                "{name} must be codes of letters, digits, _ - . (at most 20 characters each); got {:?}",
                c.chars().take(40).collect::<String>()
            )));
        }
    }
    Ok(list)
}

/// A dataset id or `va`/`va-share` from a request.
fn what_param(s: &str) -> Result<String> {
    let ok = (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(AppError::BadRequest(format!(
            "what must be va, va-share or a dataset id; got {:?}",
            s.chars().take(40).collect::<String>()
        )))
    }
}

/// National-accounts figures with their sources.
pub async fn series(state: &Arc<AppState>, req: SeriesRequest) -> Result<Arc<SeriesReport>> {
    let req = SeriesRequest {
        what: what_param(&req.what)?,
        year: req.year.map(|y| year_param("year", y)).transpose()?,
        from: req.from.map(|y| year_param("from", y)).transpose()?,
        to: req.to.map(|y| year_param("to", y)).transpose()?,
        ..req
    };
    let key = format!("series:{req:?}");
    state
        .cached(key, move |s| async move {
            Ok(indmon_report::series::series(&s.store, &s.catalog(), &req).await?)
        })
        .await
}

/// The releases of a dataset.
pub fn vintage_list(state: &AppState, dataset: &str) -> Result<VintageList> {
    Ok(indmon_report::series::vintage_list(
        &state.catalog(),
        &what_param(dataset)?,
    )?)
}

/// Figures across every release and source.
pub async fn figure_vintages(
    state: &Arc<AppState>,
    req: FigureRequest,
) -> Result<Arc<FigureVintages>> {
    let req = FigureRequest {
        what: what_param(&req.what)?,
        year: req.year.map(|y| year_param("year", y)).transpose()?,
        ..req
    };
    let key = format!("vintages:{req:?}");
    state
        .cached(key, move |s| async move {
            Ok(indmon_report::series::figure_vintages(&s.store, &s.catalog(), &req).await?)
        })
        .await
}

/// Every dataset and vintage in the store (from the catalog; no query).
pub fn sources(state: &AppState) -> SourcesReport {
    // read afresh: the list says which datasets cannot be read, including those a
    // request has just found damaged (a failed re-read keeps the catalog as it was)
    let _ = state.refresh();
    indmon_report::series::sources(&state.catalog())
}

/// The trade datasets of the store (from the catalog; no query).
pub fn trade_datasets(state: &AppState) -> Vec<indmon_report::dependencies::TradeDataset> {
    state
        .store
        .catalog()
        .map(|c| indmon_report::dependencies::trade_datasets(&c))
        .unwrap_or_default()
}

/// The reference data (classification lists, taxonomy, criticality, relations).
fn reference() -> Result<&'static indmon_report::Reference> {
    indmon_report::Reference::bundled().map_err(|e| AppError::Internal(e.to_string()))
}

/// The priority-market status board of `geo` (default: the target country).
pub async fn markets(
    state: &Arc<AppState>,
    geo: Option<&str>,
    year: Option<i32>,
) -> Result<Arc<indmon_report::markets::Board>> {
    let geo = geo.map(geo_param).transpose()?;
    let year = year.map(|y| year_param("year", y)).transpose()?;
    state
        .cached(format!("markets:{geo:?}:{year:?}"), move |s| async move {
            let r = reference()?;
            let req = indmon_report::markets::BoardRequest {
                geo,
                year,
                ..Default::default()
            };
            Ok(indmon_report::markets::board(
                &s.store,
                &s.settings,
                &r.taxonomy.taxonomy,
                &r.taxonomy.label,
                r,
                &req,
            )
            .await?)
        })
        .await
}

/// One market in detail for `geo` (default: the target country).
pub async fn market(
    state: &Arc<AppState>,
    market: &str,
    geo: Option<&str>,
    year: Option<i32>,
) -> Result<Arc<indmon_report::markets::MarketDetail>> {
    let ok = (1..=40).contains(&market.len())
        && market.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    if !ok {
        return Err(AppError::BadRequest(format!(
            "a market id is lower-case letters and _, e.g. semiconductors; got {:?}",
            market.chars().take(40).collect::<String>()
        )));
    }
    let geo = geo.map(geo_param).transpose()?;
    let year = year.map(|y| year_param("year", y)).transpose()?;
    let market = market.to_owned();
    state
        .cached(
            format!("market:{market}:{geo:?}:{year:?}"),
            move |s| async move {
                let r = reference()?;
                let req = indmon_report::markets::MarketRequest {
                    market,
                    trade: indmon_report::markets::BoardRequest {
                        geo,
                        year,
                        ..Default::default()
                    },
                };
                Ok(indmon_report::markets::market_detail(
                    &s.store,
                    &s.settings,
                    &r.taxonomy.taxonomy,
                    &r.taxonomy.label,
                    r,
                    &req,
                )
                .await?)
            },
        )
        .await
}

/// A dataset id from a request.
fn dataset_param(s: Option<&str>) -> Result<Option<String>> {
    s.map(|d| {
        let ok = (1..=64).contains(&d.len())
            && d.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(d.to_owned())
        } else {
            Err(AppError::BadRequest(format!(
                "dataset must be a dataset id (lower-case letters, digits, _); got {:?}",
                d.chars().take(40).collect::<String>()
            )))
        }
    })
    .transpose()
}

/// The method of a complexity computation: the defaults with the convention asked for.
fn method(c: crate::params::ConventionParam) -> indmon_report::complexity::Options {
    indmon_report::complexity::Options {
        convention: match c {
            crate::params::ConventionParam::Stata => indmon_report::complexity::Convention::Stata,
            crate::params::ConventionParam::Python => indmon_report::complexity::Convention::Python,
        },
        ..Default::default()
    }
}

/// The panel of a trade dataset (the default one without a name), one year or all.
fn panel(dataset: Option<String>, year: Option<i32>) -> indmon_report::complexity::PanelRequest {
    indmon_report::complexity::PanelRequest {
        input: indmon_report::complexity::PanelInput::Dataset(dataset),
        read: indmon_report::complexity::PanelOptions {
            year,
            ..Default::default()
        },
        population: None,
    }
}

/// Economic complexity of a trade dataset (computed, not stored).
pub async fn complexity(
    state: &Arc<AppState>,
    dataset: Option<&str>,
    year: Option<i32>,
    convention: crate::params::ConventionParam,
) -> Result<Arc<indmon_report::complexity::ComplexityReport>> {
    let dataset = dataset_param(dataset)?;
    let year = year.map(|y| year_param("year", y)).transpose()?;
    state
        .cached(
            format!("complexity:{dataset:?}:{year:?}:{convention:?}"),
            move |s| async move {
                let req = indmon_report::complexity::ComplexityRequest {
                    panel: panel(dataset, year),
                    method: method(convention),
                };
                Ok(indmon_report::complexity::complexity(Some(&s.store), req, &|_, _| {}).await?)
            },
        )
        .await
}

/// The products within reach of a country.
pub async fn opportunities(
    state: &Arc<AppState>,
    q: &crate::params::OpportunitiesQuery,
) -> Result<Arc<indmon_report::complexity::OpportunitiesReport>> {
    let geo = q
        .geo
        .as_deref()
        .map(geo_param)
        .transpose()?
        .unwrap_or_else(|| "NL".into());
    let dataset = dataset_param(q.dataset.as_deref())?;
    let year = q.year.map(|y| year_param("year", y)).transpose()?;
    let top = q.top.unwrap_or(20).min(500);
    let (by, min_pci, convention) = (
        q.by.unwrap_or_default(),
        q.min_pci,
        q.convention.unwrap_or_default(),
    );
    if min_pci.is_some_and(|x| !x.is_finite()) {
        return Err(AppError::BadRequest("min_pci must be a number".into()));
    }
    let key =
        format!("opportunities:{geo}:{dataset:?}:{year:?}:{by:?}:{min_pci:?}:{top}:{convention:?}");
    state
        .cached(key, move |s| async move {
            let req = indmon_report::complexity::OpportunitiesRequest {
                geo,
                panel: panel(dataset, year),
                method: method(convention),
                min_pci,
                by: match by {
                    crate::params::RankParam::Cog => indmon_report::complexity::RankBy::Cog,
                    crate::params::RankParam::Density => indmon_report::complexity::RankBy::Density,
                    crate::params::RankParam::Pci => indmon_report::complexity::RankBy::Pci,
                },
                top,
            };
            Ok(indmon_report::complexity::opportunities(Some(&s.store), req, &|_, _| {}).await?)
        })
        .await
}

/// The product-space neighbourhood of a product.
pub async fn neighbourhood(
    state: &Arc<AppState>,
    product: &str,
    q: &crate::params::OpportunitiesQuery,
) -> Result<Arc<indmon_report::complexity::Neighbourhood>> {
    let ok =
        (2..=10).contains(&product.len()) && product.bytes().all(|b| b.is_ascii_alphanumeric());
    if !ok {
        return Err(AppError::BadRequest(format!(
            "product must be a product code such as 850511; got {:?}",
            product.chars().take(40).collect::<String>()
        )));
    }
    let geo = q
        .geo
        .as_deref()
        .map(geo_param)
        .transpose()?
        .unwrap_or_else(|| "NL".into());
    let dataset = dataset_param(q.dataset.as_deref())?;
    let year = q.year.map(|y| year_param("year", y)).transpose()?;
    let top = q.top.unwrap_or(20).min(500);
    let convention = q.convention.unwrap_or_default();
    let product = product.to_owned();
    let key = format!("neighbourhood:{product}:{geo}:{dataset:?}:{year:?}:{top}:{convention:?}");
    state
        .cached(key, move |s| async move {
            let req = indmon_report::complexity::NeighbourhoodRequest {
                geo,
                panel: panel(dataset, year),
                method: method(convention),
                product,
                top,
            };
            Ok(indmon_report::complexity::neighbourhood(Some(&s.store), req, &|_, _| {}).await?)
        })
        .await
}

/// The bundled taxonomy's validation.
pub fn taxonomy() -> Result<indmon_report::markets::Validation> {
    Ok(indmon_report::markets::validation(&reference()?.taxonomy))
}

/// The trade a dependency result reads.
fn trade_request(
    q: &crate::params::ScreenQuery,
) -> Result<indmon_report::dependencies::TradeRequest> {
    Ok(indmon_report::dependencies::TradeRequest {
        reporter: q.geo.as_deref().map(geo_param).transpose()?,
        year: q.year.map(|y| year_param("year", y)).transpose()?,
        dataset: dataset_param(q.dataset.as_deref())?,
    })
}

fn reexport(q: &crate::params::ScreenQuery) -> Option<indmon_report::dependencies::ReExport> {
    q.reexport.map(|r| match r {
        crate::params::ReexportParam::None => indmon_report::dependencies::ReExport::None,
        crate::params::ReexportParam::Net => indmon_report::dependencies::ReExport::Net,
    })
}

/// The dependency screen of a reporter (default: the target country): the imported
/// products of the tier asked for, with their criteria.
pub async fn dependencies(
    state: &Arc<AppState>,
    q: &crate::params::ScreenQuery,
) -> Result<Arc<indmon_report::dependencies::Screen>> {
    use indmon_report::dependencies::Tier;
    let req = indmon_report::dependencies::ScreenRequest {
        trade: trade_request(q)?,
        reexport: reexport(q),
        tier: match q.tier.unwrap_or_default() {
            crate::params::TierParam::All => Tier::None,
            crate::params::TierParam::Dependency => Tier::Dependency,
            crate::params::TierParam::Strategic => Tier::Strategic,
            crate::params::TierParam::Risky => Tier::Risky,
        },
        million: false,
    };
    let key = format!(
        "dependencies:{:?}:{:?}:{:?}:{:?}:{:?}",
        req.trade.reporter, req.trade.year, req.trade.dataset, req.tier, req.reexport
    );
    state
        .cached(key, move |s| async move {
            let r = reference()?;
            Ok(indmon_report::dependencies::screen(
                &s.store,
                &s.settings,
                &r.taxonomy.taxonomy,
                r,
                &req,
            )
            .await?)
        })
        .await
}

/// The metrics of every imported product.
pub async fn metrics(
    state: &Arc<AppState>,
    q: &crate::params::ScreenQuery,
) -> Result<Arc<indmon_report::dependencies::Metrics>> {
    let req = indmon_report::dependencies::MetricsRequest {
        trade: trade_request(q)?,
    };
    let key = format!(
        "metrics:{:?}:{:?}:{:?}",
        req.trade.reporter, req.trade.year, req.trade.dataset
    );
    state
        .cached(key, move |s| async move {
            Ok(indmon_report::dependencies::metrics(&s.store, &s.settings, &req).await?)
        })
        .await
}

/// Why one product is, or is not, a risky strategic dependency.
pub async fn explain(
    state: &Arc<AppState>,
    hs6: &str,
    q: &crate::params::ScreenQuery,
) -> Result<Arc<indmon_report::dependencies::Explanation>> {
    if !(hs6.len() == 6 && hs6.bytes().all(|b| b.is_ascii_digit())) {
        return Err(AppError::BadRequest(format!(
            "hs6 must be a six-digit HS code such as 850511; got {:?}",
            hs6.chars().take(40).collect::<String>()
        )));
    }
    let req = indmon_report::dependencies::ExplainRequest {
        trade: trade_request(q)?,
        hs6: hs6.to_owned(),
        reexport: reexport(q),
        million: false,
    };
    let key = format!(
        "explain:{hs6}:{:?}:{:?}:{:?}:{:?}",
        req.trade.reporter, req.trade.year, req.trade.dataset, req.reexport
    );
    state
        .cached(key, move |s| async move {
            let r = reference()?;
            Ok(indmon_report::dependencies::explain(
                &s.store,
                &s.settings,
                &r.taxonomy.taxonomy,
                r,
                &req,
            )
            .await?)
        })
        .await
}

/// Where others depend on the reporter.
pub async fn mutual(
    state: &Arc<AppState>,
    q: &crate::params::ScreenQuery,
) -> Result<Arc<indmon_report::dependencies::Mutual>> {
    let req = indmon_report::dependencies::MutualRequest {
        trade: trade_request(q)?,
        reexport: reexport(q),
        million: false,
    };
    let key = format!(
        "mutual:{:?}:{:?}:{:?}:{:?}",
        req.trade.reporter, req.trade.year, req.trade.dataset, req.reexport
    );
    state
        .cached(key, move |s| async move {
            let r = reference()?;
            Ok(indmon_report::dependencies::mutual(
                &s.store,
                &s.settings,
                &r.taxonomy.taxonomy,
                r,
                &req,
            )
            .await?)
        })
        .await
}

/// The EU critical raw materials.
pub async fn crm(
    state: &Arc<AppState>,
    critical_only: bool,
) -> Result<Arc<indmon_report::dependencies::Crm>> {
    state
        .cached(format!("crm:{critical_only}"), move |s| async move {
            Ok(indmon_report::dependencies::crm(
                &s.store,
                &indmon_report::dependencies::CrmRequest { critical_only },
            )
            .await?)
        })
        .await
}

/// One critical raw material.
pub async fn material(
    state: &Arc<AppState>,
    material: &str,
) -> Result<Arc<indmon_report::dependencies::MaterialDetail>> {
    let ok = (1..=60).contains(&material.chars().count())
        && material
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '(' | ')' | ',' | '.'));
    if !ok {
        return Err(AppError::BadRequest(format!(
            "material must be a material's name such as Cobalt; got {:?}",
            material.chars().take(40).collect::<String>()
        )));
    }
    let material = material.to_owned();
    state
        .cached(format!("material:{material}"), move |s| async move {
            Ok(indmon_report::dependencies::material(
                &s.store,
                &indmon_report::dependencies::MaterialRequest { material },
            )
            .await?)
        })
        .await
}

/// One synthetic-control fit at a time on the server.
static SYNTH_FITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// The synthetic control of the industry share of `treated` (default: the target
/// country) from `treatment_year` (default: 2011), with the placebo test when asked.
pub async fn evaluation(
    state: &Arc<AppState>,
    treated: Option<&str>,
    treatment_year: Option<i32>,
    placebo: bool,
) -> Result<Arc<indmon_report::evaluate::synth::SynthResult>> {
    use indmon_report::evaluate::preset::{DEFAULT_TREATMENT_YEAR, IndustryShareRequest};
    use indmon_report::evaluate::synth::{Options, PresetRequest, preset_input, run_preset};
    let treated = match treated {
        Some(t) => geo_param(t)?,
        None => state.settings.target.geo.clone(),
    };
    let year = treatment_year
        .map(|y| year_param("treatment_year", y))
        .transpose()?
        .unwrap_or(DEFAULT_TREATMENT_YEAR);
    let req = PresetRequest {
        panel: IndustryShareRequest {
            treated: treated.clone(),
            treatment_year: year,
            from: None,
            scope: indmon_report::target::Scope::of(&state.settings.target),
        },
        options: Options {
            placebo,
            augment_ridge: false,
        },
    };
    state
        .cached(
            format!("synth:{treated}:{year}:{placebo}"),
            move |s| async move {
                let input = preset_input(&s.store, &s.catalog(), &req).await?;
                // the fit is plain computation (placebos: one fit per donor): on a thread
                // of its own, one fit at a time; a request that times out leaves it to
                // finish, holding the one permit, rather than piling up fits
                let permit = SYNTH_FITS
                    .acquire()
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let options = req.options;
                let r = tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    run_preset(input, &options)
                })
                .await
                .map_err(|e| AppError::Internal(format!("the synthetic control: {e}")))??;
                Ok(r)
            },
        )
        .await
}
