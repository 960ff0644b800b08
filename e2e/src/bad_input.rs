//! Requests no well-behaved client sends, generated from the storefront schema's shape with
//! `proptest` strategies, seeded so a run can be repeated exactly: documents with unknown
//! fields, wrong argument types, absurd `first`, bad cursors and ids, deep nesting and alias
//! floods, truncated syntax; huge and deeply nested variables; malformed JSON, batches, wrong
//! content types and methods, oversized headers; and, for subgraphs, `_entities` with
//! representations of every wrong shape. `judge` says whether an answer is acceptable.

use proptest::{
    prelude::*,
    strategy::ValueTree,
    test_runner::{Config, RngAlgorithm, TestRng, TestRunner},
};
use serde_json::{Value, json};

/// Where a generated request goes: the router's public API, or a subgraph's (which also
/// answers the router's `_entities` fetches).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Router,
    Subgraph,
}

/// One generated HTTP request to a `/graphql` endpoint.
#[derive(Debug, Clone)]
pub struct BadRequest {
    pub method: reqwest::Method,
    /// `Content-Type`, when the request sends one.
    pub content_type: Option<&'static str>,
    pub headers: Vec<(String, String)>,
    /// The body of a POST; the URL query string of a GET.
    pub body: Vec<u8>,
}

impl BadRequest {
    /// A short, printable account of the request, for a failure message.
    pub fn describe(&self) -> String {
        let body = String::from_utf8_lossy(&self.body);
        let body: String = body.chars().take(400).collect();
        let header_bytes: usize = self.headers.iter().map(|(n, v)| n.len() + v.len()).sum();
        let headers = format!("{} headers, {header_bytes} bytes", self.headers.len());
        format!(
            "{} content-type={:?} {headers}, body ({} bytes)={body:?}",
            self.method,
            self.content_type,
            self.body.len()
        )
    }
}

/// `count` requests for `target`, the same ones for the same `seed`.
pub fn requests(target: Target, seed: u64, count: usize) -> Vec<BadRequest> {
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    seed_bytes[8] = target as u8;
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let strategy = request(target);
    (0..count)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .expect("the strategies never reject")
                .current()
        })
        .collect()
}

/// Whether an answer to a generated request is acceptable: an HTTP error below 500 (its
/// status is its code), or a GraphQL response whose errors each carry `extensions.code`.
pub fn judge(status: u16, body: &[u8]) -> Result<(), String> {
    if status >= 500 {
        return Err(format!("HTTP {status}"));
    }
    let Ok(response) = serde_json::from_slice::<Value>(body) else {
        return if (400..500).contains(&status) {
            Ok(())
        } else {
            Err(format!("HTTP {status} with a body that is not JSON"))
        };
    };
    // A batch is answered with an array of responses.
    let responses = match &response {
        Value::Array(responses) if !responses.is_empty() => responses.iter().collect(),
        _ => vec![&response],
    };
    for response in responses {
        match response.get("errors") {
            Some(Value::Array(errors)) if !errors.is_empty() => {
                if let Some(uncoded) = errors
                    .iter()
                    .find(|error| !error["extensions"]["code"].is_string())
                {
                    return Err(format!("an error without a code: {uncoded}"));
                }
            }
            // A generated request may happen to be valid.
            None if response.get("data").is_some_and(Value::is_object) => {}
            _ => return Err(format!("HTTP {status}, not a GraphQL response: {response}")),
        }
    }
    Ok(())
}

fn request(target: Target) -> impl Strategy<Value = BadRequest> {
    let body = prop_oneof![
        6 => graphql_body(target).prop_map(|body| body.to_string().into_bytes()),
        1 => prop::collection::vec(graphql_body(target), 0..4)
            .prop_map(|batch| Value::Array(batch).to_string().into_bytes()),
        1 => malformed_json(),
    ];
    let content_type = prop_oneof![
        8 => Just(Some("application/json")),
        1 => Just(None),
        1 => prop::sample::select(vec![
            Some("text/plain"),
            Some("application/graphql"),
            Some("application/xml"),
            Some("multipart/form-data; boundary=x"),
            Some("application/x-www-form-urlencoded"),
            Some("application/json; charset=latin1"),
        ]),
    ];
    let method = prop_oneof![
        9 => Just(reqwest::Method::POST),
        1 => Just(reqwest::Method::GET),
        1 => prop::sample::select(vec![reqwest::Method::PUT, reqwest::Method::DELETE, reqwest::Method::PATCH]),
    ];
    (method, content_type, headers(), body).prop_map(|(method, content_type, headers, body)| {
        let body = if method == reqwest::Method::GET {
            // The same payload as GET parameters: the query text, if any, URL-encoded.
            let query = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|value| value["query"].as_str().map(str::to_owned))
                .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
            // Long, but short enough for an HTTP client to send (URIs stop at 64 KiB).
            let query: String = query.chars().take(16_000).collect();
            let mut url = reqwest::Url::parse("http://x/").expect("a URL");
            url.query_pairs_mut().append_pair("query", &query);
            url.query().unwrap_or_default().as_bytes().to_vec()
        } else {
            body
        };
        BadRequest {
            method,
            content_type,
            headers,
            body,
        }
    })
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    prop_oneof![
        6 => Just(Vec::new()),
        1 => (1_000usize..100_000).prop_map(|size| vec![("x-padding".to_owned(), "a".repeat(size))]),
        1 => (10usize..300).prop_map(|count| {
            (0..count).map(|n| (format!("x-h{n}"), "v".repeat(64))).collect()
        }),
        1 => "[ -~]{0,200}".prop_map(|token| vec![("authorization".to_owned(), format!("Bearer {token}"))]),
        1 => Just(vec![("accept".to_owned(), "application/xml".to_owned())]),
    ]
}

