//! The ledger's pages in process: signing in and out, the checks every change passes
//! (a live session, the editor role, the CSRF token, this site's Origin), the conflict
//! and invalid pages, sessions ended by revoking their token, and escaping.

use axum::http::StatusCode;
use indmon_ledger::{Incoming, schema};

use crate::support::{App, encode};

/// The ledger as JSON without its export time: equal means nothing changed.
async fn ledger_json(app: &App) -> serde_json::Value {
    let r = app.get("/api/v1/ledger", "").await;
    assert_eq!(r.status, StatusCode::OK);
    let mut v: serde_json::Value = serde_json::from_str(&r.text).unwrap();
    v.as_object_mut().unwrap().remove("exported_at");
    v
}

/// The body of a change of programme `semiconductors`.
fn programme_form(csrf: &str, version: &str, status: &str) -> String {
    format!(
        "csrf={csrf}&version={version}&goal_id=industriebeleid&market=semiconductors&name_nl=Halfgeleiders&status={status}&source=Kamerbrief"
    )
}

#[tokio::test]
async fn signing_in_and_out() {
    let app = App::new();
    let r = app
        .get("/ledger/login?lang=en&next=/programmes/x", "")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("<html lang=\"en\""));
    assert!(
        r.text.contains("name=\"next\" value=\"/programmes/x\""),
        "{}",
        r.text
    );
    // another site's next is not followed
    let r = app
        .get("/ledger/login?next=https://evil.example/", "")
        .await;
    assert!(r.text.contains("name=\"next\" value=\"/programmes\""));

    let r = app.post("/ledger/login", "token=imt_wrong", "").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.text.contains("Onbekend of ingetrokken token."),
        "{}",
        r.text
    );
    assert!(r.header("set-cookie").is_none());
    // a sign-in posted from another site is refused
    let token = app.token("alice", "editor");
    let r = app
        .post_from(
            "/ledger/login",
            &format!("token={token}"),
            "",
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = app
        .post(
            "/ledger/login",
            &format!("token={token}&next=%2Fprogrammes%2Fsemiconductors"),
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.header("location"), Some("/programmes/semiconductors"));
    let set = r.header("set-cookie").unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/"),
        "{set}"
    );
    let cookie = r.cookie();
    let page = app.get("/programmes", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert!(
        page.text
            .contains("Ingelogd als <strong>alice</strong> (editor)"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("class=\"edit-link\""),
        "an editor's links"
    );

    // signing out needs the session's CSRF token; then the cookie is worth nothing
    let csrf = page.form_value("csrf");
    let r = app.post("/ledger/logout", "csrf=00", &cookie).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        app.get("/programmes", &cookie)
            .await
            .text
            .contains("Ingelogd als")
    );
    let r = app
        .post("/ledger/logout", &format!("csrf={csrf}"), &cookie)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    let page = app.get("/programmes", &cookie).await.text;
    assert!(page.contains("Inloggen om te bewerken"), "{page}");
    assert!(!page.contains("class=\"edit-link\""));
}

#[tokio::test]
async fn a_change_needs_a_session_its_csrf_token_and_this_site() {
    let app = App::new();
    let before = ledger_json(&app).await;
    // no session: the form sends you to sign in, a post is refused
    let r = app.get("/ledger/programme/semiconductors/edit", "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location"),
        Some("/ledger/login?next=/ledger/programme/semiconductors/edit")
    );
    let r = app
        .post(
            "/ledger/programme/semiconductors",
            &programme_form("", "1", "ended"),
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    assert!(r.text.contains("name=\"token\""), "the sign-in form");
    let r = app
        .post(
            "/ledger/programme/semiconductors",
            &programme_form("", "1", "ended"),
            "indmon_session=0123",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "an unknown session");

    let cookie = app.sign_in(&app.token("alice", "editor")).await;
    let form = app
        .get("/ledger/programme/semiconductors/edit", &cookie)
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    let csrf = form.form_value("csrf");
    let version = form.form_value("version");
    for (csrf, origin) in [
        ("", Some("http://indmon.test")),
        ("00", Some("http://indmon.test")),
        (&csrf[..csrf.len() - 1], Some("http://indmon.test")),
        (csrf.as_str(), Some("http://evil.example")),
        (csrf.as_str(), Some("null")),
    ] {
        let r = app
            .post_from(
                "/ledger/programme/semiconductors",
                &programme_form(csrf, &version, "ended"),
                &cookie,
                origin,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{csrf:?} from {origin:?}");
        assert!(r.text.contains("CSRF"), "{}", r.text);
    }
    // deleting is checked the same way
    let r = app
        .post(
            "/ledger/programme/semiconductors/delete",
            &format!("csrf=00&version={version}"),
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(ledger_json(&app).await, before, "nothing changed");

    // with all of it (no Origin sent: the CSRF token decides), the change is made
    let r = app
        .post_from(
            "/ledger/programme/semiconductors",
            &programme_form(&csrf, &version, "ended"),
            &cookie,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.header("location"), Some("/programmes/semiconductors"));
    let l = app
        .ledger()
        .get(schema::entity("programme").unwrap(), "semiconductors")
        .unwrap();
    assert_eq!(l.text("status"), Some("ended"));
    assert_eq!(l.updated_by, "alice (web)");
}

#[tokio::test]
async fn a_reader_may_read_but_not_change() {
    let app = App::new();
    let before = ledger_json(&app).await;
    let cookie = app.sign_in(&app.token("rita", "reader")).await;
    let page = app.get("/programmes/semiconductors?lang=en", &cookie).await;
    assert!(
        page.text
            .contains("Signed in as <strong>rita</strong> (reader)")
    );
    assert!(!page.text.contains("class=\"edit-link\""), "no edit links");
    let r = app
        .get("/ledger/programme/semiconductors/edit?lang=en", &cookie)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text.contains("reader role"), "{}", r.text);
    let csrf = page.form_value("csrf");
    let r = app
        .post(
            "/ledger/programme/semiconductors",
            &programme_form(&csrf, "1", "ended"),
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            "/ledger/action",
            &format!(
                "csrf={csrf}&programme_id=semiconductors&action_type_id=finance&name=x&source=y"
            ),
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(ledger_json(&app).await, before, "nothing changed");
}

#[tokio::test]
async fn a_stale_form_gets_a_conflict_page_that_keeps_what_was_typed() {
    let app = App::new();
    let cookie = app.sign_in(&app.token("alice", "editor")).await;
    let form = app
        .get("/ledger/programme/semiconductors/edit", &cookie)
        .await;
    let csrf = form.form_value("csrf");
    let version = form.form_value("version");
    // someone else changes the record in between
    app.ledger()
        .update(
            schema::entity("programme").unwrap(),
            &Incoming {
                id: "semiconductors".into(),
                version: None,
                fields: vec![("notes".into(), "changed by bob".into())],
            },
            "bob",
        )
        .unwrap();
    let r = app
        .post(
            "/ledger/programme/semiconductors",
            &format!(
                "{}&notes={}",
                programme_form(&csrf, &version, "stopped"),
                encode("mine <b>")
            ),
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("was changed by bob"), "{}", r.text);
    // what was typed is in the fields
    assert!(
        r.text.contains("<option value=\"stopped\" selected>"),
        "{}",
        r.text
    );
    assert!(r.text.contains(">mine &lt;b&gt;</textarea>"), "{}", r.text);
    // the value now in the ledger next to the field that differs
    assert!(
        r.text.contains("Nu in het register: changed by bob"),
        "{}",
        r.text
    );
    // the next save is based on the current version
    let next = (version.parse::<i64>().unwrap() + 1).to_string();
    assert_eq!(
        r.text
            .matches(&format!("name=\"version\" value=\"{next}\""))
            .count(),
        2,
        "the form and the delete form"
    );
    let r = app
        .post(
            "/ledger/programme/semiconductors",
            &programme_form(&csrf, &next, "stopped"),
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
}

#[tokio::test]
async fn an_invalid_value_names_the_field_and_changes_nothing() {
    let app = App::new();
    let before = ledger_json(&app).await;
    let cookie = app.sign_in(&app.token("alice", "editor")).await;
    let csrf = app
        .get("/ledger/budget_line/new", &cookie)
        .await
        .form_value("csrf");
    let r = app
        .post(
            "/ledger/budget_line?lang=en",
            &format!("csrf={csrf}&programme_id=semiconductors&year=20x&kind=expenditure&prices=current&source_document=d"),
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("field year: expected a year"), "{}", r.text);
    assert!(r.text.contains("role=\"alert\""));
    // the field is marked, and keeps what was typed
    let field = r.text.split("id=\"f-year\"").nth(1).unwrap();
    let field = &field[..field.find('>').unwrap()];
    assert!(field.contains("aria-invalid=\"true\""), "{field}");
    assert!(field.contains("value=\"20x\""), "{field}");
    assert_eq!(r.text.matches("aria-invalid").count(), 1);
    assert!(r.text.contains("<html lang=\"en\""));
    assert_eq!(ledger_json(&app).await, before, "nothing changed");
}

/// Issue 19: revoking a token ends its sessions at once, though the revocation comes
/// from another process (here another connection to the ledger file).
#[tokio::test]
async fn revoking_a_token_ends_its_sessions_at_once() {
    let app = App::new();
    let token = app.token("alice", "editor");
    let cookie = app.sign_in(&token).await;
    let form = app
        .get("/ledger/programme/semiconductors/edit", &cookie)
        .await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.form_value("csrf");
    let version = form.form_value("version");
    let before = ledger_json(&app).await;

    assert!(app.ledger().revoke_token("alice").unwrap());
    let r = app
        .post(
            "/ledger/programme/semiconductors",
            &programme_form(&csrf, &version, "ended"),
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let r = app
        .post(
            "/ledger/programme/semiconductors/delete",
            &format!("csrf={csrf}&version={version}"),
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(ledger_json(&app).await, before, "nothing changed");
    // the pages show the visitor signed out, the forms send them to sign in
    let page = app.get("/programmes/semiconductors", &cookie).await.text;
    assert!(page.contains("Inloggen om te bewerken"), "{page}");
    assert!(!page.contains("Ingelogd als"));
    let r = app
        .get("/ledger/programme/semiconductors/edit", &cookie)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // and the revoked token cannot sign in again
    assert_eq!(
        app.post("/ledger/login", &format!("token={token}"), "")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // a token deleted from the ledger ends its sessions too; other sessions live on
    let bob = app.sign_in(&app.token("bob", "editor")).await;
    let carol = app.sign_in(&app.token("carol", "editor")).await;
    app.ledger()
        .db()
        .execute("DELETE FROM ledger_token WHERE name = ?", &["bob".into()])
        .unwrap();
    assert!(
        app.get("/programmes", &bob)
            .await
            .text
            .contains("Inloggen om te bewerken")
    );
    assert!(
        app.get("/programmes", &carol)
            .await
            .text
            .contains("Ingelogd als <strong>carol</strong>")
    );
}

#[tokio::test]
async fn markup_and_formulas_in_records_are_shown_as_text() {
    let app = App::new();
    let hostile = "<script>alert(\"x\")</script> =1+1 & 'q'";
    let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; =1+1 &amp; 'q'";
    let fields = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let mut l = app.ledger();
    l.add(
        schema::entity("action").unwrap(),
        &Incoming {
            id: "evil".into(),
            version: None,
            fields: fields(&[
                ("programme_id", "semiconductors"),
                ("action_type_id", "finance"),
                ("name", hostile),
                ("status", "active"),
                ("source", hostile),
                ("notes", hostile),
            ]),
        },
        hostile,
    )
    .unwrap();
    l.add(
        schema::entity("instrument").unwrap(),
        &Incoming {
            id: "evil-instrument".into(),
            version: None,
            fields: fields(&[
                ("kind", "subsidy"),
                ("name_nl", hostile),
                ("programme_id", "semiconductors"),
                ("source", hostile),
                ("notes", "=1+1"),
            ]),
        },
        "x",
    )
    .unwrap();
    let cookie = app.sign_in(&app.token("alice", "editor")).await;
    for (target, min) in [
        ("/programmes", 1),
        ("/programmes/semiconductors", 4),
        ("/ledger/action/evil/edit", 2),
        ("/ledger/instrument/new?programme_id=semiconductors", 1),
    ] {
        let r = app.get(target, &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{target}");
        assert!(!r.text.contains("<script>alert"), "{target}: {}", r.text);
        assert!(!r.text.contains("alert(\"x\")"), "{target}");
        assert!(
            r.text.matches(escaped).count() >= min,
            "{target}: fewer than {min} escaped copies in {}",
            r.text
        );
        // the formula is shown as it was written
        assert!(r.text.contains("=1+1"), "{target}");
        // the only scripts are the page's own files
        assert_eq!(r.text.matches("<script").count(), 2, "{target}");
    }
    // the audit trail names the hostile actor as text
    let page = app.get("/programmes/semiconductors", "").await.text;
    assert!(
        page.contains(&format!("<td class=\"utrecht-table__cell\">{escaped}</td>")),
        "{page}"
    );
    // a value typed into a form comes back escaped, in an attribute as in text
    let csrf = app
        .get("/ledger/action/new", &cookie)
        .await
        .form_value("csrf");
    let r = app
        .post(
            "/ledger/action",
            &format!(
                "csrf={csrf}&id={}&programme_id=semiconductors&action_type_id=finance&name={}&source={}",
                encode("\"><script>x</script>"),
                encode(hostile),
                encode(hostile)
            ),
            &cookie,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a bad id: {}",
        r.text
    );
    assert!(
        r.text
            .contains("value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""),
        "{}",
        r.text
    );
    assert!(r.text.contains(&format!("value=\"{escaped}\"")));
    assert!(!r.text.contains("<script>x"));
}

/// Issue 19: the API's CSV export neutralises text a spreadsheet would run as a formula
/// (a leading apostrophe; one more for text that begins with one); its JSON keeps the
/// text as it is.
#[tokio::test]
async fn the_csv_export_neutralises_formulas() {
    let app = App::new();
    app.ledger()
        .add(
            schema::entity("action").unwrap(),
            &Incoming {
                id: "formula".into(),
                version: None,
                fields: [
                    ("programme_id", "semiconductors"),
                    ("action_type_id", "finance"),
                    ("name", "=1+1"),
                    ("source", "'quoted"),
                    ("notes", "+31 20 000 0000"),
                ]
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            },
            "@alice",
        )
        .unwrap();
    let r = app.get("/api/v1/ledger?format=csv&entity=action", "").await;
    assert_eq!(r.status, StatusCode::OK);
    let row = r.text.lines().find(|l| l.starts_with("formula,")).unwrap();
    assert!(row.contains(",'@alice,"), "{row}");
    assert!(row.contains(",'=1+1,"), "{row}");
    assert!(row.contains(",''quoted,"), "{row}");
    assert!(row.contains(",'+31 20 000 0000"), "{row}");
    let json = ledger_json(&app).await;
    let rec = json["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "formula")
        .unwrap();
    assert_eq!(rec["name"], "=1+1");
    assert_eq!(rec["source"], "'quoted");
}

/// Issue 19: a control character typed into a form is refused, naming the field, and
/// nothing changes; a text area's line breaks (sent as CR LF) are kept as line breaks.
#[tokio::test]
async fn a_control_character_in_a_form_names_the_field_and_changes_nothing() {
    let app = App::new();
    let before = ledger_json(&app).await;
    let cookie = app.sign_in(&app.token("alice", "editor")).await;
    let csrf = app
        .get("/ledger/action/new", &cookie)
        .await
        .form_value("csrf");
    let form = |name: &str, notes: &str| {
        format!(
            "csrf={csrf}&id=ctl&programme_id=semiconductors&action_type_id=finance&name={}&source=s&notes={}",
            encode(name),
            encode(notes)
        )
    };
    let r = app
        .post(
            "/ledger/action?lang=en",
            &form("Pilot\u{1b}[2J", ""),
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(
        r.text
            .contains("field name: contains U+001B at character 6"),
        "{}",
        r.text
    );
    let field = r.text.split("id=\"f-name\"").nth(1).unwrap();
    assert!(field[..field.find('>').unwrap()].contains("aria-invalid=\"true\""));
    let r = app
        .post("/ledger/action?lang=en", &form("ok", "tab\there"), &cookie)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(
        r.text.contains("field notes: contains U+0009"),
        "{}",
        r.text
    );
    assert_eq!(ledger_json(&app).await, before, "nothing changed");
    // line breaks in a text area are text
    let r = app
        .post(
            "/ledger/action?lang=en",
            &form("ok", "first\r\nsecond"),
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let rec = app
        .ledger()
        .get(schema::entity("action").unwrap(), "ctl")
        .unwrap();
    assert_eq!(rec.text("notes"), Some("first\nsecond"));
}