fn malformed_json() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2_000),
        (graphql_body(Target::Router), any::<prop::sample::Index>()).prop_map(|(body, cut)| {
            let text = body.to_string().into_bytes();
            text[..cut.index(text.len().max(1)).min(text.len())].to_vec()
        }),
        Just(b"{\"query\": 42}".to_vec()),
        Just(b"{\"query\": null, \"variables\": []}".to_vec()),
        Just(b"{\"variables\": {}}".to_vec()),
        Just(b"[]".to_vec()),
        Just(b"\"{ __typename }\"".to_vec()),
        Just("{\"query\": \"{ __typename }\", \"extensions\": {\"persistedQuery\": 7}}".into()),
    ]
}

/// A GraphQL-over-HTTP JSON body: a document, variables and perhaps an operation name.
fn graphql_body(target: Target) -> impl Strategy<Value = Value> {
    let document = match target {
        Target::Router => document().boxed(),
        Target::Subgraph => prop_oneof![3 => document(), 2 => entities_document()].boxed(),
    };
    (
        document,
        variables(target),
        prop::option::of("[A-Za-z_][A-Za-z0-9_]{0,20}"),
    )
        .prop_map(|(query, variables, name)| {
            let mut body = json!({ "query": query, "variables": variables });
            if let Some(name) = name {
                body["operationName"] = json!(name);
            }
            body
        })
}

/// A document built from the schema's fields and arguments, wrong in one way or several.
fn document() -> impl Strategy<Value = String> {
    let root = prop_oneof![
        3 => prop::sample::select(vec![
            "product", "products", "categories", "cart", "promotions", "search", "_service",
            "__schema", "__type",
        ])
        .prop_map(str::to_owned),
        1 => "[a-z][a-zA-Z]{0,12}",
    ];
    (
        prop_oneof![
            Just("query"),
            Just("mutation"),
            Just("subscription"),
            Just("")
        ],
        root,
        arguments(),
        0usize..40,
        selection(),
        0usize..200,
        prop::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(|(kind, root, args, depth, leaf, aliases, cut)| {
            let mut text = format!("{kind} {{ {root}{args} {{ ");
            for _ in 0..depth {
                text.push_str("recommendations(first: 12) { id ");
            }
            text.push_str(&leaf);
            text.push_str(&" }".repeat(depth));
            text.push_str(" }");
            for n in 0..aliases {
                text.push_str(&format!(" a{n}: __typename"));
            }
            text.push_str(" }");
            match cut {
                Some(cut) => text[..text.floor_char_boundary(cut.index(text.len()))].to_owned(),
                None => text,
            }
        })
}

fn arguments() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "id",
        "first",
        "after",
        "categorySlug",
        "search",
        "currency",
        "productId",
        "quantity",
        "nope",
    ]);
    prop::collection::vec((name, value_literal()), 0..4).prop_map(|args| {
        if args.is_empty() {
            String::new()
        } else {
            let args: Vec<String> = args
                .iter()
                .map(|(name, value)| format!("{name}: {value}"))
                .collect();
            format!("({})", args.join(", "))
        }
    })
}

/// Argument values of every type, in range or not.
fn value_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        prop::sample::select(vec![-1i64, 0, 100, 101, 2_147_483_647, 2_147_483_648])
            .prop_map(|n| n.to_string()),
        Just("1e309".to_owned()),
        Just("-0.5".to_owned()),
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("EUR".to_owned()),
        Just("XYZ".to_owned()),
        Just("$undeclared".to_owned()),
        Just("\"prod-000001\"".to_owned()),
        "[ -~&&[^\"\\\\]]{0,40}".prop_map(|s| format!("\"{s}\"")),
        (1_000usize..50_000).prop_map(|n| format!("\"{}\"", "x".repeat(n))),
        Just("\"\\u0000\\ud800\"".to_owned()),
        prop::collection::vec(any::<i32>(), 0..50).prop_map(|list| format!("{list:?}")),
        Just("{ a: 1 }".to_owned()),
    ]
}

/// What is selected at the bottom: real fields, unknown ones, fragments and directives.
fn selection() -> impl Strategy<Value = String> {
    let field = prop::sample::select(vec![
        "id",
        "name",
        "sku",
        "__typename",
        "price { amount currencyCode }",
        "price(currency: XYZ) { amount }",
        "edges { node { id name } }",
        "edges { cursor node { recommendations(first: 1000) { id } } }",
        "lines { quantity product { id } }",
        "totalCount",
        "nope",
        "id @skip(if: true)",
        "id @include(if: $undeclared)",
        "... on Product { id }",
        "... on Nope { id }",
        "...Undefined",
        "id @nope",
    ]);
    prop::collection::vec(field, 1..6).prop_map(|fields| fields.join(" "))
}

/// Variables a client might send, of the wrong shape or far too large.
fn variables(target: Target) -> impl Strategy<Value = Value> {
    let representations = match target {
        Target::Router => Just(Value::Null).boxed(),
        Target::Subgraph => representations().boxed(),
    };
    prop_oneof![
        4 => Just(Value::Null),
        1 => Just(json!({})),
        1 => any::<i64>().prop_map(|n| json!({ "id": n, "first": n })),
        1 => (0usize..100_000).prop_map(|n| json!({ "ids": vec![1; n] })),
        1 => (0usize..2_000).prop_map(|depth| {
            (0..depth).fold(json!(1), |inner, _| json!({ "a": inner }))
        }),
        1 => (0usize..20_000).prop_map(|n| {
            Value::Object((0..n).map(|key| (format!("k{key}"), json!(key))).collect())
        }),
        1 => Just(json!("not an object")),
        1 => Just(json!([1, 2, 3])),
        2 => representations.prop_map(|representations| json!({ "representations": representations })),
    ]
}

/// A subgraph's entity fetch, as the router sends it, with variables to fill it.
fn entities_document() -> impl Strategy<Value = String> {
    (selection(), 0usize..20).prop_map(|(leaf, depth)| {
        let nested = "recommendations(first: 12) { id ".repeat(depth);
        format!(
            "query($representations: [_Any!]!) {{ _entities(representations: $representations) \
             {{ __typename ... on Product {{ {nested}{leaf}{} }} ... on Cart {{ id }} }} }}",
            " }".repeat(depth)
        )
    })
}

/// Entity representations of every wrong shape, and many of them.
fn representations() -> impl Strategy<Value = Value> {
    let typename = prop::sample::select(vec![
        json!("Product"),
        json!("Cart"),
        json!("CartLine"),
        json!("Category"),
        json!("Nope"),
        json!(""),
        json!(7),
        Value::Null,
    ]);
    let id = prop_oneof![
        Just(json!("prod-000001")),
        "[ -~]{0,30}".prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(Value::Null),
        Just(json!({ "nested": [1, 2] })),
    ];
    let representation = (typename, id, any::<bool>()).prop_map(|(typename, id, lines)| {
        let mut representation = json!({ "__typename": typename, "id": id });
        if lines {
            representation["lines"] =
                json!([{ "product": { "id": "prod-000001" }, "quantity": "many" }]);
        }
        representation
    });
    prop_oneof![
        4 => prop::collection::vec(representation, 0..20).prop_map(Value::Array),
        1 => (0usize..5_000).prop_map(|n| json!(vec![json!({ "__typename": "Product", "id": "prod-000001" }); n])),
        1 => Just(json!("not a list")),
        1 => Just(json!([null, 1, "x", []])),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_requests() {
        let describe = |requests: Vec<BadRequest>| -> Vec<String> {
            requests.iter().map(BadRequest::describe).collect()
        };
        assert_eq!(
            describe(requests(Target::Subgraph, 7, 50)),
            describe(requests(Target::Subgraph, 7, 50))
        );
        assert_ne!(
            describe(requests(Target::Router, 7, 50)),
            describe(requests(Target::Router, 8, 50))
        );
    }

    #[test]
    fn only_coded_errors_and_client_errors_pass() {
        assert!(
            judge(
                200,
                br#"{"errors":[{"message":"x","extensions":{"code":"C"}}]}"#
            )
            .is_ok()
        );
        assert!(judge(200, br#"{"data":{"a":1}}"#).is_ok());
        assert!(judge(413, b"too large").is_ok());
        assert!(judge(200, br#"{"errors":[{"message":"x"}]}"#).is_err());
        assert!(judge(200, b"plain text").is_err());
        assert!(
            judge(
                502,
                br#"{"errors":[{"message":"x","extensions":{"code":"C"}}]}"#
            )
            .is_err()
        );
        assert!(judge(200, br#"{"data":null}"#).is_err());
    }
}
